"""Due expressions: `phase.start + 5 workdays`, `phase.end - 2 days`, `measure.x.due + 3 workdays`."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from campaignflow.calendar import WorkCalendar
from campaignflow.spec.due import resolve_due_dates
from campaignflow.spec.models import Campaign

D = dt.date
HEADER = {"id": "c", "title": "测试", "organisation": "××局党组", "year": 2023}


def campaign(measures: list[dict], window=("2023-03-01", "2023-03-31"), **extra) -> Campaign:
    """A staged campaign with one phase `p` (the window given) and the measures."""
    phases = [{"id": "p", "name": "学习动员", "window": list(window)}]
    items = [{"title": "措施", "phase": "p", "owner": "办公室", **m} for m in measures]
    return Campaign.model_validate(
        {"campaign": HEADER, "phases": phases, "measures": items, **extra}
    )


def resolve(measures: list[dict], calendar: WorkCalendar | None = None, **kw):
    return resolve_due_dates(campaign(measures, **kw), calendar or WorkCalendar())


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("phase.start + 5 workdays", D(2023, 3, 8)),  # Wed 1 March -> Wed 8 March
        ("phase.start+5workdays", D(2023, 3, 8)),
        ("phase.start + 1 workday", D(2023, 3, 2)),
        ("phase.start + 5 工作日", D(2023, 3, 8)),
        ("phase.start", D(2023, 3, 1)),
        ("phase.end", D(2023, 3, 31)),
        ("phase.end - 2 days", D(2023, 3, 29)),
        ("phase.end - 2 天", D(2023, 3, 29)),
        ("phase.end - 1 day", D(2023, 3, 30)),
        ("phase.end - 3 workdays", D(2023, 3, 28)),  # Fri 31 -> Tue 28
        ("phase.start + 0 days", D(2023, 3, 1)),
    ],
)
def test_phase_anchored(expression: str, expected: dt.date) -> None:
    due, errors = resolve([{"id": "x", "due": expression}])
    assert errors == {}
    assert due["x"] == expected


def test_measure_anchored() -> None:
    due, errors = resolve(
        [
            {"id": "x", "due": "phase.start + 5 workdays"},
            {"id": "y", "due": "measure.x.due + 3 workdays"},  # Wed 8 -> Mon 13 March
            {"id": "z", "due": "measure.y.due - 1 day"},
        ]
    )
    assert errors == {}
    assert due == {"x": D(2023, 3, 8), "y": D(2023, 3, 13), "z": D(2023, 3, 12)}


def test_reference_to_a_later_measure_and_to_a_plain_date() -> None:
    due, errors = resolve(
        [
            {"id": "a", "due": "measure.b.due + 2 days"},
            {"id": "b", "due": "2023-03-10"},
        ]
    )
    assert errors == {}
    assert due == {"a": D(2023, 3, 12), "b": D(2023, 3, 10)}


def test_no_due() -> None:
    due, errors = resolve([{"id": "x"}])
    assert due == {"x": None}
    assert errors == {}


def test_workdays_across_national_day_2023() -> None:
    due, errors = resolve(
        [
            {"id": "a", "due": "2023-09-28"},
            {"id": "b", "due": "measure.a.due + 1 workday"},
            {"id": "c", "due": "phase.end - 1 workday"},
        ],
        window=("2023-09-01", "2023-10-09"),
    )
    assert errors == {}
    assert due["b"] == D(2023, 10, 7)  # the 调休 Saturday
    assert due["c"] == D(2023, 10, 8)  # the 调休 Sunday


def test_mon_fri_calendar() -> None:
    due, _ = resolve(
        [{"id": "a", "due": "2023-09-28"}, {"id": "b", "due": "measure.a.due + 1 workday"}],
        calendar=WorkCalendar(workweek="mon-fri"),
        window=("2023-09-01", "2023-10-31"),
    )
    assert due["b"] == D(2023, 9, 29)


def test_track_anchored() -> None:
    spec = Campaign.model_validate(
        {
            "campaign": HEADER,
            "tracks": [{"id": "t", "name": "理论学习", "window": ["2023-04-03", "2023-06-30"]}],
            "measures": [
                {"id": "x", "title": "读书班", "track": "t", "owner": "办公室", "due": s}
                for s in ["track.start + 2 workdays"]
            ],
        }
    )
    due, errors = resolve_due_dates(spec, WorkCalendar())
    assert errors == {} and due["x"] == D(2023, 4, 6)  # Wednesday 5 April is 清明


def test_unknown_measure() -> None:
    due, errors = resolve([{"id": "x", "due": "measure.nope.due + 1 day"}])
    assert errors == {"x": "期限引用了不存在的措施 nope"}
    assert due == {"x": None}


def test_cycle_is_reported_on_each_member_and_nowhere_else() -> None:
    due, errors = resolve(
        [
            {"id": "a", "due": "measure.b.due + 1 day"},
            {"id": "b", "due": "measure.a.due + 1 day"},
            {"id": "c", "due": "measure.a.due + 1 day"},  # depends on the cycle: no own error
        ]
    )
    assert errors == {
        "a": "期限循环引用：a → b → a",
        "b": "期限循环引用：b → a → b",
    }
    assert due == {"a": None, "b": None, "c": None}


def test_cycle_reached_through_another_measure() -> None:
    _, errors = resolve(
        [
            {"id": "c", "due": "measure.a.due + 1 day"},
            {"id": "a", "due": "measure.b.due + 1 day"},
            {"id": "b", "due": "measure.a.due + 1 day"},
        ]
    )
    assert errors == {"a": "期限循环引用：a → b → a", "b": "期限循环引用：b → a → b"}


def test_self_reference() -> None:
    _, errors = resolve([{"id": "a", "due": "measure.a.due + 1 day"}])
    assert errors == {"a": "期限循环引用：a → a"}


def test_base_without_due() -> None:
    _, errors = resolve([{"id": "a"}, {"id": "b", "due": "measure.a.due + 1 day"}])
    assert errors == {"b": "措施 a 没有期限，无法以它为基准"}


def test_errors_do_not_cascade_to_dependants() -> None:
    _, errors = resolve(
        [
            {"id": "a", "due": "measure.nope.due"},
            {"id": "b", "due": "measure.a.due + 1 day"},
        ]
    )
    assert errors == {"a": "期限引用了不存在的措施 nope"}


def test_uncovered_year_reached_by_an_offset() -> None:
    _, errors = resolve(
        [{"id": "a", "due": "phase.end + 5 workdays"}], window=("2026-12-01", "2026-12-31")
    )
    assert errors["a"].startswith("2027 年的法定节假日安排未知")


def test_uncovered_year_of_the_window_is_left_to_the_calendar_check() -> None:
    due, errors = resolve(
        [{"id": "a", "due": "phase.start + 5 workdays"}], window=("2027-03-01", "2027-03-31")
    )
    assert errors == {} and due == {"a": None}


@pytest.mark.parametrize(
    "expression",
    ["next friday", "phase.begin + 1 day", "phase.start + 5 weeks", "measure.Plan.due", "+ 3 days"],
)
def test_bad_syntax_is_refused_by_the_model(expression: str) -> None:
    with pytest.raises(ValidationError) as caught:
        campaign([{"id": "x", "due": expression}])
    assert "无法识别的期限" in str(caught.value)


def test_impossible_plain_date_is_refused_by_the_model() -> None:
    with pytest.raises(ValidationError) as caught:
        campaign([{"id": "x", "due": "2023-02-30"}])
    assert "日期无效：2023-02-30" in str(caught.value)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2024-04-30 + 5 workdays", D(2024, 5, 10)),  # 劳动节 1–5 May: Mon 6 … Fri 10
        ("2024-04-30 - 2 days", D(2024, 4, 28)),
        ("2024-05-06 - 1 workday", D(2024, 4, 30)),
        ("2024-04-30 + 0 days", D(2024, 4, 30)),
        ("2024-04-30", D(2024, 4, 30)),
    ],
)
def test_date_anchored(expression: str, expected: dt.date) -> None:
    due, errors = resolve([{"id": "x", "due": expression}], window=("2024-04-01", "2024-05-31"))
    assert errors == {}
    assert due["x"] == expected


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("2024-02-30 + 5 workdays", "日期无效：2024-02-30（应为 2023-03-15 这样的日期，再加减天数"),
        ("2024-04-30 + five days", "日期之后只能加减天数，如 2024-04-30 + 5 workdays"),
        ("next friday", "2024-04-30 + 5 workdays"),
    ],
)
def test_a_date_expression_that_fails_says_what_is_allowed(expression: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace("+", r"\+")):
        campaign([{"id": "x", "due": expression}])
