"""`campaignflow run` on the embedded defaults: the data folder's own Prefect server, started
once and kept; a quiet console; no run on another folder's server; every task run recorded."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from campaignflow.cli.local_server import (
    ensure_server,
    process_alive,
    read_state,
    status,
    stop_server,
)
from campaignflow.spec.shipped import shipped_root

pytestmark = pytest.mark.slow
ROOT = shipped_root().parent
SPEC = ROOT / "campaign_specs" / "bapo-bali-2023" / "campaign.yaml"
STEPS = {
    "load 加载并校验方案",
    "sync 同步到数据库",
    "progress 进度（开始）",
    "inbox 收集数据（收件箱）",
    "inbox-check 收件箱已清空",
    "snapshot 汇总数据（快照）",
    "progress 进度（更新）",
    "gate 关口检查",
    "deadlines 期限检查",
    "ledger 台账对账",
    "ballots 民主测评结果",
    "cadence 组织生活频次检查",
    "render 生成阶段报告",
    "publish 发布报告",
    "inbox-plan 收件箱分批",
    # reports.branches: the 各支部报告 subflow (its parent task run) and its steps
    "branch-reports",
    "branches 列出支部并分块",
    "branch-pool 在本机写各支部报告",
    "branch-check 核对各支部报告",
}
NOISE = ("Traceback", "database is locked", "Error flushing", "| ERROR", "| WARNING ", "| INFO ")


@pytest.fixture
def folder(tmp_path):
    """A fresh data folder with 八破八立's sample data in its inbox; its server stopped after."""
    homes: list[Path] = []

    def make(name: str = "home", fill: bool = True) -> Path:
        home = tmp_path / name
        inbox = home / "inbox" / "bapo-bali-2023"
        inbox.mkdir(parents=True)
        if fill:
            for path in (SPEC.parent / "data").glob("*.csv"):
                shutil.copy(path, inbox / path.name)
        homes.append(home)
        return home

    yield make
    for home in homes:
        stop_server(home)
        assert status(home) is None


def cli(home: Path, *args: str, env: dict | None = None, timeout: float = 600):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ.update({"CAMPAIGNFLOW_HOME": str(home), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "campaignflow", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def run_phase(home: Path, phase: str = "mobilise", day: str = "2023-03-31", **kw):
    return cli(home, "run", str(SPEC), "--phase", phase, "--as-of", day, **kw)


def test_runs_share_the_folders_server_and_the_console_is_quiet(folder, prefect_api):
    home = folder()
    first = run_phase(home)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert [n for n in NOISE if n in output] == [], output
    assert "■ 学习动员（截至 2023-03-31）：措施完成 5/5，关口已满足" in output
    server = read_state(home)
    assert server is not None and f"在 Prefect 界面中查看：{server.url}/runs/flow-run/" in output
    assert (home / "prefect" / "server.pid").read_text() == str(server.pid)  # Prefect's own file

    started = time.monotonic()
    assert ensure_server(home).pid == server.pid  # reused, not started again
    assert time.monotonic() - started <= 2.0
    second = run_phase(home)
    assert second.returncode == 0, second.stderr
    assert read_state(home).pid == server.pid
    assert (home / "prefect" / "server.log").read_text().count("== ") == 1  # started once

    runs = prefect_api(server.url, "/api/flow_runs/filter", {})
    assert sorted((r["name"], r["state_type"]) for r in runs) == sorted(
        [("八破八立 · 学习动员 · 2023-03-31", "COMPLETED"),
         ("八破八立 · 学习动员 · 各支部报告 · 2023-03-31", "COMPLETED")] * 2
    )  # fmt: skip
    tasks = prefect_api(server.url, "/api/task_runs/filter", {})
    assert {t["name"].rsplit("-", 1)[0] for t in tasks} == STEPS
    assert {t["state_type"] for t in tasks} == {"COMPLETED"}
    artifacts = prefect_api(server.url, "/api/artifacts/filter", {})
    keys = {a["key"] for a in artifacts}
    assert {"bapo-bali-2023-mobilise-report", "bapo-bali-2023-mobilise-overview",
            "bapo-bali-2023-overview"} <= keys  # fmt: skip
    overview = next(a for a in artifacts if a["key"] == "bapo-bali-2023-mobilise-overview")
    assert overview["task_run_id"] is None and overview["flow_run_id"]  # the run's own
    assert "进度总览" in overview["data"] and "/campaignflow/reports/" in overview["data"]


def test_a_killed_run_leaves_the_server_healthy(folder):
    home = folder()
    process = subprocess.Popen(
        [sys.executable, "-m", "campaignflow", "run", str(SPEC), "--as-of", "2023-06-30"],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
            "CAMPAIGNFLOW_HOME": str(home),
        },  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while read_state(home) is None or status(home) is None:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.5)
    time.sleep(3)  # in the middle of its run
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert status(home) is not None  # the server outlives the command
    again = run_phase(home, "mobilise", "2023-03-31")
    assert again.returncode == 0, again.stdout + again.stderr


def test_two_runs_at_once_on_a_fresh_folder_start_one_server(folder):
    home = folder(fill=False)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda day: run_phase(home, "mobilise", day),
                                ["2023-03-20", "2023-03-31"]))  # fmt: skip
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    assert (home / "prefect" / "server.log").read_text().count("== ") == 1


