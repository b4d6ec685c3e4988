"""End-to-end: a real `campaignflow server` (Prefect server + served deployments) on a free port."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from campaignflow.cli.prefect_server import free_port
from campaignflow.spec.shipped import shipped_root

ROOT = shipped_root().parent


@pytest.fixture(scope="session")
def prefect_api():
    """`api(url, path, body=None)`: GET (or POST a JSON body) to the Prefect REST API."""
    return api


def api(url: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"{url}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    for attempt in range(10):  # a busy server answers 503 now and then: retry
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == 9:
                raise
            time.sleep(0.5 * (attempt + 1))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`campaignflow server --port P` (the data folder's server on port P, the deployments served
    in the foreground) with the 八破八立 sample data in its inbox."""
    home = tmp_path_factory.mktemp("served-home")
    inbox = home / "inbox" / "bapo-bali-2023"
    inbox.mkdir(parents=True)
    for path in (ROOT / "campaign_specs" / "bapo-bali-2023" / "data").glob("*.csv"):
        shutil.copy(path, inbox / path.name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"CAMPAIGNFLOW_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    log = home / "server-command.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "campaignflow", "server", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    deployments: list = []
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            deployments = api(url, "/api/deployments/filter", {})
            if len(deployments) >= 24:
                break
        except OSError:
            pass
        time.sleep(1)
    else:
        process.kill()
        pytest.fail(f"server not ready:\n{log.read_text()}")
    yield {"url": url, "home": home, "process": process, "log": log, "deployments": deployments}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    from campaignflow.cli.local_server import stop_server

    stop_server(home)  # the data folder's server outlives `campaignflow server`: stop it
