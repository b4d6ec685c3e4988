"""Which reminders a sweep plans: working days, 国庆 + 调休, a due date on a holiday, keys."""

from __future__ import annotations

import datetime as dt

from campaignflow.deadlines import effective_due, plan_reminders
from campaignflow.progress import mark_done, stage_progress


def plan(engine, loaded, day: dt.date) -> dict[str, list[str]]:
    progress = stage_progress(engine=engine, loaded=loaded, stage="autumn", as_of=day)
    return {
        d.unit: [i.key for i in d.items]
        for d in plan_reminders(loaded=loaded, progress=progress, as_of=day)
    }


def texts(engine, loaded, day: dt.date) -> dict[str, str]:
    progress = stage_progress(engine=engine, loaded=loaded, stage="autumn", as_of=day)
    return {d.unit: d.text for d in plan_reminders(loaded=loaded, progress=progress, as_of=day)}


def test_due_on_a_holiday_moves_to_the_next_working_day(loaded):
    # 2023-10-01 国庆 → 10-07, a Saturday worked in exchange (调休)
    assert effective_due(loaded.calendar, dt.date(2023, 10, 1)) == dt.date(2023, 10, 7)
    assert effective_due(loaded.calendar, dt.date(2023, 9, 28)) == dt.date(2023, 9, 28)


def test_digest_text_in_chinese(engine, loaded):
    got = texts(engine, loaded, dt.date(2023, 9, 27))
    assert got["b1"] == (
        "机关第一党支部：以下 2 项工作请关注\n"
        "1. 【即将到期】报送整改台账（机关第一党支部）将于 2023-10-01（节假日顺延至 2023-10-07）到期，还剩 2 个工作日\n"
        "2. 【逾期】召开专题组织生活会（机关第一党支部）已逾期 5 个工作日（期限 2023-09-20）"
    )
    assert got["b2"] == (
        "机关第二党支部：以下 1 项工作请关注\n"
        "1. 【即将到期】提交调研报告（机关第二党支部）将于 2023-09-28 到期，还剩 1 个工作日"
    )
    # escalation to the owner's superior unit after 2 working days overdue
    assert got["party"] == (
        "局党组：以下 1 项工作请关注\n"
        "1. 【逾期督办】召开专题组织生活会（机关第一党支部）已逾期 5 个工作日（期限 2023-09-20）"
    )


def test_keys_belong_to_working_days(engine, loaded):
    assert plan(engine, loaded, dt.date(2023, 9, 27)) == {
        "b1": ["before3:holiday@b1:2023-09-26", "overdue:late@b1:2023-09-27"],
        "b2": ["before1:soon@b2:2023-09-27"],
        "party": ["escalate:late@b1:2023-09-22"],
    }
    # next day: the holiday item reaches 1 working day (only 10-07 is left); `soon` is due today
    # and keeps yesterday's key (already reminded); the overdue notice is a new day's
    assert plan(engine, loaded, dt.date(2023, 9, 28)) == {
        "b1": ["before1:holiday@b1:2023-09-28", "overdue:late@b1:2023-09-28"],
        "b2": ["before1:soon@b2:2023-09-27"],
        "party": ["escalate:late@b1:2023-09-22"],
    }


def test_national_day_holiday_repeats_the_last_working_days_keys(engine, loaded):
    """During 国庆 no working day passes: every key equals 09-28's, so nothing new goes out;
    `soon` (due 09-28) is not yet a working day overdue."""
    before = plan(engine, loaded, dt.date(2023, 9, 28))
    for day in (dt.date(2023, 9, 29), dt.date(2023, 10, 3), dt.date(2023, 10, 6)):
        got = plan(engine, loaded, day)
        assert got["b1"] == before["b1"]
        assert got["party"] == before["party"]
        assert "b2" not in got


def test_adjusted_working_weekend_counts(engine, loaded):
    """10-07 (Saturday, 调休) is a working day: `soon` is 1 working day overdue, the holiday item
    is due that day; 10-08 (Sunday, 调休) makes it overdue."""
    sat = texts(engine, loaded, dt.date(2023, 10, 7))
    assert "【逾期】提交调研报告（机关第二党支部）已逾期 1 个工作日（期限 2023-09-28）" in sat["b2"]
    assert (
        "【即将到期】报送整改台账（机关第一党支部）今天到期（期限 2023-10-01，节假日顺延至 2023-10-07）"
        in sat["b1"]
    )
    sun = texts(engine, loaded, dt.date(2023, 10, 8))
    assert (
        "【逾期】报送整改台账（机关第一党支部）已逾期 1 个工作日（期限 2023-10-01，节假日顺延至 2023-10-07）"
        in sun["b1"]
    )


def test_done_items_are_not_reminded(engine, loaded):
    mark_done(
        engine=engine,
        loaded=loaded,
        measure="late",
        unit=None,
        on=dt.date(2023, 9, 25),
        evidence=[],
        actor="t",
    )
    got = plan(engine, loaded, dt.date(2023, 9, 27))
    assert got["b1"] == ["before3:holiday@b1:2023-09-26"]
    assert "party" not in got


def test_too_early_means_no_reminder(engine, loaded):
    assert plan(engine, loaded, dt.date(2023, 9, 8)) == {}
    # 09-15 (Fri) → 09-20 (Wed): 3 working days left
    assert plan(engine, loaded, dt.date(2023, 9, 15)) == {"b1": ["before3:late@b1:2023-09-15"]}
