"""campaignflow.metrics (and metric_values, rules' targets): each kind of metric over rows filed
through the importer, on SQLite and PostgreSQL — counts, sums, distinct values, rates, days and
spans, groups in declared order, rows dated after the as-of date left out, states read back to
the date, withdrawn rows never counted, a corrected row counted once with its new value — and a
property: on random datasets (fixed seeds) every figure equals a count made in Python."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from sqlalchemy import select
from unit_support import BRANCHES, day, feedback, fix, meeting, problem, visit

from campaignflow import db
from campaignflow.anonymity import Suppressed
from campaignflow.collect.lifecycle import restore, withdraw
from campaignflow.figures import number_text
from campaignflow.metric_values import NO_VALUE, number, ratio
from campaignflow.metrics import (
    combine,
    compute_metrics,
    compute_metrics_by_unit,
    definition,
    depends_on_state,
    form_ids,
    metric_kind,
    unit_parts,
)
from campaignflow.progress import progress_by_stage
from campaignflow.spec.models import Metric

END = day("2023-06-30")


def values(c, as_of: dt.date = END) -> dict:
    return {
        k: v.value
        for k, v in compute_metrics(engine=c.engine, loaded=c.loaded, as_of=as_of).items()
    }


# ---------------------------------------------------------------- counts, sums, distinct


MEETINGS = [
    meeting("2023-03-02", "一支部", "学习条例", 12, "张三"),
    meeting("2023-03-09", "一支部", "专题党课", 20, "李四", kind="党课"),
    meeting("2023-03-16", "二支部", "学习条例", 7, "张三"),
    meeting("2023-03-23", "三支部", "专题党课", "", "", kind="党课"),
    meeting("2023-04-06", "三支部", "支委会四月", 9, "王五"),
]


def _expected(rows: list[dict]) -> dict:
    return {
        "held": len(rows),
        "lectures": sum(r["活动类型"] == "党课" for r in rows),
        "attendance": sum(int(r["参加人数"]) for r in rows if r["参加人数"] != ""),
        "speakers": len({r["主讲人"] for r in rows if r["主讲人"]}),
    }


def test_count_where_sum_and_distinct_follow_the_rows(campaign):
    campaign.file("meetings", MEETINGS)
    got = values(campaign)
    want = _expected(MEETINGS)
    assert {k: got[k] for k in want} == want
    assert want == {"held": 5, "lectures": 2, "attendance": 48, "speakers": 3}  # the data's own
    # one more row changes every figure it touches, and only those
    more = [*MEETINGS, meeting("2023-04-13", "二支部", "党课二", 30, "赵六", kind="党课")]
    campaign.file("meetings", more)
    got = values(campaign)
    assert {k: got[k] for k in want} == _expected(more)


def test_values_carry_title_unit_and_kind(campaign, loaded):
    campaign.file("meetings", MEETINGS[:2])
    found = compute_metrics(engine=campaign.engine, loaded=loaded, as_of=END)
    assert list(found) == list(loaded.spec.metrics)  # every declared metric, in its order
    held = found["held"]
    assert (held.id, held.title, held.unit, held.kind, held.value) == (
        "held",
        "会议",
        "次",
        "count",
        2,
    )
    assert found["by_type"].title == "by_type"  # no title: the id
    for metric_id, value in found.items():
        assert value.kind == metric_kind(loaded.spec.metrics[metric_id])
    assert [found[k].kind for k in ("attendance", "speakers", "satisfied", "meeting_days", "longest")] == [
        "sum", "distinct", "rate", "days", "span"]  # fmt: skip


def test_days_add_up_and_span_is_the_longest(campaign):
    rows = [
        meeting("2023-03-06", "一支部", "读书班", 30, end="2023-03-10"),  # 5 days
        meeting("2023-03-20", "二支部", "一天", 10),  # no end: 1 day
        meeting("2023-04-03", "三支部", "跨月", 8, end="2023-04-04"),  # 2 days
        meeting("2023-04-10", "三支部", "倒填", 8, end="2023-04-08"),  # ends before: 1 day
    ]
    campaign.file("meetings", rows)

    def days(r) -> int:
        end = r["结束日期"] or r["日期"]
        return max((day(end) - day(r["日期"])).days + 1, 1)

    got = values(campaign)
    assert got["meeting_days"] == sum(days(r) for r in rows) == 9
    assert got["longest"] == max(days(r) for r in rows) == 5
    # as of a day inside the 读书班, the row (dated by its start) counts whole
    early = values(campaign, day("2023-03-07"))
    assert (early["meeting_days"], early["longest"]) == (5, 5)
    assert (values(campaign, day("2023-03-05"))["meeting_days"]) == 0


# ---------------------------------------------------------------- groups


def test_groups_come_in_declared_order_with_zeros_then_the_rest(campaign):
    rows = [meeting("2023-03-02", "三支部", f"党课{i}", 5, kind="党课") for i in range(3)]
    rows.append(meeting("2023-03-03", "一支部", "会", 5))
    campaign.file("meetings", rows)
    campaign.file(
        "problems",
        [problem("P1", "二支部", "丙"), problem("P2", "", ""), problem("P3", "一支部", "丙")],
    )
    campaign.file("visits", [visit("V1", visited="是"), visit("V2", visited="是")])
    got = values(campaign)
    # a choice: every declared choice, zeros included, in the declared order
    assert list(got["by_type"].items()) == [("支委会", 1), ("党课", 3)]
    # units: only those with rows, in the spec's order (not the order the rows came in)
    assert list(got["by_unit"].items()) == [("一支部", 1), ("三支部", 3)]
    # a value not given comes after the declared ones, shown as （空）
    assert list(got["by_category"].items()) == [("甲", 0), ("乙", 0), ("丙", 2), (NO_VALUE, 1)]
    # yes/no in Chinese, both shown
    assert got["visited_by"] == {"是": 2, "否": 0}
    assert sum(got["by_type"].values()) == got["held"]


def test_a_state_group_is_read_as_of_the_date(campaign):
    campaign.file("problems", [problem("P1", found="2023-05-02")])
    campaign.file(
        "fixes",
        [
            fix("F1", "P1", "已完成", closed="2023-06-10"),
            fix("F2", "P1", "巩固", closed="2023-05-10", review="2023-06-20"),
            fix("F3", "P1", "未启动"),
        ],
    )
    june = values(campaign, day("2023-06-30"))["fixes_by_state"]
    may = values(campaign, day("2023-05-15"))["fixes_by_state"]
    assert {k: v for k, v in june.items() if v} == {"未启动": 1, "已完成": 1, "巩固": 1}
    # on 05-15 F1 was not yet closed (整改中), F2 closed but not yet reviewed (已完成)
    assert {k: v for k, v in may.items() if v} == {"未启动": 1, "整改中": 1, "已完成": 1}
    assert list(june) == ["未启动", "整改中", "已完成", "巩固", "长期坚持"]


# ---------------------------------------------------------------- as of a date


def test_a_measure_is_dated_by_its_problem(campaign):
    """A rectification has no date of its own: it counts once its problem was found."""
    campaign.file(
        "problems", [problem("P1", found="2023-05-02"), problem("P2", found="2023-05-20")]
    )
    campaign.file(
        "fixes", [fix("F1", "P1", "整改中"), fix("F2", "P2", "整改中"), fix("F3", "P2", "未启动")]
    )
    for as_of, found, measures in (
        ("2023-05-01", 0, 0),
        ("2023-05-02", 1, 1),
        ("2023-05-20", 2, 3),
    ):
        got = values(campaign, day(as_of))
        assert (got["problems_found"], sum(got["fixes_by_state"].values())) == (found, measures)


def test_rows_dated_after_the_date_do_not_count(campaign):
    campaign.file("meetings", MEETINGS)
    dates = sorted({day(r["日期"]) for r in MEETINGS})
    for as_of in [
        dates[0] - dt.timedelta(days=1),
        *dates,
        *(d + dt.timedelta(days=1) for d in dates),
    ]:
        rows = [r for r in MEETINGS if day(r["日期"]) <= as_of]  # on the date itself: counted
        got = values(campaign, as_of)
        want = _expected(rows)
        assert {k: got[k] for k in want} == want, as_of


def test_undated_rows_count_on_every_date(campaign):
    campaign.file(
        "visits",
        [
            visit("V1", "2023-05-01", "一支部", "是", "1.5"),
            visit("V2", "", "", "否", "2"),
            visit("V3", "2023-06-01", "二支部", "是", "0.5"),
        ],
    )
    assert values(campaign, day("2023-04-01"))["visited_by"] == {"是": 0, "否": 1}
    assert values(campaign, day("2023-05-01"))["visited_by"] == {"是": 1, "否": 1}
    assert values(campaign, day("2023-06-01"))["hours"] == 4


def test_states_and_rates_are_read_back_to_the_date(campaign):
    rows = [
        feedback("Q1", "2023-05-01", "已回复", "2023-06-10", "满意"),
        feedback("Q2", "2023-05-01", "已办结", "", "不满意"),
        feedback("Q3", "2023-05-03", "处理中"),
        feedback("Q4", "2023-05-04", "已回复", "2023-05-08", "满意"),
        feedback("Q5", "2023-06-20", "已办结", "", "满意"),
    ]
    campaign.file("feedback", rows)

    def state(r: dict, as_of: dt.date) -> str:  # 已回复 before its 回复日期 was 处理中
        if r["办理状态"] == "已回复" and day(r["回复日期"]) > as_of:
            return "处理中"
        return r["办理状态"]

    for as_of in map(day, ("2023-04-30", "2023-05-07", "2023-05-08", "2023-06-09", "2023-06-30")):
        current = [r for r in rows if day(r["收到日期"]) <= as_of]
        base = [r for r in current if state(r, as_of) in ("已办结", "已回复")]
        hits = [r for r in base if r["满意度"] == "满意"]
        got = values(campaign, as_of)
        assert got["replied"] == sum(state(r, as_of) == "已回复" for r in current), as_of
        assert got["satisfied"] == (len(hits) / len(base) if base else None), as_of
    assert values(campaign, day("2023-06-09"))["satisfied"] == 1 / 2
    assert values(campaign, day("2023-06-30"))["satisfied"] == 3 / 4


def test_a_rate_is_unrounded_and_none_on_an_empty_base(campaign):
    assert values(campaign)["satisfied"] is None
    campaign.file(
        "feedback",
        [
            feedback("Q1", "2023-05-01", "已办结", "", "满意"),
            feedback("Q2", "2023-05-01", "已办结", "", "基本满意"),
            feedback("Q3", "2023-05-01", "已办结", "", "不满意"),
        ],
    )
    assert values(campaign)["satisfied"] == 1 / 3  # not 0.33
    assert ratio(0, 0) is None and ratio(None, 4) == 0.0 and ratio(3, 4) == 0.75


# ---------------------------------------------------------------- withdrawn and corrected rows


def test_withdrawn_rows_never_count_and_restored_rows_count_again(campaign, loaded):
    campaign.file("meetings", MEETINGS)
    full = values(campaign)
    # 一支部 re-files its sheet with only its first row: the other is withdrawn
    mine = [r for r in MEETINGS if r["党组织"] == "一支部"]
    result = campaign.file("meetings", mine[:1], unit="一支部")
    assert result.withdrawn == 1
    kept = [r for r in MEETINGS if r is not mine[1]]
    got = values(campaign)
    assert {k: got[k] for k in _expected(kept)} == _expected(kept)
    assert got["by_unit"]["一支部"] == 1
    # withdrawing 三支部 altogether: its group is gone, its rows no longer count
    done = withdraw(
        engine=campaign.engine, loaded=loaded, form_id="meetings", units=["三支部"], actor="t"
    )
    left = [r for r in kept if r["党组织"] != "三支部"]
    got = values(campaign)
    assert {k: got[k] for k in _expected(left)} == _expected(left)
    assert "三支部" not in got["by_unit"]
    restore(engine=campaign.engine, loaded=loaded, filing_id=done.filing, actor="t")
    got = values(campaign)
    assert {k: got[k] for k in _expected(kept)} == _expected(kept)
    assert full["held"] == len(MEETINGS) == got["held"] + 1


def test_a_corrected_row_counts_once_with_its_corrected_value(campaign):
    campaign.file("meetings", MEETINGS)
    corrected = [dict(r) for r in MEETINGS]
    corrected[0]["参加人数"] = 40  # same meeting (date, unit, type, title): an update
    corrected[4]["主讲人"] = "张三"  # 王五 was this meeting's only speaker
    result = campaign.file("meetings", corrected)
    assert (result.inserted, result.updated, result.withdrawn) == (0, 2, 0)
    got = values(campaign)
    assert {k: got[k] for k in _expected(corrected)} == _expected(corrected)
    assert got["attendance"] == _expected(MEETINGS)["attendance"] + 40 - 12
    assert got["speakers"] == _expected(MEETINGS)["speakers"] - 1
    assert got["held"] == len(MEETINGS)


def test_withdrawing_a_problem_takes_its_measures_out_of_the_counts(campaign):
    campaign.file("problems", [problem("P1", "一支部", "甲"), problem("P2", "一支部", "乙")])
    campaign.file(
        "fixes",
        [
            fix("F1", "P1", "已完成", closed="2023-05-20"),
            fix("F2", "P2", "已完成", closed="2023-05-21"),
            fix("F3", "P2", "整改中"),
        ],
    )
    assert (values(campaign)["problems_found"], values(campaign)["fixes_closed"]) == (2, 2)
    campaign.file("problems", [problem("P1", "一支部", "甲")], unit="一支部")  # P2 withdrawn
    got = values(campaign)
    assert (got["problems_found"], got["fixes_closed"]) == (1, 1)
    assert sum(got["fixes_by_state"].values()) == 1


# ---------------------------------------------------------------- per unit, parts


def test_metrics_by_unit_count_each_units_own_rows(campaign, loaded):
    campaign.file("meetings", MEETINGS)
    per_unit = compute_metrics_by_unit(
        engine=campaign.engine, loaded=loaded, as_of=END, units=list(BRANCHES)
    )
    assert list(per_unit) == list(BRANCHES)
    for key, name in BRANCHES.items():
        want = _expected([r for r in MEETINGS if r["党组织"] == name])
        got = {k: v.value for k, v in per_unit[key].items()}
        assert {k: got[k] for k in want} == want, name
        assert got["satisfied"] is None  # no feedback rows: no rate
        assert got["by_type"] == {
            k: sum(r["活动类型"] == k and r["党组织"] == name for r in MEETINGS)
            for k in ("支委会", "党课")
        }
    # the parts add up to the whole
    total = sum(per_unit[k]["held"].value for k in BRANCHES)
    assert total == values(campaign)["held"]


def test_unit_parts_combine_to_the_campaigns_figure(campaign, loaded):
    campaign.file("meetings", MEETINGS)
    campaign.file(
        "feedback",
        [
            feedback("Q1", "2023-05-01", "已办结", "", "满意"),
            feedback("Q2", "2023-05-02", "已办结", "", "不满意"),
        ],
    )
    whole = values(campaign)
    with db.read_session(campaign.engine) as session:
        forms = form_ids(session, loaded)
        for metric_id in ("held", "attendance", "speakers", "satisfied", "longest", "meeting_days"):
            metric = loaded.spec.metrics[metric_id]
            parts = unit_parts(session, loaded, forms, metric, END)
            assert combine(metric_kind(metric), parts.values()) == whole[metric_id], metric_id
    assert (
        combine("rate", []) is None and combine("count", []) == 0 and combine("distinct", []) == 0
    )
    assert combine("distinct", [{"a", "b"}, {"b", "c"}]) == 3  # a value in two units counts once
    assert combine("rate", [(1, 2), (2, 2)]) == 3 / 4  # hits and rows added, not the rates
    assert combine("span", [3, 7, 2]) == 7


def test_unit_parts_by_date_and_for_some_units(campaign, loaded):
    campaign.file("meetings", MEETINGS)
    with db.read_session(campaign.engine) as session:
        forms = form_ids(session, loaded)
        unit_id = dict(session.execute(select(db.Unit.key, db.Unit.id)).all())
        metric = loaded.spec.metrics["attendance"]
        dated = unit_parts(session, loaded, forms, metric, END, dated=True)
        some = unit_parts(session, loaded, forms, metric, END, unit_ids=[unit_id["b1"]])
    want = Counter()
    for r in MEETINGS:
        want[(unit_id[{v: k for k, v in BRANCHES.items()}[r["党组织"]]], day(r["日期"]))] += (
            int(r["参加人数"]) if r["参加人数"] != "" else 0
        )
    assert dated == dict(want)
    assert some == {unit_id["b1"]: sum(v for (u, _d), v in want.items() if u == unit_id["b1"])}


# ---------------------------------------------------------------- targets (rules.py)


def test_a_target_is_reached_on_the_date_of_the_row_that_reaches_it(campaign, loaded):
    rows = [
        meeting("2023-03-02", "一支部", "一", 5),
        meeting("2023-03-20", "一支部", "二", 5),
        meeting("2023-04-10", "一支部", "三", 5),
        meeting("2023-03-10", "二支部", "一", 5),
        meeting("2023-05-10", "二支部", "二", 5),  # after the due date (04-28)
    ]
    campaign.file("meetings", rows)
    at_least = loaded.spec.measures[0].target.at_least
    for as_of in map(day, ("2023-03-15", "2023-03-20", "2023-04-27", "2023-05-02", "2023-05-10")):
        items = {
            i.unit_name: i
            for i in progress_by_stage(engine=campaign.engine, loaded=loaded, as_of=as_of)[
                "p1"
            ].items
        }
        for name in BRANCHES.values():
            dates = sorted(
                day(r["日期"]) for r in rows if r["党组织"] == name and day(r["日期"]) <= as_of
            )
            item = items[name]
            assert item.measured == len(dates), (name, as_of)
            assert item.done == (len(dates) >= at_least), (name, as_of)
            assert item.done_on == (dates[int(at_least) - 1] if item.done else None), (name, as_of)
            if not item.done:
                assert item.state == ("逾期" if as_of > item.due else "进行中"), (name, as_of)
    # 二支部 reached it after the due date: done since 05-10, 三支部 never
    last = {
        i.unit_name: i
        for i in progress_by_stage(engine=campaign.engine, loaded=loaded, as_of=END)["p1"].items
    }
    assert (last["二支部"].done_on, last["三支部"].done, last["三支部"].state) == (
        day("2023-05-10"),
        False,
        "逾期",
    )


def test_a_target_no_longer_met_after_a_withdrawal(campaign, loaded):
    rows = [meeting("2023-03-02", "一支部", "一", 5), meeting("2023-03-20", "一支部", "二", 5)]
    campaign.file("meetings", rows)

    def done() -> bool:
        (item,) = [
            i
            for i in progress_by_stage(engine=campaign.engine, loaded=loaded, as_of=END)["p1"].items
            if i.unit == "b1"
        ]
        return item.done

    assert done()
    campaign.file("meetings", rows[:1], unit="一支部")
    assert not done()


# ---------------------------------------------------------------- definitions, state, numbers


def test_a_rates_definition_says_its_conditions(loaded):
    assert definition(loaded, loaded.spec.metrics["satisfied"]) == (
        "满意率 = 其中满意度为“满意”的 ÷ 办理状态为“已办结、已回复”的群众评议"
    )
    other = Metric.model_validate(
        {"rate": {"form": "visits", "where": {"visited": False, "hours": [1, 2]}}}
    )
    assert definition(loaded, other) == "比率 = 其中已走访为“否”且时长为“1、2”的 ÷ 全部走访"
    assert definition(loaded, loaded.spec.metrics["held"]) == ""  # not a rate


def test_depends_on_state_only_when_a_state_is_read(loaded):
    m = loaded.spec.metrics
    assert depends_on_state(loaded, m["replied"]) and depends_on_state(loaded, m["satisfied"])
    assert depends_on_state(loaded, m["fixes_closed"]) and depends_on_state(
        loaded, m["fixes_by_state"]
    )
    assert not any(
        depends_on_state(loaded, m[k]) for k in ("held", "by_type", "problems_found", "hours")
    )
    rated = Metric.model_validate({"rate": {"form": "feedback", "where": {"status": "已回复"}}})
    assert depends_on_state(loaded, rated)


def test_numbers_are_ints_when_whole(campaign):
    campaign.file(
        "visits", [visit("V1", hours="1.5"), visit("V2", hours="2.5"), visit("V3", hours="0.25")]
    )
    got = values(campaign)["hours"]
    assert got == 4.25 and isinstance(got, float)
    campaign.file("visits", [visit("V1", hours="1.5"), visit("V2", hours="2.5")])
    got = values(campaign)["hours"]
    assert got == 4 and isinstance(got, int)
    assert number(None) == 0 and number(3.0) == 3 and isinstance(number(3.0), int)


def test_a_sum_is_rounded_once_half_up_where_printed(campaign):
    campaign.file("visits", [visit("V1", hours="1.5"), visit("V2", hours="0.125")])
    assert number_text(values(campaign)["hours"]) == number_text(1.5 + 0.125) == "1.63"


def test_a_suppressed_value_is_not_a_number():
    assert str(Suppressed(3)) == "（少于 3 人，不单列）"
    assert not isinstance(Suppressed(3), int | float)


# ---------------------------------------------------------------- property


DATES = [day("2023-03-01") + dt.timedelta(days=4 * i) for i in range(16)]  # 03-01 … 05-30
AS_OF = [day("2023-03-01"), day("2023-03-20"), day("2023-04-28"), day("2023-05-31")]
TITLES = ["学习", "研讨", "党课"]
SPEAKERS = ["张三", "李四", "王五", ""]


def _random_sheets(rng: random.Random, before: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Each branch's next sheet of meetings: of its previous sheet's rows, some kept as they
    were, some corrected (attendees, speaker), the rest left out (withdrawn); 0-4 rows added."""
    sheets = {}
    for name in BRANCHES.values():
        rows = {}
        for row in before.get(name, []):
            fate = rng.random()
            key = (row["日期"], row["活动类型"], row["主题"])
            if fate < 0.35:
                rows[key] = row
            elif fate < 0.7:
                rows[key] = {**row, "参加人数": rng.randint(0, 40), "主讲人": rng.choice(SPEAKERS)}
        for _ in range(rng.randint(0, 4)):
            start = rng.choice(DATES)
            end = (
                start + dt.timedelta(days=rng.choice([0, 0, 1, 4])) if rng.random() < 0.5 else None
            )
            kind = rng.choice(["支委会", "党课"])
            title = rng.choice(TITLES)
            rows[(start.isoformat(), kind, title)] = meeting(
                start.isoformat(), name, title, rng.choice(["", *range(0, 31)]),
                rng.choice(SPEAKERS), kind=kind, end=end.isoformat() if end else "",
            )  # fmt: skip
        sheets[name] = list(rows.values())
    return sheets


