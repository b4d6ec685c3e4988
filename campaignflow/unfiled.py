"""Who has not filed: per form collected by a measure, the owner units with no current row.

A unit has filed a form as of a date when a row of the form is current (not withdrawn), was
sent by it or names it, and is dated on or before the date (rows without a date count from
the start). Ballots and public feedback are not filed by units and are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select, union

from . import db
from .spec import LoadedCampaign


@dataclass(frozen=True)
class Unfiled:
    form: str
    title: str
    due: dt.date | None  # the latest due date of the measures collected with the form
    expected: int  # units that should file it
    missing: list[str]  # names of those that have not, in the organisation's order


def unfiled(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, stage: str | None = None
) -> list[Unfiled]:
    """The forms of `stage`'s measures (every stage's when None) in the spec's order."""
    owners: dict[str, set[str]] = {}
    dues: dict[str, list[dt.date]] = {}
    for m in loaded.spec.measures:
        if not m.form or loaded.spec.forms[m.form].kind in ("ballot", "feedback"):
            continue
        if stage is not None and stage not in (m.phase, m.track):
            continue
        owners.setdefault(m.form, set()).update(u.id for u in loaded.owner_units(m))
        if loaded.due.get(m.id):
            dues.setdefault(m.form, []).append(loaded.due[m.id])
    if not owners:
        return []
    S = db.Submission
    with db.read_session(engine) as session:
        cid = db.campaign_id(session, loaded.spec.campaign.id)
        forms = dict(
            session.execute(
                select(db.Form.id, db.Form.key).where(
                    db.Form.campaign_id == cid, db.Form.key.in_(list(owners))
                )
            ).all()
        )
        units = dict(
            session.execute(select(db.Unit.id, db.Unit.key).where(db.Unit.campaign_id == cid)).all()
        )
        current = (S.archived.is_(False), S.form_id.in_(list(forms)),
                   or_(S.on_date.is_(None), S.on_date <= as_of))  # fmt: skip
        rows = session.execute(
            union(
                select(S.form_id, S.scope_unit_id.label("unit")).where(*current),
                select(S.form_id, S.unit_id.label("unit")).where(*current),
            )
        ).all()
    filed: dict[str, set[str]] = {}
    for form_id, unit_id in rows:
        if unit_id is not None:
            filed.setdefault(forms[form_id], set()).add(units[unit_id])
    names = [(u.id, u.name) for u in loaded.units]
    result = []
    for form, expected in owners.items():
        done = filed.get(form, set())
        missing = [name for key, name in names if key in expected and key not in done]
        title = loaded.spec.forms[form].title
        result.append(
            Unfiled(form, title, max(dues.get(form, []), default=None), len(expected), missing)
        )
    return result
