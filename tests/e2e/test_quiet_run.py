"""`campaignflow run` on the embedded defaults: no traceback or lock noise, and every task run
and artifact recorded by the (private) Prefect server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from campaignflow.cli.prefect_server import prefect_server
from campaignflow.spec.shipped import shipped_root

pytestmark = pytest.mark.slow
ROOT = shipped_root().parent
STEPS = {
    "加载并校验方案",
    "同步到数据库",
    "进度（开始）",
    "收集数据（收件箱）",
    "汇总数据（快照）",
    "进度（更新）",
    "关口检查",
    "期限检查",
    "台账对账",
    "民主测评结果",
    "组织生活频次检查",
    "生成阶段报告",
    "发布报告",
    "收件箱分批",
    # reports.branches: the 各支部报告 subflow (its parent task run) and its steps
    "branch-reports",
    "列出支部并分块",
    "在本机写各支部报告",
    "核对各支部报告",
}
NOISE = ("Traceback", "database is locked", "Error flushing", "| ERROR", "| WARNING ")


def test_cli_run_is_quiet_and_records_everything(tmp_path, prefect_api):
    home = tmp_path / "home"
    inbox = home / "inbox" / "bapo-bali-2023"
    inbox.mkdir(parents=True)
    for path in (ROOT / "campaign_specs" / "bapo-bali-2023" / "data").glob("*.csv"):
        shutil.copy(path, inbox / path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["CAMPAIGNFLOW_HOME"] = str(home)
    spec = ROOT / "campaign_specs" / "bapo-bali-2023" / "campaign.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "campaignflow",
            "run",
            str(spec),
            "--phase",
            "mobilise",
            "--as-of",
            "2023-03-31",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert [n for n in NOISE if n in output] == [], output
    assert "■ 学习动员（截至 2023-03-31）：措施完成 5/5，关口已满足" in output

    # a fresh server on the same Prefect database sees the whole run
    with prefect_server(home, ui=False) as server:
        runs = prefect_api(server.url, "/api/flow_runs/filter", {})
        assert sorted((r["name"], r["state_type"]) for r in runs) == [
            ("八破八立 · 学习动员 · 2023-03-31", "COMPLETED"),
            ("八破八立 · 学习动员 · 各支部报告 · 2023-03-31", "COMPLETED"),
        ]
        tasks = prefect_api(server.url, "/api/task_runs/filter", {})
        names = {t["name"].rsplit("-", 1)[0] for t in tasks}
        assert names == STEPS
        assert {t["state_type"] for t in tasks} == {"COMPLETED"}
        artifacts = prefect_api(server.url, "/api/artifacts/filter", {})
        assert {"bapo-bali-2023-mobilise-report", "bapo-bali-2023-mobilise-progress"} <= {
            a["key"] for a in artifacts
        }
