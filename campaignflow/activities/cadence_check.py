"""The cadence check of 《中国共产党支部工作条例（试行）》: units short of an activity in a period.

`CADENCE_NORMS` gives, per activity type, the period (month / quarter) and the kind of unit it
applies to (支委会、党员大会、党课、主题党日 — 党支部; 党小组会 — 党小组). A unit falls short in a
period with no activity of that type. Only whole periods inside [since, as_of] are checked (a
month is judged once it is over), and only types that one of the campaign's activity forms
collects.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from .. import db
from ..spec import LoadedCampaign
from ..spec.kinds import ACTIVITY_TYPES
from .counts import month_label

# type -> (period, unit kind)
CADENCE_NORMS: dict[str, tuple[str, str]] = {
    "支委会": ("month", "党支部"),
    "党员大会": ("quarter", "党支部"),
    "党小组会": ("month", "党小组"),
    "党课": ("quarter", "党支部"),
    "主题党日": ("month", "党支部"),
}
PERIOD_NAMES = {"month": "每月", "quarter": "每季度"}


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
        from ..plain import plain

        return plain(self)


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
    """The first day of the campaign's earliest stage window (None without windows)."""
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
    month = month_label(engine, db.Activity.held_on)
    with db.read_session(engine) as session:
        campaign_id = db.campaign_id(session, loaded.spec.campaign.id)
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
