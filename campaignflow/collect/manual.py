"""One row entered by a person (the Prefect UI's input form) instead of a spreadsheet.

Values are checked exactly like a spreadsheet row (same field types and messages) and stored
the same way, idempotently by the form's natural key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from .. import db
from ..errors import CampaignflowError
from ..spec import LoadedCampaign
from .cells import CellError, Lookup, convert
from .reader import FileRefused
from .rows import ParsedRow, row_key
from .store import SubmissionWriter


class EntryRejected(CampaignflowError, ValueError):
    """The entered values do not fit the form; every problem is listed."""


def record_entry(
    *, engine: Engine, loaded: LoadedCampaign, form_id: str, values: dict[str, Any], actor: str
) -> str:
    """Store one entered row of `form_id`; returns 新增 / 更新 / 未变."""
    if form_id not in loaded.spec.forms:
        raise FileRefused(f"活动中没有表单 {form_id}")
    form = loaded.spec.forms[form_id]
    fields = loaded.form_fields(form_id)
    lookup = Lookup(loaded.units, loaded.people)
    typed: dict[str, Any] = {}
    problems = []
    for name, field in fields.items():
        raw = values.get(name)
        if name == "type" and form.activity_type and not raw:
            raw = form.activity_type
        try:
            typed[name] = convert("" if raw is None else raw, field, lookup)
        except CellError as exc:
            problems.append(f"{field.label or name}：{exc}")
    unknown = sorted(set(values) - set(fields))
    problems += [f"表单“{form.title}”没有字段 {name}" for name in unknown]
    if problems:
        raise EntryRejected("；".join(problems))
    row = ParsedRow(row=0, key=row_key(form, typed), values=typed)
    with db.write_session(engine) as session:
        writer = SubmissionWriter(
            session=session,
            loaded=loaded,
            form_id=form_id,
            source="界面录入",
            sheet="-",
            actor=actor,
            mode="append",
            channel="界面录入",
        )
        bad = writer.check([row])
        if bad:
            raise EntryRejected("；".join(message for _, _, message in bad))
        writer.write([row])
        writer.finish()
        inserted, updated, _ = writer.counts()
    return "新增" if inserted else "更新" if updated else "未变"
