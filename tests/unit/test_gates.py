"""campaignflow.gates: each kind of gate condition (every measure done, a sign-off by the role
named, metric minimums), passing and failing, with the text it gives; which gates a stage is
judged by (the phase before's exit, its own entry; tracks none); sign-offs as of a date, on
SQLite and PostgreSQL; and the gate of a snapshot following the data and the date."""

from __future__ import annotations

import datetime as dt

import pytest
from unit_support import BRANCHES, day, meeting, problem

from campaignflow.anonymity import Suppressed
from campaignflow.gates import (
    GateError,
    check_exit,
    check_gate,
    record_declined,
    sign_off,
    signed_off,
    signoffs,
)
from campaignflow.metrics import MetricValue
from campaignflow.progress import AssignmentStatus, Progress
from campaignflow.snapshot import take_snapshot
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_root


def status(unit: str, done: bool, title: str = "开会", stage: str = "p1") -> AssignmentStatus:
    return AssignmentStatus(
        measure="meet", title=title, stage=stage, unit=unit, unit_name=unit, due=None,
        done=done, done_on=None, state="已完成" if done else "进行中", workdays_overdue=0,
        evidence=[],
    )  # fmt: skip


def progress(stage: str, done: dict[str, bool]) -> Progress:
    return Progress.of(stage, [status(unit, ok, stage=stage) for unit, ok in done.items()])


ALL_DONE = {name: True for name in BRANCHES.values()}


def metric(metric_id: str, value, loaded) -> MetricValue:
    spec = loaded.spec.metrics[metric_id]
    return MetricValue(metric_id, spec.title or metric_id, value, spec.unit, "count")


def metrics(loaded, **given) -> dict[str, MetricValue]:
    return {k: metric(k, v, loaded) for k, v in given.items()}


def p1_exit(loaded):
    return loaded.spec.phases[0].exit


def judge_exit(loaded, done=ALL_DONE, signed=None, **values):
    return check_exit(
        loaded=loaded,
        stage="p1",
        progress={"p1": progress("p1", done), "p2": progress("p2", {})},
        signoffs={"p1": signed, "p2": None},
        metrics=metrics(loaded, **values),
    )


SIGNED = {"by": "张三", "remarks": "同意", "on": "2023-04-30"}


# ---------------------------------------------------------------- each condition


def test_a_gate_with_every_condition_met_passes(loaded):
    gate = p1_exit(loaded)
    result = judge_exit(loaded, signed=SIGNED, held=gate.metrics["held"], attendance=45)
    assert result.passed and result.reasons == []
    assert result.checks == [
        ("学习出口：措施全部完成", True, f"已完成{len(BRANCHES)}/{len(BRANCHES)}项"),
        ("学习出口：支部书记签批", True, "张三已于2023年4月30日签批"),
        ("学习出口：会议不少于3次", True, "当前为3次"),
        ("学习出口：参加人次不少于40人次", True, "当前为45人次"),
    ]
    assert (gate.sign_off, gate.metrics) == ("支部书记", {"held": 3, "attendance": 40})


def test_open_measures_fail_the_gate_and_are_named(loaded):
    done = {"一支部": True, "二支部": False, "三支部": False}
    result = judge_exit(loaded, done=done, signed=SIGNED, held=9, attendance=99)
    assert not result.passed
    assert result.reasons == [
        "学习出口：措施全部完成：已完成1/3项，未完成：开会（二支部）、开会（三支部）"
    ]


@pytest.mark.parametrize("open_", [5, 6, 9])
def test_at_most_five_open_measures_are_named(loaded, open_):
    done = {f"{i}支部": i >= open_ for i in range(open_ + 2)}
    result = judge_exit(loaded, done=done, signed=SIGNED, held=9, attendance=99)
    (detail,) = [d for name, ok, d in result.checks if not ok]
    named = detail.split("未完成：", 1)[1]
    assert named.removesuffix("等").split("、") == [
        f"开会（{i}支部）" for i in range(min(open_, 5))
    ]
    assert named.endswith("等") == (open_ > 5)
    assert detail.startswith(f"已完成2/{open_ + 2}项")


def test_a_missing_sign_off_says_who_must_sign(loaded):
    result = judge_exit(loaded, signed=None, held=9, attendance=99)
    assert not result.passed
    assert result.reasons == ["学习出口：支部书记签批：待支部书记签批"]
    signed = judge_exit(
        loaded, signed={"by": "李四", "remarks": "", "on": "2023-05-02"}, held=9, attendance=99
    )
    assert signed.passed and signed.checks[1][2] == "李四已于2023年5月2日签批"


@pytest.mark.parametrize("held", [0, 2, 3, 4, 2.5, 3.0])
def test_a_metric_minimum_passes_at_the_minimum_and_above(loaded, held):
    minimum = p1_exit(loaded).metrics["held"]
    result = judge_exit(loaded, signed=SIGNED, held=held, attendance=40)
    (check,) = [c for c in result.checks if c[0] == "学习出口：会议不少于3次"]
    assert check[1] == (held >= minimum) == result.passed
    shown = str(int(held)) if float(held).is_integer() else str(held)
    assert check[2] == f"当前为{shown}次"
    if held < minimum:
        assert result.reasons == [f"学习出口：会议不少于3次：当前为{shown}次"]


