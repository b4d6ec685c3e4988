"""The thin Prefect tasks that had no test of their own (tasks/_common, gates, progress,
snapshot, spec, runinfo, ledger, activities, evaluation), called as plain functions (`.fn`)
on the test campaign's database (SQLite and PostgreSQL, through the process's workspace as a
flow run has it). What Prefect would do with their output — artifacts, the run logger, the
API client — is replaced by recorders, so no Prefect server is needed."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import uuid
from types import SimpleNamespace

import pytest
from prefect.cache_policies import NONE
from unit_support import BRANCHES, day, fix, meeting, problem

import tasks.activities
import tasks.evaluation
import tasks.gates
import tasks.ledger
import tasks.progress
import tasks.runinfo
import tasks.snapshot
import tasks.spec
from campaignflow.errors import CampaignflowError
from campaignflow.metrics import compute_metrics
from campaignflow.progress import progress_by_stage, stage_progress
from campaignflow.snapshot import take_snapshot
from campaignflow.spec import load
from tasks._common import (
    IO_RETRIES,
    ROW_LIMIT,
    STEP,
    Step,
    artifact_key,
    same_data_folder,
    step,
    table_artifact,
    workspace,
)

CAMPAIGN = "unit-metrics"


class Recorder:
    """Stands in for a Prefect call: keeps each call's arguments, returns `value`."""

    def __init__(self, value=None):
        self.calls: list[tuple[tuple, dict]] = []
        self.value = value

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.value


@pytest.fixture
def logger(monkeypatch, caplog) -> logging.Logger:
    """The run logger of every task module, as a plain logger whose records caplog keeps."""
    log = logging.getLogger("unit-tasks")
    for module in (tasks.gates, tasks.snapshot, tasks.spec):
        monkeypatch.setattr(module, "get_run_logger", lambda: log)
    caplog.set_level(logging.INFO, logger="unit-tasks")
    return log


def logged(caplog, level=logging.INFO) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "unit-tasks" and r.levelno == level]


def tables(monkeypatch, module) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(module, "table_artifact", recorder)
    return recorder


P1_ROWS = [
    meeting("2023-03-02", "一支部", "一", 10),
    meeting("2023-03-09", "一支部", "二", 10),
    meeting("2023-03-16", "二支部", "一", 10),
]


# ---------------------------------------------------------------- _common


@pytest.mark.parametrize(
    ("parts", "key"),
    [
        (("bapo-bali-2023", "examine", "gate"), "bapo-bali-2023-examine-gate"),
        (("Unit_Metrics", "P1"), "unit-metrics-p1"),
        (("党建", "p1", "evaluation", "2"), "---p1-evaluation-2"),
        (("a b.c/d", "x"), "a-b-c-d-x"),
    ],
)
def test_artifact_keys_are_lowercase_letters_digits_and_dashes(parts, key):
    assert artifact_key(*parts) == key


def test_artifact_keys_keep_one_character_per_character():
    rng = random.Random(11)
    alphabet = "abcXYZ019_-. 党委一／１é"
    for _ in range(200):
        parts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in "ab"]
        key = artifact_key(*parts)
        assert re.fullmatch(r"[a-z0-9-]*", key), key
        assert len(key) == len("-".join(parts))
        assert artifact_key(key) == key  # a key is its own key
        kept = [c for c in "-".join(parts).lower() if c.isascii() and c.isalnum()]
        assert [c for c in key if c != "-"] == kept


@pytest.mark.parametrize("rows", [0, 1, ROW_LIMIT, ROW_LIMIT + 1, 2 * ROW_LIMIT + 3])
def test_a_table_artifact_holds_at_most_row_limit_rows(monkeypatch, rows):
    import prefect.artifacts

    created = Recorder()
    monkeypatch.setattr(prefect.artifacts, "create_table_artifact", created)
    table = [{"序号": i} for i in range(rows)]
    table_artifact(key="k", table=table, description="长表")
    ((_args, kwargs),) = created.calls
    assert kwargs["key"] == "k"
    assert kwargs["table"] == table[:ROW_LIMIT]
    if rows > ROW_LIMIT:
        assert kwargs["description"] == (
            f"长表（共 {rows} 行，此处显示前 {ROW_LIMIT} 行；完整内容见报告或导出的台账）"
        )
    else:
        assert kwargs["description"] == "长表"
    assert len(table) == rows  # the caller's list is left as it was


