"""A unit's web filing of a form: its current rows, and a new filing that replaces them.

The web is one more channel of the same filings an Excel import makes: `SubmissionWriter` in
replace mode with the link's unit as 填报单位 — rows left out are withdrawn (kept, restorable),
submitting the same rows again changes nothing, and the reports read them like any other rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from .. import db
from ..collect.cells import Lookup
from ..collect.rows import ParsedRow, row_key
from ..collect.store import SubmissionWriter
from ..spec import LoadedCampaign
from .fields import WebField, blank, read_row

CHANNEL = "网页填报"
MAX_ROWS = 200


@dataclass
class Posted:
    """A posted filing, read: its rows as typed (or the problems, by row and field)."""

    raw: list[dict[str, str]]
    values: list[dict[str, Any]]
    problems: dict[int, dict[str, str]]  # row index -> field id -> message


@dataclass(frozen=True)
class Receipt:
    number: str  # e.g. 网填-000123
    changed: bool
    summary: str


def current_rows(
    engine: Engine, loaded: LoadedCampaign, form_id: str, unit: str
) -> list[dict[str, Any]]:
    """The values of the unit's current (not withdrawn) rows of the form, oldest first."""
    S = db.Submission
    with db.read_session(engine) as session:
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        form = session.scalar(
            select(db.Form.id).where(db.Form.campaign_id == campaign.id, db.Form.key == form_id)
        )
        unit_id = session.scalar(
            select(db.Unit.id).where(db.Unit.campaign_id == campaign.id, db.Unit.key == unit)
        )
        rows = session.scalars(
            select(S.data)
            .where(S.form_id == form, S.scope_unit_id == unit_id, S.archived.is_(False))
            .order_by(S.source_row, S.id)
        ).all()
    return list(rows)


def as_posted(values: dict[str, Any], fields: list[WebField]) -> dict[str, str]:
    """Stored values as a form shows them again (dates ISO, booleans 1, people/units by key)."""
    shown = {}
    for f in fields:
        value = values.get(f.id)
        if value is None:
            shown[f.id] = ""
        elif isinstance(value, bool):
            shown[f.id] = "1" if value else ""
        elif isinstance(value, float) and value.is_integer():
            shown[f.id] = str(int(value))
        else:
            shown[f.id] = str(value)
    return shown


def read_posted(
    loaded: LoadedCampaign, form_id: str, fields: list[WebField], rows: list[dict[str, str]]
) -> Posted:
    """Every non-blank row checked; two rows with one natural key are both flagged."""
    form = loaded.spec.forms[form_id]
    kept = [r for r in rows if not blank(r, fields)]
    values, problems = [], {}
    keys: dict[str, int] = {}
    lookup = Lookup(loaded.units, loaded.people)
    for index, raw in enumerate(kept):
        typed, issues = read_row(lookup, fields, raw)
        if form.kind == "activity" and form.activity_type:
            typed["type"] = form.activity_type
        if not issues:
            key = row_key(form, typed)
            if key in keys:
                issues["_row"] = f"与第 {keys[key] + 1} 行重复（同一条记录只填一次）"
            keys.setdefault(key, index)
        if issues:
            problems[index] = issues
        values.append(typed)
    return Posted(kept, values, problems)


def file_rows(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    form_id: str,
    unit: str,
    values: list[dict[str, Any]],
    now: dt.datetime | None = None,
) -> Receipt:
    """Store the rows as the unit's whole filing of the form (replacing its previous one)."""
    form = loaded.spec.forms[form_id]
    name = next(u.name for u in loaded.units if u.id == unit)
    rows = [
        ParsedRow(row=i + 1, key=row_key(form, typed), values=typed)
        for i, typed in enumerate(values)
    ]
    with db.write_session(engine) as session:
        db.writer_lock(session=session, name=f"web:{loaded.spec.campaign.id}")
        writer = SubmissionWriter(
            session=session,
            loaded=loaded,
            form_id=form_id,
            source=f"网页填报（{name}）",
            sheet="网页",
            actor=f"网页：{name}",
            now=now,
            mode="replace",
            channel=CHANNEL,
            unit=unit,
        )
        bad = writer.check(rows)
        if bad:
            raise RowsRefused({r.row - 1: {f: message} for r, f, message in bad})
        writer.write(rows)
        writer.finish()
        summary = writer.summary()
        if writer.recorded:
            number = writer.filing.id
        else:
            number = session.scalar(
                select(db.Filing.id)
                .where(db.Filing.form_id == writer.form.id, db.Filing.source == writer.source)
                .order_by(db.Filing.id.desc())
                .limit(1)
            )
    return Receipt(f"网填-{number or 0:06d}", writer.recorded, summary)


class RowsRefused(ValueError):
    """Rows the database refuses (a rectification's 问题编号 it does not have …)."""

    def __init__(self, problems: dict[int, dict[str, str]]) -> None:
        super().__init__("；".join(m for p in problems.values() for m in p.values()))
        self.problems = problems
