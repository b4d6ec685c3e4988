"""Activities: 次, 人次 and distinct participants; cadence checks; volunteer services; 政治素质档案.

- **次**: activities held. **人次**: per activity, the attendees marked 出席 on its roll
  (`attendance`) when it has one, else its declared 参加人数. **Distinct participants**: people on
  the rolls (person, or the name as written) — None where no activity of the group has a roll.
- **Cadence** (《中国共产党支部工作条例（试行）》): `CADENCE_NORMS` gives, per activity type, the
  period (month / quarter) and the kind of unit it applies to (支委会、党员大会、党课、主题党日 —
  党支部; 党小组会 — 党小组). A unit falls short in a period with no activity of that type. Only
  whole periods inside [since, as_of] are checked (a month is judged once it is over), and only
  types that one of the campaign's activity forms collects.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, String, cast, func, select

from . import db
from .spec import LoadedCampaign
from .spec.kinds import ACTIVITY_TYPES

# type -> (period, unit kind)
CADENCE_NORMS: dict[str, tuple[str, str]] = {
    "支委会": ("month", "党支部"),
    "党员大会": ("quarter", "党支部"),
    "党小组会": ("month", "党小组"),
    "党课": ("quarter", "党支部"),
    "主题党日": ("month", "党支部"),
}
VOLUNTEER_TYPE = "志愿服务"
PERIOD_NAMES = {"month": "每月", "quarter": "每季度"}


@dataclass
class ActivityCount:
    unit: str
    type: str
    month: str  # YYYY-MM
    times: int  # 次
    person_times: int  # 人次
    participants: int | None  # distinct people on the rolls


@dataclass
class Shortfall:
    unit: str
    type: str
    period: str  # 2023-03 or 2023Q1
    rule: str  # e.g. 每月至少1次
    held: int = 0


@dataclass
class Cadence:
    checked_from: dt.date | None = None
    checked_to: dt.date | None = None
    shortfalls: list[Shortfall] = field(default_factory=list)
    by_unit: dict[str, int] = field(default_factory=dict)  # unit -> shortfalls

    def as_dict(self) -> dict[str, Any]:
        import dataclasses

        return dataclasses.asdict(self)


def _campaign_id(session, loaded: LoadedCampaign) -> int:
    return db.campaign_id(session, loaded.spec.campaign.id)


def _month(engine: Engine, column):
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
    month = _month(engine, db.Activity.held_on)
    with db.read_session(engine) as session:
        campaign_id = _campaign_id(session, loaded)
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


def volunteer_summary(counts: list[ActivityCount]) -> dict[str, int]:
    """志愿服务: 次 and 人次."""
    own = [c for c in counts if c.type == VOLUNTEER_TYPE]
    return {"times": sum(c.times for c in own), "person_times": sum(c.person_times for c in own)}


def collected_types(loaded: LoadedCampaign) -> set[str]:
    """Activity types some activity form of the campaign collects."""
    found: set[str] = set()
    for form in loaded.spec.forms.values():
        if form.kind != "activity":
            continue
        if form.activity_type:
            found.add(form.activity_type)
        elif form.activity_types:
            found.update(form.activity_types)
        else:
            found.update(ACTIVITY_TYPES)
    return found


def _periods(kind: str, start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Whole months/quarters inside [start, end]: (label, first day, last day)."""
    step = 1 if kind == "month" else 3
    month = start.month if kind == "month" else 3 * ((start.month - 1) // 3) + 1
    year = start.year
    result = []
    while True:
        first = dt.date(year, month, 1)
        ny, nm = (year + (month + step - 1) // 12, (month + step - 1) % 12 + 1)
        last = dt.date(ny, nm, 1) - dt.timedelta(days=1)
        if last > end:
            break
        if first >= start:
            label = f"{year}-{month:02d}" if kind == "month" else f"{year}Q{(month - 1) // 3 + 1}"
            result.append((label, first, last))
        year, month = ny, nm
    return result


def campaign_start(loaded: LoadedCampaign) -> dt.date | None:
    windows = [s.window[0] for s in loaded.spec.stages if s.window]
    return min(windows) if windows else None


def cadence(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    as_of: dt.date,
    since: dt.date | None = None,
    norms: dict[str, tuple[str, str]] | None = None,
) -> Cadence:
    """Shortfalls against the 支部工作条例 norms, per unit, type and period (see module doc)."""
    norms = CADENCE_NORMS if norms is None else norms
    since = since or campaign_start(loaded) or dt.date(as_of.year, 1, 1)
    result = Cadence(checked_from=since, checked_to=as_of)
    wanted = {t: n for t, n in norms.items() if t in collected_types(loaded)}
    if not wanted:
        return result
    month = _month(engine, db.Activity.held_on)
    with db.read_session(engine) as session:
        campaign_id = _campaign_id(session, loaded)
        units = session.execute(
            select(db.Unit.id, db.Unit.name, db.Unit.kind)
            .where(db.Unit.campaign_id == campaign_id, db.Unit.archived.is_(False))
            .order_by(db.Unit.sort_order, db.Unit.key)
        ).all()
        held = {
            (uid, t, m): n
            for uid, t, m, n in session.execute(
                select(db.Activity.unit_id, db.Activity.type, month, func.count())
                .where(
                    db.Activity.campaign_id == campaign_id,
                    db.Activity.type.in_(list(wanted)),
                    db.Activity.held_on >= since,
                    db.Activity.held_on <= as_of,
                )
                .group_by(db.Activity.unit_id, db.Activity.type, month)
            )
        }
    counts: Counter[str] = Counter()
    for type_, (period, unit_kind) in wanted.items():
        for uid, name, kind in units:
            if kind != unit_kind:
                continue
            for label, first, last in _periods(period, since, as_of):
                months = _months_between(first, last)
                n = sum(held.get((uid, type_, m), 0) for m in months)
                if n < 1:
                    result.shortfalls.append(
                        Shortfall(name, type_, label, f"{PERIOD_NAMES[period]}至少1次", n)
                    )
                    counts[name] += 1
    result.shortfalls.sort(key=lambda s: (s.unit, s.type, s.period))
    result.by_unit = dict(sorted(counts.items()))
    return result


def _months_between(first: dt.date, last: dt.date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# ---------------------------------------------------------------- 政治素质档案

POLITICAL_FORM_TITLES = ("政治素质档案", "政治档案")


@dataclass
class PoliticalFiles:
    files: int = 0  # people with a file (一人一册)
    entries: int = 0
    by_person: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # name -> entries

    def as_dict(self) -> dict[str, Any]:
        import dataclasses

        return dataclasses.asdict(self)


def political_files(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, form: str | None = None
) -> PoliticalFiles:
    """Per person, dated entries of their political-quality file: `political_file_entry` rows
    plus the rows of the record form `form` (default: a record form titled 政治素质档案 with a
    `person` field). An entry keeps its other fields (± indicator counts, evidence) as `data`."""
    result = PoliticalFiles()
    forms = (
        [form]
        if form
        else [
            fid
            for fid, f in loaded.spec.forms.items()
            if f.kind == "record"
            and "person" in f.fields
            and any(t in f.title for t in POLITICAL_FORM_TITLES)
        ]
    )
    entries: dict[str, list[dict[str, Any]]] = {}
    with db.read_session(engine) as session:
        campaign_id = _campaign_id(session, loaded)
        names = dict(
            session.execute(
                select(db.Person.id, db.Person.name).where(db.Person.campaign_id == campaign_id)
            ).all()
        )
        keys = dict(
            session.execute(
                select(db.Person.key, db.Person.name).where(db.Person.campaign_id == campaign_id)
            ).all()
        )
        for e in session.scalars(
            select(db.PoliticalFileEntry).where(
                db.PoliticalFileEntry.campaign_id == campaign_id,
                db.PoliticalFileEntry.recorded_on <= as_of,
            )
        ):
            entries.setdefault(names.get(e.person_id, str(e.person_id)), []).append(
                {
                    "date": e.recorded_on,
                    "category": e.category,
                    "title": e.title,
                    "content": e.content,
                    "data": {},
                }  # fmt: skip
            )
        for fid in forms:
            rows = session.scalars(
                select(db.Submission)
                .join(db.Form, db.Form.id == db.Submission.form_id)
                .where(
                    db.Form.campaign_id == campaign_id,
                    db.Form.key == fid,
                    db.Submission.archived.is_(False),
                )
            )
            for sub in rows:
                if sub.on_date is not None and sub.on_date > as_of:
                    continue
                data = dict(sub.data or {})
                person = str(data.pop("person", ""))
                if not person:
                    continue
                entries.setdefault(keys.get(person, person), []).append(
                    {
                        "date": sub.on_date,
                        "category": loaded.spec.forms[fid].title,
                        "title": str(data.get("conclusion") or ""),
                        "content": None,
                        "data": data,
                    }  # fmt: skip
                )
    for rows in entries.values():
        rows.sort(key=lambda r: (r["date"] or dt.date.min, r["category"]))
    result.by_person = dict(sorted(entries.items()))
    result.files = len(entries)
    result.entries = sum(len(r) for r in entries.values())
    return result


def report_data(
    counts: list[ActivityCount], check: Cadence, files: PoliticalFiles
) -> dict[str, Any]:
    """Plain data for report templates (`activities.by_type.党课.times`, …), from the counts,
    the cadence check and the political files computed once for the run."""
    import dataclasses

    return {
        "counts": [dataclasses.asdict(c) for c in counts],
        "by_type": totals_by_type(counts),
        "volunteer": volunteer_summary(counts),
        "cadence": check.as_dict(),
        "shortfall_count": len(check.shortfalls),
        "political_files": files.files,
        "political_file_entries": files.entries,
    }