def test_step_makes_an_uncached_unpersisted_task_with_the_options_given():
    def fn(x: int) -> int:
        return x + 1

    made = step(name="demo 演示", retries=3)(fn)
    assert isinstance(made, Step)
    assert (made.name, made.retries, made.fn(1)) == ("demo 演示", 3, 2)
    assert made.cache_policy == NONE and made.persist_result is False
    assert step(persist_result=True)(fn).persist_result is True  # options given win
    assert STEP == {"cache_policy": NONE, "persist_result": False}


TASKS = [
    tasks.gates.gate_check,
    tasks.progress.start_progress,
    tasks.progress.show_progress,
    tasks.progress.progress_now,
    tasks.snapshot.snapshot,
    tasks.spec.load_campaign,
    tasks.spec.sync_spec,
    tasks.spec.active_campaigns,
    tasks.ledger.show_ledger,
    tasks.activities.show_cadence,
    tasks.evaluation.show_evaluation,
]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.fn.__name__)
def test_every_task_is_a_step_named_with_a_latin_word_first(task):
    assert isinstance(task, Step)
    first = task.name.split(" ", 1)[0]
    assert first.isascii() and first.isalpha(), task.name  # the run graph draws only ASCII
    assert re.search(r"[\u4e00-\u9fff]", task.name), task.name  # and says it in Chinese
    assert task.cache_policy == NONE and task.persist_result is False


def test_only_the_database_writing_step_retries():
    assert tasks.spec.sync_spec.retries == IO_RETRIES["retries"] == 2
    assert tasks.spec.sync_spec.retry_delay_seconds == [1, 5]
    assert {t.retries for t in TASKS if t is not tasks.spec.sync_spec} == {0}


def test_the_workspace_is_the_environments_and_opened_once(workspace_of, tmp_path, backend):
    ws = workspace()
    assert ws is workspace()
    assert ws.home == (tmp_path / "home").resolve() and ws.home.is_dir()
    assert ws.engine.dialect.name == backend
    same_data_folder(None)
    same_data_folder(str(tmp_path / "home" / "." / ""))
    with pytest.raises(CampaignflowError, match="这块工作属于数据文件夹 .*other"):
        same_data_folder(str(tmp_path / "other"))


# ---------------------------------------------------------------- gates


def _snapshot(c, stage: str | None, as_of: str):
    return take_snapshot(engine=c.engine, loaded=c.loaded, as_of=day(as_of), stage=stage)


def test_gate_check_shows_every_condition_and_warns_of_the_unmet(
    campaign, monkeypatch, logger, caplog
):
    campaign.file("meetings", P1_ROWS)
    snap = _snapshot(campaign, "p2", "2023-05-02")
    table = tables(monkeypatch, tasks.gates)
    result = tasks.gates.gate_check.fn(campaign.loaded, snap)
    assert result is snap.gate and not result.passed
    ((_args, kwargs),) = table.calls
    assert kwargs["key"] == f"{CAMPAIGN}-p2-gate"
    assert kwargs["description"] == "关口条件：尚未全部满足"
    assert kwargs["table"] == [
        {"条件": name, "结果": "满足" if ok else "未满足", "说明": detail}
        for name, ok, detail in snap.gate.checks
    ]
    held = len(P1_ROWS)
    assert {"条件": "学习出口：会议不少于3次", "结果": "满足", "说明": f"当前为{held}次"} in kwargs[
        "table"
    ]
    assert logged(caplog, logging.WARNING) == [f"关口未满足：{r}" for r in snap.gate.reasons]
    assert any("开会（三支部）" in r for r in snap.gate.reasons)


def test_a_gate_met_is_said_so_and_warns_of_nothing(monkeypatch, logger, caplog, loaded):
    from campaignflow.gates import GateResult

    checks = [("学习出口：会议不少于3次", True, "当前为3次")]
    snap = SimpleNamespace(gate=GateResult(stage="p2", passed=True, checks=checks))
    table = tables(monkeypatch, tasks.gates)
    tasks.gates.gate_check.fn(loaded, snap)
    assert table.calls[0][1]["description"] == "关口条件：均已满足"
    assert logged(caplog, logging.WARNING) == []


def test_a_stage_without_conditions_gets_no_gate_table(campaign, monkeypatch, logger, caplog):
    snap = _snapshot(campaign, "p1", "2023-03-31")
    table = tables(monkeypatch, tasks.gates)
    result = tasks.gates.gate_check.fn(campaign.loaded, snap)
    assert result.passed and result.checks == [] and table.calls == []
    with pytest.raises(AssertionError, match="a gate needs the snapshot of a phase"):
        tasks.gates.gate_check.fn(campaign.loaded, _snapshot(campaign, None, "2023-03-31"))


