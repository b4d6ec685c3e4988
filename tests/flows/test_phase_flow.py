"""The phase and campaign flows under the Prefect test harness, on the shipped 八破八立 campaign."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from docx import Document

from campaignflow.reports.layout import for_screen
from flows.campaign import campaign
from flows.phase import phase

BAPO = "bapo-bali-2023"


def _artifacts(flow_run_name: str) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterName,
    )

    async def read():
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[flow_run_name]))
            )
            latest = max(
                runs, key=lambda r: r.created
            )  # the session's server keeps earlier tests' runs
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[latest.id])
                )
            )
            return latest, {a.key: a for a in artifacts}

    return asyncio.run(read())


def test_phase_flow_imports_checks_and_reports(home, fill_inbox, spec):
    inbox = fill_inbox(home, BAPO)
    outcome = asyncio.run(phase(spec_path=spec(BAPO), phase="mobilise", as_of=dt.date(2023, 3, 31)))

    assert outcome["gate_passed"] is True
    assert (outcome["done"], outcome["total"]) == (5, 5)
    assert outcome["imported_files"] == 7 and outcome["rejected_files"] == 0
    assert not [p for p in inbox.iterdir() if p.is_file()]  # every file moved to processed/
    assert len(list((inbox / "processed").iterdir())) == 7

    markdown = open(outcome["reports"]["md"], encoding="utf-8").read()
    assert markdown.startswith("# “八破八立”解放思想大讨论学习动员阶段工作情况报告")
    assert "分解到5个责任单位共5项任务。截至2023年3月31日，已完成5项，完成率100%。" in markdown
    assert "**（一）印发《“八破八立”解放思想大讨论行动计划》**。" in markdown
    html = open(outcome["reports"]["html"], encoding="utf-8").read()
    assert "<h1>“八破八立”解放思想大讨论学习动员阶段工作情况报告</h1>" in html
    paragraphs = [p.text for p in Document(outcome["reports"]["docx"]).paragraphs]
    # the title goes to its second line between words, not where Word happens to wrap it
    assert paragraphs[0] == "“八破八立”解放思想大讨论\n学习动员阶段工作情况报告"

    run, artifacts = _artifacts("八破八立 · 学习动员 · 2023-03-31")
    assert sorted(run.tags) == ["campaign:bapo-bali-2023", "phase:mobilise"]
    assert artifacts["bapo-bali-2023-mobilise-progress"].data == 100
    assert artifacts["bapo-bali-2023-mobilise-report"].data == for_screen(markdown)  # no images
    inbox_rows = json.loads(artifacts["bapo-bali-2023-mobilise-inbox"].data)
    assert {"文件": "signoff.csv", "表单": "阶段签批", "结果": "已导入"}.items() <= inbox_rows[
        -1
    ].items()
    assert {r["结果"] for r in inbox_rows} == {"已导入"} and len(inbox_rows) == 7
    assert "bapo-bali-2023-mobilise-docx" in artifacts

    # reports.branches: one report per 党支部, written here (no chunk deployment on this server)
    branches = outcome["branch_reports"]
    assert branches["branches"] == 3 and branches["chunks"] == 1
    folder = Path(branches["folder"])
    assert sorted(p.name for p in folder.glob("*.md")) == ["jiguan.md", "tuixiu.md", "yewu.md"]
    jiguan = (folder / "jiguan.md").read_text("utf-8")
    assert "局机关党支部承担任务" in jiguan and "截至2023年3月31日" in jiguan
    _, sub = _artifacts("八破八立 · 学习动员 · 各支部报告 · 2023-03-31")
    [row] = json.loads(sub["bapo-bali-2023-mobilise-branches"].data)
    assert row["运行于"] == "本机进程池" and row["支部"] == 3


def test_reports_follow_the_data(home, fill_inbox, spec):
    """Drop the 措施进展 sheet: two measures stay open, the figures and the gate change."""
    fill_inbox(home, BAPO, skip=("progress.csv",))
    outcome = asyncio.run(phase(spec_path=spec(BAPO), phase="mobilise", as_of=dt.date(2023, 3, 31)))
    assert (outcome["done"], outcome["total"]) == (3, 5)
    markdown = open(outcome["reports"]["md"], encoding="utf-8").read()
    assert "已完成3项，完成率60%，逾期未完成2项" in markdown
    # 存在问题 names the measure, its due date, its owner and how late it is
    assert "召开动员部署会（完成时限2023年3月13日），局党组已逾期14个工作日" in markdown
    _, artifacts = _artifacts("八破八立 · 学习动员 · 2023-03-31")
    assert artifacts["bapo-bali-2023-mobilise-progress"].data == 60


def test_campaign_flow_stops_at_an_unmet_gate(home, fill_inbox, spec):
    fill_inbox(home, BAPO, skip=("signoff.csv",))
    outcome = asyncio.run(campaign(spec_path=spec(BAPO), as_of=dt.date(2023, 6, 30)))
    assert [p["phase"] for p in outcome["phases"]] == ["mobilise", "examine"]
    assert outcome["stopped_at"] == "examine"
    assert outcome["phases"][1]["gate_reasons"] == ["学习动员出口：支部书记签批：待支部书记签批"]
    assert outcome["final"] is None


def test_campaign_flow_runs_every_phase_and_the_final_report(home, fill_inbox, spec):
    fill_inbox(home, BAPO)
    outcome = asyncio.run(campaign(spec_path=spec(BAPO), as_of=dt.date(2023, 6, 30)))
    assert [p["phase"] for p in outcome["phases"]] == ["mobilise", "examine", "improve"]
    assert outcome["stopped_at"] is None
    final = open(outcome["final"]["reports"]["md"], encoding="utf-8").read()
    assert final.startswith("# “八破八立”解放思想大讨论工作总结")
    data = Path(spec(BAPO)).parent / "data"
    problems = len((data / "problems.csv").read_text("utf-8").splitlines()) - 1
    fixes = len((data / "fixes.csv").read_text("utf-8").splitlines()) - 1
    assert f"共查找问题{problems}条，制定整改措施{fixes}条" in final


def test_long_tables_are_capped_in_the_ui(home):
    from prefect import flow
    from prefect.client.orchestration import get_client

    from tasks._common import ROW_LIMIT, table_artifact

    @flow
    def write_table():  # sync, like the tasks that call it
        table_artifact(key="cap-test", table=[{"序号": i} for i in range(250)], description="长表")

    write_table()

    async def latest():
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["cap-test"]))
            )
            return max(found, key=lambda a: a.created)

    artifact = asyncio.run(latest())
    assert len(json.loads(artifact.data)) == ROW_LIMIT == 200
    assert "共 250 行，此处显示前 200 行" in artifact.description


def test_a_corrected_sheet_changes_the_next_runs_artifacts(home, fill_inbox, spec):
    """A branch re-sends an empty 集中研讨 sheet: the next run withdraws its row, and the run's
    artifacts (inbox table, report, overdue table) all show the new figures."""
    inbox = fill_inbox(home, BAPO)
    day = dt.date(2023, 5, 15)
    first = asyncio.run(phase(spec_path=spec(BAPO), phase="examine", as_of=day))
    _run, before = _artifacts("八破八立 · 查摆剖析 · 2023-05-15")
    seminars = (Path(spec(BAPO)).parent / "data" / "seminars.csv").read_text("utf-8")
    rows = seminars.splitlines()
    (inbox / "集中研讨-离退休干部党支部.csv").write_text(rows[0] + "\n", encoding="utf-8")
    second = asyncio.run(phase(spec_path=spec(BAPO), phase="examine", as_of=day))
    assert second["imported_files"] == 1 and first["imported_files"] == 7
    _run, after = _artifacts("八破八立 · 查摆剖析 · 2023-05-15")
    (row,) = json.loads(after["bapo-bali-2023-examine-inbox"].data)
    assert row["撤回"] == 1 and "替换 离退休干部党支部 的 集中研讨 记录" in row["说明"]
    held = len(rows) - 1
    assert f"| 集中研讨 | {held}次 |" in before["bapo-bali-2023-examine-report"].data
    assert f"| 集中研讨 | {held - 1}次 |" in after["bapo-bali-2023-examine-report"].data
    overdue = json.loads(after["bapo-bali-2023-examine-overdue"].data)
    assert [r["责任单位"] for r in overdue if r["措施"].startswith("第一轮")] == [
        "离退休干部党支部"
    ]
    assert second["done"] == first["done"] - 1