@pytest.mark.parametrize(
    "value", [None, {"一支部": 5}, Suppressed(3)], ids=["no-rate", "grouped", "suppressed"]
)
def test_a_metric_without_a_number_fails_as_no_data(loaded, value):
    result = judge_exit(loaded, signed=SIGNED, held=value, attendance=40)
    assert result.reasons == ["学习出口：会议不少于3次：当前为无数据"]  # no unit after 无数据


def test_a_metric_not_computed_fails_under_its_id(loaded):
    result = check_exit(
        loaded=loaded,
        stage="p1",
        progress={"p1": progress("p1", ALL_DONE)},
        signoffs={"p1": SIGNED},
        metrics=metrics(loaded, held=3),  # no attendance
    )
    assert result.reasons == ["学习出口：attendance不少于40：当前为无数据"]


# ---------------------------------------------------------------- which gates a stage has


def test_the_first_phase_has_no_gate_in(loaded):
    result = check_gate(loaded=loaded, stage="p1", progress={}, signoffs={}, metrics={})
    assert (result.stage, result.passed, result.checks) == ("p1", True, [])


def test_a_phase_is_judged_by_the_exit_before_it_and_its_own_entry(loaded):
    def judge(found: int, signed) -> tuple:
        result = check_gate(
            loaded=loaded,
            stage="p2",
            progress={"p1": progress("p1", ALL_DONE), "p2": progress("p2", {})},
            signoffs={"p1": signed, "p2": None},
            metrics=metrics(loaded, held=5, attendance=50, problems_found=found),
        )
        return result

    minimum = loaded.spec.phases[1].entry.metrics["problems_found"]
    result = judge(minimum - 1, SIGNED)
    assert [name for name, _ok, _d in result.checks] == [
        "学习出口：措施全部完成",
        "学习出口：支部书记签批",
        "学习出口：会议不少于3次",
        "学习出口：参加人次不少于40人次",
        "整改入口：查找问题不少于2条",
    ]
    assert not result.passed and result.reasons == [
        f"整改入口：查找问题不少于2条：当前为{minimum - 1}条"
    ]
    assert judge(minimum, SIGNED).passed
    unsigned = judge(minimum, None)
    assert not unsigned.passed and unsigned.reasons == ["学习出口：支部书记签批：待支部书记签批"]
    # the phase's own exit is not part of its way in, only of check_exit
    exit_ = check_exit(
        loaded=loaded, stage="p2", progress={"p2": progress("p2", {})}, signoffs={}, metrics={}
    )
    assert exit_.checks == [("整改出口：党委书记签批", False, "待党委书记签批")]


def test_an_empty_stage_has_all_its_measures_done(loaded):
    result = check_exit(
        loaded=loaded,
        stage="p1",
        progress={"p1": progress("p1", {})},
        signoffs={"p1": SIGNED},
        metrics=metrics(loaded, held=3, attendance=40),
    )
    assert result.passed and result.checks[0] == ("学习出口：措施全部完成", True, "已完成0/0项")


def test_tracks_run_in_parallel_without_gates():
    loaded = load(shipped_root() / "theme-education-2023" / "campaign.yaml")
    assert not loaded.spec.staged and len(loaded.spec.stages) > 1
    for stage in loaded.spec.stages:
        for check in (check_gate, check_exit):
            result = check(loaded=loaded, stage=stage.id, progress={}, signoffs={}, metrics={})
            assert (result.passed, result.checks) == (True, []), stage.id


# ---------------------------------------------------------------- sign-offs as of a date


def _sign(campaign, loaded, stage: str, by: str, on: str, remarks: str = "") -> None:
    sign_off(engine=campaign.engine, loaded=loaded, stage=stage, by=by, remarks=remarks,
             on=day(on), actor="t")  # fmt: skip


def test_a_sign_off_counts_from_its_date(campaign, loaded):
    engine = campaign.engine
    _sign(campaign, loaded, "p1", "张三", "2023-04-30", remarks="同意")
    assert signed_off(engine=engine, loaded=loaded, stage="p1", as_of=day("2023-04-29")) is None
    want = {"by": "张三", "remarks": "同意", "on": "2023-04-30"}
    assert signed_off(engine=engine, loaded=loaded, stage="p1", as_of=day("2023-04-30")) == want
    assert signoffs(engine=engine, loaded=loaded, as_of=day("2023-05-01")) == {
        "p1": want,
        "p2": None,
    }
    assert signoffs(engine=engine, loaded=loaded, as_of=day("2023-04-01")) == {
        "p1": None,
        "p2": None,
    }


