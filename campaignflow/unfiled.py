"""Who has not filed: per form collected by a measure, the owner units with no row of theirs.

The rule is the one a measure's progress is judged by (`rules.Rules`), so the 未报送 list and the
measures done agree in one document: as of a date, a current (not withdrawn) row dated on or
before it (rows without a date count from the start) is the owner's when it names the owner or a
unit under it; a measure's only owner owns every row of the form. Ballots and public feedback are
not filed by units and are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select

from . import db
from .rules import subtrees
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
    sole: dict[str, set[str]] = {}  # form -> units that are some measure's only owner
    dues: dict[str, list[dt.date]] = {}
    for m in loaded.spec.measures:
        if not m.form or loaded.spec.forms[m.form].kind in ("ballot", "feedback"):
            continue
        if stage is not None and stage != m.stage:
            continue
        units = {u.id for u in loaded.owner_units(m)}
        owners.setdefault(m.form, set()).update(units)
        if len(units) == 1:
            sole.setdefault(m.form, set()).update(units)
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
        keys = dict(
            session.execute(select(db.Unit.key, db.Unit.id).where(db.Unit.campaign_id == cid)).all()
        )
        under = subtrees(session, cid)
        rows = session.execute(
            select(S.form_id, S.unit_id)
            .where(S.archived.is_(False), S.form_id.in_(list(forms)),
                   or_(S.on_date.is_(None), S.on_date <= as_of))
            .distinct()
        ).all()  # fmt: skip
    filed: dict[str, set[int | None]] = {}
    for form_id, unit_id in rows:
        filed.setdefault(forms[form_id], set()).add(unit_id)
    result = []
    for form, expected in owners.items():
        mine, only = filed.get(form, set()), sole.get(form, set())
        missing = [
            u.name
            for u in loaded.units
            if u.id in expected
            and not (mine and u.id in only)
            and not any(i in mine for i in under.get(keys.get(u.id), []))
        ]
        title = loaded.spec.forms[form].title
        due = max(dues.get(form, []), default=None)
        result.append(Unfiled(form, title, due, len(expected), missing))
    return result
