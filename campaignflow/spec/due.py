"""Resolve measures' due dates: plain dates or expressions over a date, the phase window or other
measures (`2024-04-30 + 5 workdays`, `phase.end - 3 days`, `measure.plan.due + 2 workdays`)."""

from __future__ import annotations

import datetime as dt

from ..calendar import CalendarNotCovered, WorkCalendar
from .models import DUE_EXPR, Campaign, Measure


class DueError(ValueError):
    """A due expression cannot be resolved (unknown measure, a cycle, no window)."""


class _Unresolved(Exception):
    """A measure's due depends on one that failed: the cause is reported once, at its source."""


class _Cycle(Exception):
    def __init__(self, members: tuple[str, ...]) -> None:
        super().__init__(members)
        self.members = members  # the measures of the cycle, in reference order


def resolve_due_dates(
    spec: Campaign, calendar: WorkCalendar
) -> tuple[dict[str, dt.date | None], dict[str, str]]:
    """(measure id -> due date or None, measure id -> why its due could not be resolved).

    Only the root cause is reported: a measure whose due builds on an unresolved one, or on a
    phase that is itself unknown or broken, gets no error of its own. A year the calendar does not
    cover is reported once by `checks.check_calendar` when a window or a plain date falls in it.
    """
    measures = {m.id: m for m in spec.measures}
    windows = {s.id: s.window for s in spec.stages}
    stated = [d for s in spec.stages for d in s.window or ()]
    stated += [m.due for m in spec.measures if isinstance(m.due, dt.date)]
    reported_years = {d.year for d in stated if not calendar.covers(d)}
    done: dict[str, dt.date | None] = {}
    failed: set[str] = set()
    errors: dict[str, str] = {}

    def compute(measure: Measure, chain: tuple[str, ...]) -> dt.date | None:
        due = measure.due
        if due is None or isinstance(due, dt.date):
            return due
        match = DUE_EXPR.match(due)
        assert match is not None  # the model checked the syntax
        if match["date"]:
            base = dt.date.fromisoformat(match["date"])  # the model checked the date
        elif match["measure"]:
            other_id = match["measure"]
            if other_id in chain:
                raise _Cycle(chain[chain.index(other_id) :])
            other = measures.get(other_id)
            if other is None:
                raise DueError(f"期限引用了不存在的措施 {other_id}")
            base = resolve(other, (*chain, other_id))
            if base is None:
                raise DueError(f"措施 {other_id} 没有期限，无法以它为基准")
        else:
            stage_id = measure.stage
            if stage_id not in windows:
                raise _Unresolved  # an unknown or broken phase is reported where it is written
            window = windows[stage_id]
            if window is None:
                what = "阶段" if spec.staged else "工作线"
                raise DueError(f"{due} 需要所属{what} {stage_id} 有起止日期（window）")
            if window[0] > window[1]:
                raise _Unresolved  # the reversed window is reported
            base = window[0] if match["anchor"].endswith("start") else window[1]
        try:
            return _shift(base, match, calendar)
        except CalendarNotCovered as exc:
            if exc.year in reported_years:
                raise _Unresolved from None
            raise

    def resolve(measure: Measure, chain: tuple[str, ...]) -> dt.date | None:
        if measure.id in done:
            return done[measure.id]
        if measure.id in failed:
            raise _Unresolved
        try:
            result = compute(measure, chain)
        except _Cycle as cycle:
            failed.add(measure.id)
            if measure.id not in cycle.members:
                raise _Unresolved from None
            k = cycle.members.index(measure.id)
            loop = (*cycle.members[k:], *cycle.members[:k], measure.id)
            errors[measure.id] = f"期限循环引用：{' → '.join(loop)}"
            if k == 0:
                raise _Unresolved from None
            raise
        except (DueError, CalendarNotCovered) as exc:
            failed.add(measure.id)
            errors[measure.id] = str(exc)
            raise _Unresolved from None
        except _Unresolved:
            failed.add(measure.id)
            raise
        done[measure.id] = result
        return result

    for measure in spec.measures:
        try:
            resolve(measure, (measure.id,))
        except _Unresolved:
            pass
    for measure in spec.measures:
        done.setdefault(measure.id, None)
    return done, errors


def _shift(base: dt.date, match, calendar: WorkCalendar) -> dt.date:
    if not match["n"]:
        return base
    n = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
    if match["unit"].startswith(("workday", "工作日")):
        return calendar.add_workdays(base, n)
    return base + dt.timedelta(days=n)