def test_the_latest_sign_off_on_or_before_the_date_is_the_one(campaign, loaded):
    engine = campaign.engine
    for by, on in (("张三", "2023-04-20"), ("李四", "2023-05-03")):
        sign_off(engine=engine, loaded=loaded, stage="p2", by=by, remarks=by, on=day(on), actor="t")
    seen = {
        as_of: (signed_off(engine=engine, loaded=loaded, stage="p2", as_of=day(as_of)) or {}).get(
            "by"
        )
        for as_of in ("2023-04-19", "2023-04-20", "2023-05-02", "2023-05-03", "2023-06-30")
    }
    assert seen == {"2023-04-19": None, "2023-04-20": "张三", "2023-05-02": "张三",
                    "2023-05-03": "李四", "2023-06-30": "李四"}  # fmt: skip
    assert signed_off(engine=engine, loaded=loaded, stage="p1", as_of=day("2023-06-30")) is None


def test_the_sign_off_dated_last_counts_whatever_order_they_were_recorded_in(campaign, loaded):
    engine = campaign.engine
    for by, on in (("李四", "2023-05-03"), ("张三", "2023-04-20")):  # back-dated one recorded last
        sign_off(engine=engine, loaded=loaded, stage="p2", by=by, remarks="", on=day(on), actor="t")
    found = signed_off(engine=engine, loaded=loaded, stage="p2", as_of=day("2023-06-30"))
    assert found["by"] == "李四"


def test_a_signoff_sheet_imported_twice_changes_nothing(campaign, loaded):
    from unit_support import write_csv

    from campaignflow.collect.signoff_sheet import import_signoffs

    path = write_csv(
        campaign.tmp / "signoff.csv",
        ["阶段", "签批人", "签批日期", "意见"],
        [
            {"阶段": "整改", "签批人": "李四", "签批日期": "2023-05-03", "意见": ""},
            {"阶段": "整改", "签批人": "张三", "签批日期": "2023-04-20", "意见": ""},
        ],
    )
    first = import_signoffs(engine=campaign.engine, loaded=loaded, path=path)
    assert (first.rows, first.inserted) == (2, 2)
    again = import_signoffs(engine=campaign.engine, loaded=loaded, path=path)
    assert (again.inserted, again.unchanged) == (0, 2)


def test_a_declined_sign_off_is_not_a_sign_off(campaign, loaded):
    engine = campaign.engine
    record_declined(
        engine=engine,
        loaded=loaded,
        stage="p1",
        by="支部书记",
        reason="超时未签批",
        on=day("2023-04-30"),
        actor="ui",
    )
    assert signed_off(engine=engine, loaded=loaded, stage="p1", as_of=day("2023-06-30")) is None


def test_a_sign_off_of_an_unknown_phase_is_refused(campaign, loaded):
    with pytest.raises(GateError, match="没有阶段 p9（可选：p1、p2）"):
        _sign(campaign, loaded, "p9", "张三", "2023-04-30")


# ---------------------------------------------------------------- the snapshot's gate


def test_the_snapshots_gate_follows_the_data_and_the_date(campaign, loaded):
    rows = [
        meeting("2023-03-02", "一支部", "一", 10),
        meeting("2023-03-09", "一支部", "二", 10),
        meeting("2023-03-16", "二支部", "一", 10),
        meeting("2023-04-06", "二支部", "二", 10),
        meeting("2023-03-23", "三支部", "一", 5),
        meeting("2023-04-20", "三支部", "二", 5),
    ]
    campaign.file("meetings", rows)
    campaign.file(
        "problems", [problem("P1", found="2023-04-10"), problem("P2", found="2023-05-02")]
    )
    signed_on = day("2023-04-25")
    _sign(campaign, loaded, "p1", "张三", signed_on.isoformat())
    gate, entry = p1_exit(loaded), loaded.spec.phases[1].entry

    for as_of in map(day, ("2023-03-31", "2023-04-10", "2023-04-20", "2023-04-25", "2023-05-02")):
        current = [r for r in rows if day(r["日期"]) <= as_of]
        per_branch = {n: sum(r["党组织"] == n for r in current) for n in BRANCHES.values()}
        problems = sum(d <= as_of for d in (day("2023-04-10"), day("2023-05-02")))
        want = [
            all(n >= 2 for n in per_branch.values()),
            signed_on <= as_of,
            len(current) >= gate.metrics["held"],
            sum(r["参加人数"] for r in current) >= gate.metrics["attendance"],
            problems >= entry.metrics["problems_found"],
        ]
        snap = take_snapshot(engine=campaign.engine, loaded=loaded, as_of=as_of, stage="p2")
        assert [ok for _n, ok, _d in snap.gate.checks] == want, as_of
        assert snap.gate.passed == all(want)
        assert snap.gate.checks[2][2] == f"当前为{len(current)}次"
        assert snap.exit_gate.checks == [("整改出口：党委书记签批", False, "待党委书记签批")]
    # the last date has every condition met
    assert snap.gate.passed and snap.gate.reasons == []


def test_no_gate_without_a_stage(campaign, loaded):
    snap = take_snapshot(engine=campaign.engine, loaded=loaded, as_of=dt.date(2023, 6, 30))
    assert snap.gate is None and snap.exit_gate is None