# ---------------------------------------------------------------- progress, snapshot


def met(rows: list[dict]) -> int:
    """Branches with the 开会 target met: two meetings each."""
    return sum(sum(r["党组织"] == name for r in rows) >= 2 for name in BRANCHES.values())


def test_start_progress_shows_the_stages_share_done(workspace_of, monkeypatch):
    c = workspace_of
    c.file("meetings", P1_ROWS)
    artifact = uuid.uuid4()
    created = Recorder(artifact)
    monkeypatch.setattr(tasks.progress, "create_progress_artifact", created)
    as_of = day("2023-04-30")
    assert tasks.progress.start_progress.fn(c.loaded, "p1", as_of) == artifact
    done = met(P1_ROWS)
    ((_args, kwargs),) = created.calls
    assert kwargs == {
        "progress": round(done / len(BRANCHES) * 100, 1),
        "key": f"{CAMPAIGN}-p1-progress",
        "description": f"学习：措施完成 {done}/{len(BRANCHES)}",
    }
    assert kwargs["progress"] == 33.3  # one decimal


def test_show_progress_updates_the_artifact(workspace_of, monkeypatch):
    c = workspace_of
    rows = [*P1_ROWS, meeting("2023-04-01", "二支部", "二", 3)]
    c.file("meetings", rows)
    updated = Recorder()
    monkeypatch.setattr(tasks.progress, "update_progress_artifact", updated)
    artifact = uuid.uuid4()
    as_of = day("2023-04-30")
    stage = stage_progress(engine=c.engine, loaded=c.loaded, stage="p1", as_of=as_of)
    whole = stage_progress(engine=c.engine, loaded=c.loaded, stage=None, as_of=as_of)
    tasks.progress.show_progress.fn(artifact, c.loaded, stage)
    tasks.progress.show_progress.fn(artifact, c.loaded, whole)
    n, done = len(BRANCHES), met(rows)  # p2's measure: none done yet
    assert updated.calls == [
        ((artifact, round(done / n * 100, 1)), {"description": f"学习：措施完成 {done}/{n}"}),
        (
            (artifact, round(done / (2 * n) * 100, 1)),
            {"description": f"全部：措施完成 {done}/{2 * n}"},
        ),
    ]
    assert done == 2


def test_progress_now_is_every_stages_progress(workspace_of):
    c = workspace_of
    c.file("meetings", P1_ROWS)
    problems = [problem("P1", "一支部"), problem("P2", "三支部")]
    c.file("problems", problems)
    as_of = day("2023-06-30")
    got = tasks.progress.progress_now.fn(c.loaded, as_of)
    want = progress_by_stage(engine=c.engine, loaded=c.loaded, as_of=as_of)
    found = len({r["责任部门"] for r in problems})  # 查找问题: a branch that filed one
    n = len(BRANCHES)
    assert {k: (p.done, p.total) for k, p in got.items()} == {
        "p1": (met(P1_ROWS), n),
        "p2": (found, n),
    }
    assert got == want


def test_the_snapshot_task_takes_one_snapshot_and_logs_its_timings(workspace_of, logger, caplog):
    c = workspace_of
    c.file("meetings", P1_ROWS)
    as_of = day("2023-04-30")
    snap = tasks.snapshot.snapshot.fn(c.loaded, "p1", as_of)
    assert (snap.campaign, snap.stage, snap.as_of) == (CAMPAIGN, "p1", as_of)
    metrics = compute_metrics(engine=c.engine, loaded=c.loaded, as_of=as_of)
    assert snap.metric_values() == {k: v.value for k, v in metrics.items()}
    assert snap.metric_values()["held"] == len(P1_ROWS)
    (line,) = logged(caplog)
    assert line.startswith(f"快照（截至 {as_of}）：")
    parts = line.split("：", 1)[1].split("，")
    assert [p.split(" ")[0] for p in parts] == list(snap.timings)
    assert all(re.fullmatch(r"\S+ \d+\.\d\ds", p) for p in parts), parts


# ---------------------------------------------------------------- spec


