"""Working days in China: public holidays and 调休 working weekends.

The official schedule comes from the chinese-calendar package (years it covers) plus the campaign's
own `extra_holidays` / `extra_workdays` (the State Council publishes each year's schedule late in
the year, so a campaign running into an uncovered year declares it). A date in a year covered by
neither is an error, unless the campaign says `workweek: mon-fri`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar

from .errors import CampaignflowError


def today(timezone: str = "Asia/Shanghai") -> dt.date:
    """Today's date in `timezone` (a campaign's: `loaded.spec.campaign.timezone`)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(timezone)).date()


class CalendarNotCovered(CampaignflowError, ValueError):
    """A date falls in a year whose official holiday schedule is unknown."""

    def __init__(self, year: int) -> None:
        lo, hi = covered_years()
        super().__init__(
            f"{year} 年的法定节假日安排未知（内置日历覆盖 {lo}–{hi} 年）："
            f"请在 calendar.extra_holidays / extra_workdays 中写明 {year} 年的放假和调休日期，"
            "或设置 calendar.workweek: mon-fri 按周一至周五计算"
        )
        self.year = year


@functools.cache
def covered_years() -> tuple[int, int]:
    """The years the bundled official calendar covers (computed once per process)."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return years[0], years[-1]


@dataclass(frozen=True)
class WorkCalendar:
    """Decides working days; `add_workdays` counts forwards or backwards."""

    workweek: str = "chinese-official"
    extra_holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def from_spec(cls, spec) -> WorkCalendar:  # spec: CalendarSpec
        return cls(
            workweek=spec.workweek,
            extra_holidays=frozenset(spec.extra_holidays),
            extra_workdays=frozenset(spec.extra_workdays),
        )

    def _declared_years(self) -> set[int]:
        return {d.year for d in self.extra_holidays | self.extra_workdays}

    def covers(self, day: dt.date) -> bool:
        lo, hi = covered_years()
        return (
            self.workweek == "mon-fri" or lo <= day.year <= hi or day.year in self._declared_years()
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if self.workweek == "mon-fri":
            return day.weekday() < 5
        lo, hi = covered_years()
        if lo <= day.year <= hi:
            return chinese_calendar.is_workday(day)
        if day.year in self._declared_years():
            return day.weekday() < 5
        raise CalendarNotCovered(day.year)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (before it when n < 0); n = 0 gives `day` itself."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        current = day
        while remaining:
            current += dt.timedelta(days=step)
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            1 for i in range(1, (end - start).days + 1) if self.is_workday(start + dt.timedelta(i))
        )

    def uncovered_years(self, days: Iterable[dt.date]) -> list[int]:
        return sorted({d.year for d in days if not self.covers(d)})


class MemoCalendar:
    """A work calendar that answers each question once: a progress computation or a deadline
    sweep asks about the same few due dates for every owner unit."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._workday: dict[dt.date, bool] = {}
        self._between: dict[tuple[dt.date, dt.date], int] = {}
        self._added: dict[tuple[dt.date, int], dt.date] = {}

    def is_workday(self, day: dt.date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = self.calendar.is_workday(day)
        return known

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end < start."""
        key = (start, end)
        if key not in self._between:
            self._between[key] = WorkCalendar.workdays_between(self, start, end)  # type: ignore[arg-type]
        return self._between[key]

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (before it when n < 0)."""
        key = (day, n)
        if key not in self._added:
            self._added[key] = WorkCalendar.add_workdays(self, day, n)  # type: ignore[arg-type]
        return self._added[key]
