"""Activity counts in SQL: 次, 人次 and distinct participants per unit, activity type and month.

- **次**: activities held. **人次**: per activity, the attendees marked 出席 on its roll
  (`attendance`) when it has one, else its declared 参加人数. **Distinct participants**: people on
  the rolls (person, or the name as written) — None where no activity of the group has a roll.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, String, cast, func, select

from .. import db
from ..spec import LoadedCampaign


@dataclass
class ActivityCount:
    unit: str
    type: str
    month: str  # YYYY-MM
    times: int  # 次
    person_times: int  # 人次
    participants: int | None  # distinct people on the rolls


def month_label(engine: Engine, column):
    """SQL for a date column's month as YYYY-MM (SQLite or PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def activity_counts(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    as_of: dt.date,
    since: dt.date | None = None,
    types: list[str] | None = None,
) -> list[ActivityCount]:
    """次, 人次 and distinct participants per unit, activity type and month (in SQL)."""
    month = month_label(engine, db.Activity.held_on)
    with db.read_session(engine) as session:
        campaign_id = db.campaign_id(session, loaded.spec.campaign.id)
        present = (
            select(db.Attendance.activity_id, func.count().label("n"))
            .where(db.Attendance.state == db.AttendanceState.PRESENT.value)
            .group_by(db.Attendance.activity_id)
            .subquery()
        )
        where = [db.Activity.campaign_id == campaign_id, db.Activity.held_on <= as_of]
        if since is not None:
            where.append(db.Activity.held_on >= since)
        if types:
            where.append(db.Activity.type.in_(types))
        rows = session.execute(
            select(
                db.Unit.name,
                db.Activity.type,
                month.label("month"),
                func.count(db.Activity.id),
                func.sum(func.coalesce(present.c.n, db.Activity.attendees, 0)),
            )
            .join(db.Unit, db.Unit.id == db.Activity.unit_id)
            .outerjoin(present, present.c.activity_id == db.Activity.id)
            .where(*where)
            .group_by(db.Unit.name, db.Activity.type, month)
            .order_by(db.Unit.name, db.Activity.type, month)
        ).all()
        who = func.coalesce(cast(db.Attendance.person_id, String), db.Attendance.attendee)
        distinct = {
            (u, t, m): n
            for u, t, m, n in session.execute(
                select(db.Unit.name, db.Activity.type, month, func.count(func.distinct(who)))
                .join(db.Unit, db.Unit.id == db.Activity.unit_id)
                .join(db.Attendance, db.Attendance.activity_id == db.Activity.id)
                .where(*where, db.Attendance.state == db.AttendanceState.PRESENT.value)
                .group_by(db.Unit.name, db.Activity.type, month)
            )
        }
    return [
        ActivityCount(u, t, m, int(n), int(pt or 0), distinct.get((u, t, m)))
        for u, t, m, n, pt in rows
    ]


def totals_by_type(counts: list[ActivityCount]) -> dict[str, dict[str, int]]:
    """Type -> {次, 人次} over all units and months."""
    result: dict[str, Counter] = {}
    for c in counts:
        row = result.setdefault(c.type, Counter())
        row["times"] += c.times
        row["person_times"] += c.person_times
    return {t: dict(r) for t, r in sorted(result.items())}