def test_load_campaign_loads_the_file_once_while_it_is_unchanged(
    spec_path, tmp_path, logger, caplog
):
    copy = tmp_path / "campaign.yaml"
    copy.write_text(spec_path.read_text("utf-8"), encoding="utf-8")
    first = tasks.spec.load_campaign.fn(str(copy))
    assert first.spec.campaign.id == CAMPAIGN
    assert tasks.spec.load_campaign.fn(str(copy)) is first
    copy.write_text(copy.read_text("utf-8").replace("指标单元测试", "指标单元测试二"), "utf-8")
    again = tasks.spec.load_campaign.fn(str(copy))
    assert again is not first and again.spec.campaign.title == "指标单元测试二"
    assert logged(caplog) == [
        f"已加载 指标单元测试（{copy}）",
        f"已加载 指标单元测试（{copy}）",
        f"已加载 指标单元测试二（{copy}）",
    ]


def test_sync_spec_is_skipped_when_the_database_holds_the_spec(
    workspace_of, tmp_path, logger, caplog
):
    c = workspace_of
    same = tasks.spec.sync_spec.fn(c.loaded)  # the fixture synced this very spec
    assert same.skipped
    changed_path = tmp_path / "changed" / "campaign.yaml"
    changed_path.parent.mkdir()
    changed_path.write_text(
        c.loaded.path.read_text("utf-8").replace("title: 开会", "title: 开支委会"), "utf-8"
    )
    changed = tasks.spec.sync_spec.fn(load(changed_path))
    assert not changed.skipped and changed.total.updated >= 1
    assert [(ch.entity, ch.key, ch.after) for ch in changed.changes if ch.entity == "measure"] == [
        ("measure", "meet", {"title": "开支委会"})
    ]
    assert logged(caplog) == [f"同步：{same.summary()}", f"同步：{changed.summary()}"]


def test_active_campaigns_are_those_whose_stages_span_the_date(workspace_of):
    c = workspace_of
    path = str(c.loaded.path)
    found = {
        on: tasks.spec.active_campaigns.fn(day(on))
        for on in ("2023-02-28", "2023-03-01", "2023-05-15", "2023-06-30", "2023-07-01")
    }
    assert found == {"2023-02-28": [], "2023-03-01": [path], "2023-05-15": [path],
                     "2023-06-30": [path], "2023-07-01": []}  # fmt: skip


# ---------------------------------------------------------------- runinfo


class FakeClient:
    def __init__(self):
        self.updates: list[tuple] = []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False

    async def update_flow_run(self, run_id, tags):
        self.updates.append((run_id, tags))


def _run_with(monkeypatch, tags: list[str] | None) -> tuple[FakeClient, uuid.UUID]:
    run = SimpleNamespace(id=uuid.uuid4(), tags=tags)
    client = FakeClient()
    monkeypatch.setattr(
        tasks.runinfo, "FlowRunContext", SimpleNamespace(get=lambda: SimpleNamespace(flow_run=run))
    )
    monkeypatch.setattr(tasks.runinfo, "get_client", lambda: client)
    return client, run.id


def test_add_tags_adds_the_missing_tags_once(monkeypatch):
    client, run_id = _run_with(monkeypatch, ["phase:p1", "manual"])
    asyncio.run(tasks.runinfo.add_tags(f"campaign:{CAMPAIGN}", "phase:p1", f"campaign:{CAMPAIGN}"))
    assert client.updates == [(run_id, sorted(["manual", "phase:p1", f"campaign:{CAMPAIGN}"]))]


@pytest.mark.parametrize("tags", [["a", "b"], ["b", "a", "c"]])
def test_add_tags_changes_nothing_when_the_run_has_them(monkeypatch, tags):
    client, _ = _run_with(monkeypatch, tags)
    asyncio.run(tasks.runinfo.add_tags("b", "a"))
    assert client.updates == []


def test_add_tags_to_a_run_without_tags(monkeypatch):
    client, run_id = _run_with(monkeypatch, None)
    asyncio.run(tasks.runinfo.add_tags("z", "a"))
    assert client.updates == [(run_id, ["a", "z"])]


def test_add_tags_outside_a_flow_run_does_nothing(monkeypatch):
    def no_client():
        raise AssertionError("no API call outside a flow run")

    monkeypatch.setattr(tasks.runinfo, "get_client", no_client)
    assert asyncio.run(tasks.runinfo.add_tags("x")) is None  # the real FlowRunContext: none
    monkeypatch.setattr(
        tasks.runinfo, "FlowRunContext", SimpleNamespace(get=lambda: SimpleNamespace(flow_run=None))
    )
    assert asyncio.run(tasks.runinfo.add_tags("x")) is None


# ---------------------------------------------------------------- ledger, cadence, 民主测评