def _model(rows: list[dict], as_of: dt.date) -> dict:
    rows = [r for r in rows if day(r["日期"]) <= as_of]

    def days(r) -> int:
        return (day(r["结束日期"] or r["日期"]) - day(r["日期"])).days + 1

    by_unit = Counter(r["党组织"] for r in rows)
    return {
        **_expected(rows),
        "by_type": {k: sum(r["活动类型"] == k for r in rows) for k in ("支委会", "党课")},
        "by_unit": {n: by_unit[n] for n in BRANCHES.values() if by_unit[n]},
        "meeting_days": sum(days(r) for r in rows),
        "longest": max((days(r) for r in rows), default=0),
    }


@pytest.mark.parametrize("seed", [7, 2023])
def test_metrics_equal_a_count_in_python_on_random_sheets(campaign, loaded, seed):
    rng = random.Random(seed)
    sheets: dict[str, list[dict]] = {}
    for _round in range(4):  # each round every branch re-files its whole sheet (replace)
        sheets = _random_sheets(rng, sheets)
        for name, rows in sheets.items():
            campaign.file("meetings", rows, unit=name)
        current = [r for rows in sheets.values() for r in rows]
        for as_of in AS_OF:
            want = _model(current, as_of)
            got = values(campaign, as_of)
            assert {k: got[k] for k in want} == want, (seed, _round, as_of)
            per_unit = compute_metrics_by_unit(
                engine=campaign.engine, loaded=loaded, as_of=as_of, units=list(BRANCHES)
            )
            for key, name in BRANCHES.items():
                mine = _model([r for r in current if r["党组织"] == name], as_of)
                assert per_unit[key]["held"].value == mine["held"]
                assert per_unit[key]["attendance"].value == mine["attendance"]
                assert per_unit[key]["longest"].value == mine["longest"]
            items = progress_by_stage(engine=campaign.engine, loaded=loaded, as_of=as_of)[
                "p1"
            ].items
            assert {i.unit_name: i.done for i in items} == {
                name: _model([r for r in current if r["党组织"] == name], as_of)["held"] >= 2
                for name in BRANCHES.values()
            }