def test_a_dead_server_is_replaced(folder):
    home = folder(fill=False)
    first = ensure_server(home)
    os.killpg(first.pid, signal.SIGKILL)
    time.sleep(0.5)
    assert status(home) is None
    second = ensure_server(home)
    assert second.pid != first.pid and status(home) is not None


def test_a_run_against_another_folders_server_fails_clearly(folder):
    mine, other = folder("mine", fill=False), folder("other", fill=False)
    theirs = ensure_server(other)
    result = run_phase(mine, env={"PREFECT_API_URL": theirs.api_url})
    assert result.returncode == 1
    assert str(other) in result.stderr and str(mine) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("错误")


def test_server_status_and_stop_and_idle(folder):
    home = folder(fill=False)
    assert cli(home, "server", "status").returncode == 1
    info = ensure_server(home)
    shown = cli(home, "server", "status")
    assert shown.returncode == 0 and info.url in shown.stdout
    stopped = cli(home, "server", "stop")
    assert stopped.returncode == 0 and f"已停止 {info.url}" in stopped.stdout
    assert status(home) is None and not (home / "prefect" / "server.pid").exists()
    # a server left alone stops by itself
    os.environ["CAMPAIGNFLOW_SERVER_IDLE"] = "3"
    try:
        idle = ensure_server(home)
    finally:
        del os.environ["CAMPAIGNFLOW_SERVER_IDLE"]
    deadline = time.monotonic() + 60
    while process_alive(idle.pid):  # (not `status`: asking the server is using it)
        assert time.monotonic() < deadline, "the idle server did not stop"
        time.sleep(1)
    assert "无人使用" in Path(idle.log).read_text()


def test_reports_are_served_over_http_and_nothing_else(folder):
    import urllib.error
    import urllib.request

    home = folder(fill=False)
    (home / "reports" / "c").mkdir(parents=True)
    (home / "reports" / "c" / "报告.docx").write_bytes(b"PK docx")
    (home / "secret.txt").write_text("no")
    info = ensure_server(home)
    with urllib.request.urlopen(info.report_url(home / "reports" / "c" / "报告.docx")) as r:
        assert r.status == 200 and r.read() == b"PK docx"
        assert "wordprocessingml" in r.headers["content-type"]
    for bad in ("/campaignflow/reports/../secret.txt", "/campaignflow/reports/c/missing.docx",
                "/campaignflow/reports/%2e%2e/secret.txt"):  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{info.url}{bad}")
        assert refused.value.code == 404
    info_page = json.loads(urllib.request.urlopen(f"{info.url}/campaignflow/info").read())
    assert info_page["home"] == str(home.resolve())


def test_the_foreground_server_restarts_a_dead_api(folder):
    """`campaignflow server` serving deployments notices within seconds that its API died and
    starts it again on the same port; it never serves on with a dead API and says nothing."""
    home = folder(fill=False)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ.update({"CAMPAIGNFLOW_HOME": str(home), "CAMPAIGNFLOW_SERVER_WATCH": "1"})
    serving = subprocess.Popen(
        [sys.executable, "-m", "campaignflow", "server"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    shown: list[str] = []
    said: list[str] = []
    for stream, lines in ((serving.stdout, shown), (serving.stderr, said)):
        threading.Thread(target=lambda s=stream, into=lines: into.extend(s), daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while not any("个部署" in line for line in shown):  # serving, its server up
            assert serving.poll() is None and time.monotonic() < deadline, "".join(said)
            time.sleep(0.5)
        first = status(home)
        assert first is not None
        os.killpg(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while (second := status(home)) is None or second.pid == first.pid:
            assert serving.poll() is None, "".join(said)
            assert time.monotonic() < deadline, "the dead server was not restarted"
            time.sleep(0.5)
        assert second.port == first.port
        while not any("服务器已重启" in line for line in said):  # it says so once it is up
            assert time.monotonic() < deadline, "".join(said)
            time.sleep(0.5)
    finally:
        os.killpg(serving.pid, signal.SIGINT)
        serving.wait(timeout=60)
        time.sleep(0.5)  # the readers take the last lines
    err = "".join(said)
    # noticed by the watchdog (no answer) or by the runner (connection lost), then restarted
    assert f"服务器 {first.url} 没有响应" in err or f"与服务器 {first.url} 的连接中断" in err, err
    assert "服务器已重启" in err and "错误" not in err, err
    assert "Traceback" not in err


def test_failures_of_the_environment_end_in_one_line_with_the_log(folder):
    """A file name longer than the file system allows: one 错误 line, exit 2, the traceback in
    the data folder's log."""
    home = folder(fill=False)
    name = "问" * 100 + ".xlsx"  # 304 bytes: more than the 255 a file name may have
    result = cli(home, "import", str(SPEC), "problems", str(home / name))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误: 文件名过长"), result.stderr
    log = home / "logs" / "campaignflow.log"
    assert f"（详细信息：{log}）" in lines[0]
    assert "File name too long" in log.read_text(encoding="utf-8")