def test_show_ledger_shows_nothing_without_problems(campaign, monkeypatch):
    table = tables(monkeypatch, tasks.ledger)
    tasks.ledger.show_ledger.fn(campaign.loaded, "p2", _snapshot(campaign, "p2", "2023-06-30"))
    assert table.calls == []


def test_show_ledger_shows_open_problems_and_the_reconciliation(campaign, monkeypatch):
    problems = [problem("P1", "一支部"), problem("P2", "二支部"), problem("P3", "二支部")]
    fixes = [
        fix("F1", "P1", "已完成", closed="2023-05-20", unit="一支部"),
        fix("F2", "P2", "整改中", unit="二支部"),
        fix("F3", "P3", "已完成", closed="2023-06-01", unit="二支部"),
    ]
    campaign.file("problems", problems)
    campaign.file("fixes", fixes)
    snap = _snapshot(campaign, "p2", "2023-05-31")  # F3 was still 整改中 then
    table = tables(monkeypatch, tasks.ledger)
    tasks.ledger.show_ledger.fn(campaign.loaded, "p2", snap)
    (_a, open_), (_b, rec) = table.calls
    assert open_["key"] == f"{CAMPAIGN}-p2-open-problems"
    assert open_["table"] == [{"责任单位": "二支部", "未整改完成的问题": 2}]
    closed = 1  # F1 only, as of 05-31
    assert open_["description"] == (
        f"问题 {len(problems)} 个，整改措施 {len(fixes)} 条，已销号 {closed} 条，逾期 0 条"
        f"（截至 {snap.as_of}）"
    )
    assert rec["key"] == f"{CAMPAIGN}-p2-reconciliation"
    assert rec["table"][-1]["责任单位"] == "合计"
    assert (rec["table"][-1]["问题"], rec["table"][-1]["整改措施"]) == (len(problems), len(fixes))
    # every problem closed: the open table says so
    campaign.file("fixes", [{**f, "状态": "已完成", "销号日期": "2023-06-01", "审核人": "审核人",
                             "佐证材料": "材料"} for f in fixes])  # fmt: skip
    table.calls.clear()
    tasks.ledger.show_ledger.fn(campaign.loaded, "p2", _snapshot(campaign, "p2", "2023-06-30"))
    assert table.calls[0][1]["table"] == [{"责任单位": "（全部整改完成）", "未整改完成的问题": 0}]


def test_show_cadence_lists_the_months_a_branch_held_no_committee_meeting(campaign, monkeypatch):
    """支委会 monthly (支部工作条例): each whole month of the campaign so far without one is a
    shortfall of that branch; none left: one row saying so."""
    table = tables(monkeypatch, tasks.activities)
    months = ("2023-03", "2023-04")

    def shown(rows: list[dict]) -> tuple[list[tuple], str]:
        campaign.file("meetings", rows)
        snap = _snapshot(campaign, "p1", "2023-04-30")
        table.calls.clear()
        tasks.activities.show_cadence.fn(campaign.loaded, "p1", snap)
        ((_args, kwargs),) = table.calls
        assert kwargs["key"] == f"{CAMPAIGN}-p1-cadence"
        got = [(r["党组织"], r["活动类型"], r["期间"], r["实际"]) for r in kwargs["table"]]
        return got, kwargs["description"]

    def short(rows: list[dict]) -> list[tuple]:
        held = {(r["党组织"], r["日期"][:7]) for r in rows if r["活动类型"] == "支委会"}
        return [
            (name, "支委会", month, 0)
            for name in BRANCHES.values()
            for month in months
            if (name, month) not in held
        ]

    rows = [*P1_ROWS, meeting("2023-04-03", "三支部", "党课", 9, kind="党课")]
    got, description = shown(rows)
    assert sorted(got) == sorted(short(rows)) and len(got) == 4
    assert description == f"检查期间 2023-03-01 至 2023-04-30，缺项 {len(got)} 处"
    every = [meeting(f"{m}-1{i}", name, "月度支委会", 5) for m in months
             for i, name in enumerate(BRANCHES.values())]  # fmt: skip
    got, description = shown(every)
    assert got == [("（无缺项）", "", "", 0)] and description.endswith("缺项 0 处")


def test_show_evaluation_has_no_table_without_a_ballot_form(campaign, monkeypatch):
    snap = _snapshot(campaign, "p1", "2023-04-30")
    evaluation = tables(monkeypatch, tasks.evaluation)
    tasks.evaluation.show_evaluation.fn(campaign.loaded, "p1", snap)
    assert snap.evaluation == [] and evaluation.calls == []
