"""A real Prefect server as a child process, its state under the data folder.

Used by `campaignflow server` (UI on 127.0.0.1:4200) and by the end-to-end tests (a free port).
The UI needs `PREFECT_UI_API_URL` pointing at the server's own API when the port is not 4200.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .prefect_env import QUIET


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ServerAddress:
    """The URLs of a Prefect server from its `host` and `port` (fields of the dataclass)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


@dataclass
class RunningServer(ServerAddress):
    """A started server: its URLs and process."""

    host: str
    port: int
    process: subprocess.Popen
    log: Path


# A private server for one `campaignflow run`: only what recording a run needs (fewer SQLite
# writers, so no lock contention), no UI.
RUN_ONLY = {
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
    **{
        f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false"
        for name in (
            "SCHEDULER",
            "LATE_RUNS",
            "FOREMAN",
            "CANCELLATION_CLEANUP",
            "REPOSSESSOR",
            "TRIGGERS",
            "EVENT_PERSISTER",
            "CLEANUP_RECONCILER",
        )
    },
}


def server_env(
    home: Path, host: str, port: int, base: dict[str, str] | None = None, *, ui: bool = True
) -> dict[str, str]:
    """Environment of the server process (and of clients talking to it)."""
    env = dict(os.environ if base is None else base)
    prefect_home = home / "prefect"
    prefect_home.mkdir(parents=True, exist_ok=True)
    env.update(QUIET)
    env.update({} if ui else RUN_ONLY)
    env.update(
        {
            "PREFECT_HOME": str(prefect_home),
            "PREFECT_SERVER_API_HOST": host,
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
            "PREFECT_API_URL": f"http://{host}:{port}/api",
        }
    )
    return env


def wait_healthy(api_url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Prefect server 启动失败（退出码 {process.returncode}），日志：{log}\n{_tail(log)}"
            )
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"Prefect server 在 {timeout:.0f} 秒内未就绪，日志：{log}\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def prefect_server(
    home: Path,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 180.0,
    *,
    ui: bool = True,
) -> Iterator[RunningServer]:
    """Start `prefect server start`, wait until healthy, stop it (SIGTERM, then kill) at the end.

    Its output goes to `<home>/prefect/server-<port>.log`, never to the user's console."""
    port = port or free_port(host)
    env = server_env(home, host, port, ui=ui)
    log = home / "prefect" / f"server-{port}.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                host,
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_healthy(f"http://{host}:{port}/api", process, timeout, log)
        yield RunningServer(host, port, process, log)
    finally:
        stop(process)


def stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
