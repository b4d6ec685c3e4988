"""A real Prefect server with every deployment served: trigger a run through the API with
parameters, read its artifacts back, see the report in the UI in Debian's chromium, stop with Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from browser import CHROMIUM, FLAGS, browser_page

pytestmark = pytest.mark.slow


def _wait_final(api, url: str, run_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api(url, f"/api/flow_runs/{run_id}")
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} not finished in {timeout}s: {run['state_type']}")


@pytest.fixture(scope="module")
def phase_run(served, prefect_api):
    api = prefect_api
    url = served["url"]
    deployment = next(d for d in served["deployments"] if d["name"] == "bapo-bali-2023-mobilise")
    assert deployment["parameters"]["phase"] == "mobilise"
    created = api(
        url,
        f"/api/deployments/{deployment['id']}/create_flow_run",
        {"parameters": {"as_of": "2023-03-31"}},
    )
    run = _wait_final(api, url, created["id"])
    assert run["state_type"] == "COMPLETED", served["log"].read_text()[-3000:]
    artifacts = api(
        url, "/api/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}
    )
    return run, {a["key"]: a for a in artifacts}


def test_deployment_run_through_the_api(served, phase_run):
    run, artifacts = phase_run
    assert run["name"] == "八破八立 · 学习动员 · 2023-03-31"
    assert sorted(run["tags"]) == ["campaign:bapo-bali-2023", "phase:mobilise"]
    assert artifacts["bapo-bali-2023-mobilise-progress"]["data"] == 100
    report = artifacts["bapo-bali-2023-mobilise-report"]["data"]
    assert report.startswith("# “八破八立”解放思想大讨论学习动员阶段工作情况报告")
    overdue = json.loads(artifacts["bapo-bali-2023-mobilise-overdue"]["data"])
    assert overdue == [{"措施": "（无逾期事项）", "责任单位": "", "期限": "", "逾期（工作日）": 0}]
    link = artifacts["bapo-bali-2023-mobilise-docx"]["data"]
    assert ".docx" in link and (served["home"] / "reports" / "bapo-bali-2023").is_dir()


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="chromium not installed (apt-get install chromium fonts-noto-cjk)",
)
def test_report_visible_in_the_prefect_ui(served, phase_run, tmp_path):
    assert CHROMIUM, "chromium is required under CI"
    _, artifacts = phase_run
    page = f"{served['url']}/artifacts/artifact/{artifacts['bapo-bali-2023-mobilise-report']['id']}"
    flags = [
        "--headless",
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=20000",
        "--window-size=1280,2000",
    ]
    dom = ""
    for _attempt in range(3):  # the UI bundle loads lazily; give it a few tries
        dom = subprocess.run(
            [CHROMIUM, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120
        ).stdout
        if "学习动员阶段工作情况报告" in dom:
            break
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={tmp_path / 'report.png'}", page],
        capture_output=True,
        timeout=120,
    )
    (tmp_path / "dom.html").write_text(dom, encoding="utf-8")
    assert "Can't connect to Server API" not in dom
    assert "学习动员阶段工作情况报告" in dom  # the report's Chinese title, rendered
    assert re.search(r"<td[^>]*>5次</td>", dom)  # a table cell of the rendered report
    assert (tmp_path / "report.png").stat().st_size > 10_000
    # the run's own 进度总览, on the run's page (its Artifacts tab), with its Chinese title
    run, _ = phase_run
    with browser_page() as page:
        page.goto(f"{served['url']}/runs/flow-run/{run['id']}")
        page.locator("#artifacts.p-tab").click()
        page.get_by_text("进度总览：学习动员").first.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "run-artifacts.png"), full_page=True)
    assert (tmp_path / "run-artifacts.png").stat().st_size > 10_000


def test_report_links_open_over_http(served, phase_run):
    import urllib.request

    _, artifacts = phase_run
    link = artifacts["bapo-bali-2023-mobilise-docx"]["data"]
    url = re.search(r"\((http://[^)]+\.docx)\)", link).group(1)
    assert url.startswith(f"{served['url']}/campaignflow/reports/")
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200 and response.read(2) == b"PK"  # a .docx (zip)


def test_ctrl_c_stops_serving_and_server_stop_stops_the_server(served, phase_run):
    process = served["process"]
    port = int(served["url"].rsplit(":", 1)[1])
    os.killpg(process.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
    assert process.wait(timeout=60) == 0, served["log"].read_text()[-2000:]
    log = served["log"].read_text()
    assert "已停止服务部署" in log and "Traceback" not in log
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) == 0  # the folder's server is kept
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["CAMPAIGNFLOW_HOME"] = str(served["home"])
    stop = subprocess.run(
        [sys.executable, "-m", "campaignflow", "server", "stop"], env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert stop.returncode == 0 and "已停止" in stop.stdout, stop.stderr
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more
