"""campaignflow.calendar: Chinese working days, 调休 weekends, uncovered years, overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.calendar import CalendarNotCovered, WorkCalendar, covered_years
from campaignflow.spec.models import CalendarSpec

D = dt.date
OFFICIAL = WorkCalendar()


def test_bundled_calendar_covers_the_shipped_campaign_years() -> None:
    lo, hi = covered_years()
    assert lo <= 2023 <= hi


@pytest.mark.parametrize("day", [D(2023, 9, 29), D(2023, 10, 1), D(2023, 10, 2), D(2023, 10, 6)])
def test_national_day_2023_is_a_holiday(day: dt.date) -> None:
    assert not OFFICIAL.is_workday(day)


@pytest.mark.parametrize("day", [D(2023, 10, 7), D(2023, 10, 8)])
def test_tiaoxiu_weekend_after_national_day_2023_is_worked(day: dt.date) -> None:
    assert day.weekday() >= 5  # a Saturday and a Sunday
    assert OFFICIAL.is_workday(day)


def test_ordinary_days() -> None:
    assert OFFICIAL.is_workday(D(2023, 3, 1))  # Wednesday
    assert not OFFICIAL.is_workday(D(2023, 3, 4))  # Saturday


def test_add_workdays_across_national_day_2023() -> None:
    # Thursday 28 September is the last working day before the holiday; the next is Saturday 7 October
    assert OFFICIAL.add_workdays(D(2023, 9, 28), 1) == D(2023, 10, 7)
    assert OFFICIAL.add_workdays(D(2023, 9, 27), 3) == D(2023, 10, 8)
    assert OFFICIAL.add_workdays(D(2023, 9, 27), 4) == D(2023, 10, 9)


def test_add_workdays_from_a_holiday_counts_the_next_working_day_as_one() -> None:
    assert OFFICIAL.add_workdays(D(2023, 10, 1), 1) == D(2023, 10, 7)


def test_add_workdays_backwards() -> None:
    assert OFFICIAL.add_workdays(D(2023, 10, 7), -1) == D(2023, 9, 28)
    assert OFFICIAL.add_workdays(D(2023, 10, 9), -3) == D(2023, 9, 28)
    assert OFFICIAL.add_workdays(D(2023, 3, 6), -1) == D(2023, 3, 3)  # Monday -> Friday


def test_add_zero_workdays_is_the_day_itself_even_on_a_holiday() -> None:
    assert OFFICIAL.add_workdays(D(2023, 10, 1), 0) == D(2023, 10, 1)


def test_workdays_between() -> None:
    assert OFFICIAL.workdays_between(D(2023, 9, 28), D(2023, 10, 8)) == 2
    assert OFFICIAL.workdays_between(D(2023, 10, 8), D(2023, 9, 28)) == -2
    assert OFFICIAL.workdays_between(D(2023, 3, 1), D(2023, 3, 1)) == 0


def test_uncovered_year_raises_with_the_year() -> None:
    year = covered_years()[1] + 1
    with pytest.raises(CalendarNotCovered) as caught:
        OFFICIAL.is_workday(D(year, 3, 1))
    assert caught.value.year == year
    assert f"{year} 年的法定节假日安排未知" in str(caught.value)
    assert "workweek: mon-fri" in str(caught.value)
    assert not OFFICIAL.covers(D(year, 3, 1))
    assert OFFICIAL.uncovered_years([D(2023, 1, 3), D(year, 3, 1), D(year, 4, 1)]) == [year]


def test_add_workdays_into_an_uncovered_year_raises() -> None:
    last = covered_years()[1]
    with pytest.raises(CalendarNotCovered) as caught:
        OFFICIAL.add_workdays(D(last, 12, 28), 10)
    assert caught.value.year == last + 1


def test_extra_holidays_and_workdays_override_the_official_calendar() -> None:
    calendar = WorkCalendar(
        extra_holidays=frozenset({D(2023, 3, 8)}), extra_workdays=frozenset({D(2023, 3, 11)})
    )
    assert not calendar.is_workday(D(2023, 3, 8))  # a Wednesday made a holiday
    assert calendar.is_workday(D(2023, 3, 11))  # a Saturday made a working day
    assert calendar.add_workdays(D(2023, 3, 7), 1) == D(2023, 3, 9)
    assert calendar.add_workdays(D(2023, 3, 10), 1) == D(2023, 3, 11)
    # an override wins over the official schedule too
    assert WorkCalendar(extra_workdays=frozenset({D(2023, 10, 2)})).is_workday(D(2023, 10, 2))


def test_declaring_a_year_covers_it() -> None:
    year = covered_years()[1] + 1
    calendar = WorkCalendar(extra_holidays=frozenset({D(year, 1, 1)}))
    assert calendar.covers(D(year, 6, 1))
    assert not calendar.is_workday(D(year, 1, 1))
    monday = D(year, 6, 1) + dt.timedelta(days=-D(year, 6, 1).weekday())
    assert calendar.is_workday(monday)
    assert not calendar.is_workday(monday + dt.timedelta(days=5))  # Saturday


def test_mon_fri_mode_ignores_the_official_schedule_and_covers_any_year() -> None:
    calendar = WorkCalendar(workweek="mon-fri")
    assert calendar.is_workday(D(2023, 10, 2))  # a Monday of the National Day holiday
    assert not calendar.is_workday(D(2023, 10, 7))  # a 调休 Saturday
    assert calendar.covers(D(2040, 1, 1))
    assert calendar.add_workdays(D(2040, 1, 6), 1) == D(2040, 1, 9)  # Friday -> Monday
    with_holiday = WorkCalendar(workweek="mon-fri", extra_holidays=frozenset({D(2040, 1, 9)}))
    assert with_holiday.add_workdays(D(2040, 1, 6), 1) == D(2040, 1, 10)


def test_from_spec() -> None:
    spec = CalendarSpec(workweek="mon-fri", extra_holidays=[D(2023, 3, 8)])
    calendar = WorkCalendar.from_spec(spec)
    assert calendar.workweek == "mon-fri"
    assert calendar.extra_holidays == frozenset({D(2023, 3, 8)})
    assert WorkCalendar.from_spec(CalendarSpec()) == OFFICIAL
