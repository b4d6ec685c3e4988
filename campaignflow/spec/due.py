"""Resolve measures' due dates: plain dates or expressions over the phase window and other measures."""

from __future__ import annotations

import datetime as dt

from ..calendar import CalendarNotCovered, WorkCalendar
from .models import DUE_EXPR, Campaign, Measure


class DueError(ValueError):
    """A due expression cannot be resolved (unknown measure, a cycle, no window)."""


def resolve_due_dates(
    spec: Campaign, calendar: WorkCalendar
) -> tuple[dict[str, dt.date | None], dict[str, str]]:
    """(measure id -> due date or None, measure id -> why its due could not be resolved)."""
    measures = {m.id: m for m in spec.measures}
    windows = {s.id: s.window for s in spec.stages}
    done: dict[str, dt.date | None] = {}
    errors: dict[str, str] = {}

    def resolve(measure: Measure, chain: tuple[str, ...]) -> dt.date | None:
        if measure.id in done:
            return done[measure.id]
        due = measure.due
        if due is None or isinstance(due, dt.date):
            done[measure.id] = due
            return due
        match = DUE_EXPR.match(due)
        assert match is not None  # the model checked the syntax
        if match["measure"]:
            other_id = match["measure"]
            if other_id in chain:
                raise DueError(f"期限循环引用：{' → '.join((*chain, other_id))}")
            other = measures.get(other_id)
            if other is None:
                raise DueError(f"期限引用了不存在的措施 {other_id}")
            base = resolve(other, (*chain, other_id))
            if base is None:
                raise DueError(f"措施 {other_id} 没有期限，无法以它为基准")
        else:
            stage_id = measure.phase or measure.track
            window = windows.get(stage_id) if stage_id else None
            if window is None:
                raise DueError(f"{due} 需要所属阶段有起止日期（window）")
            base = window[0] if match["anchor"].endswith("start") else window[1]
        result = _shift(base, match, calendar)
        done[measure.id] = result
        return result

    for measure in spec.measures:
        try:
            resolve(measure, (measure.id,))
        except (DueError, CalendarNotCovered) as exc:
            errors[measure.id] = str(exc)
            done.setdefault(measure.id, None)
    return done, errors


def _shift(base: dt.date, match, calendar: WorkCalendar) -> dt.date:
    if not match["n"]:
        return base
    n = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
    if match["unit"].startswith(("workday", "工作日")):
        return calendar.add_workdays(base, n)
    return base + dt.timedelta(days=n)
