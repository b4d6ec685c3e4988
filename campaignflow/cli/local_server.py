"""One Prefect server per data folder: started on first need, kept, reused by every command.

Its state lives in `<data folder>/prefect/`: Prefect's database, `server.pid` (the name Prefect's
own `prefect server start --background` uses, so `PREFECT_HOME=… prefect server stop` stops it
too), `server.json` (port, pid, data folder, log) and `server.log` (everything it prints: the
process never holds the caller's terminal or pipes). Starting is serialised by a lock file, so
two commands started at once on a fresh folder start (and migrate) one server; the second waits
and reuses it. A server that died, hangs, or answers for another data folder is cleaned up and
replaced. It stops by itself after `CAMPAIGNFLOW_SERVER_IDLE` seconds unused (default 2 hours).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import EXIT_FAILURE, CampaignflowError
from .prefect_server import ServerAddress, free_port

DEFAULT_PORT = 4200
IDLE_ENV = "CAMPAIGNFLOW_SERVER_IDLE"
DEFAULT_IDLE = 7200.0
START_TIMEOUT = 180.0
PID_FILE = "server.pid"  # prefect.cli._server_utils.SERVER_PID_FILE_NAME


class ServerError(CampaignflowError):
    """The data folder's server could not be started or reached."""

    exit_code = EXIT_FAILURE


@dataclass(frozen=True)
class ServerInfo(ServerAddress):
    """A running server of a data folder."""

    home: str
    host: str
    port: int
    pid: int
    log: str
    started: float

    def report_url(self, path: Path) -> str:
        """The HTTP address of a report file of this data folder."""
        from urllib.parse import quote

        relative = Path(path).resolve().relative_to(Path(self.home) / "reports")
        return f"{self.url}/campaignflow/reports/{quote(relative.as_posix())}"


def state_folder(home: Path) -> Path:
    folder = Path(home).resolve() / "prefect"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _state_file(home: Path) -> Path:
    return state_folder(home) / "server.json"


def read_state(home: Path) -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads(_state_file(home).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our own child that exited) is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _get(url: str, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read() or b"null") if response.status == 200 else None
    except (OSError, ValueError):
        return None


def belongs(info: ServerInfo, home: Path) -> bool:
    """The server answers, is healthy, and says it serves `home`."""
    answer = _get(f"{info.url}/campaignflow/info")
    return (
        answer is not None
        and Path(answer.get("home", "")) == Path(home).resolve()
        and _get(f"{info.api_url}/health") is not None
    )


def owner_of(api_url: str) -> str | None:
    """The data folder the server at `api_url` belongs to (None: not one of ours)."""
    answer = _get(f"{api_url.removesuffix('/api').rstrip('/')}/campaignflow/info")
    return answer.get("home") if answer else None


@contextmanager
def _locked(home: Path):
    with open(state_folder(home) / "server.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def status(home: Path) -> ServerInfo | None:
    """The folder's server when it is running and answering, else None (nothing changed)."""
    info = read_state(home)
    if info is None or not process_alive(info.pid) or not belongs(info, home):
        return None
    return info


def ensure_server(home: Path, port: int | None = None, host: str = "127.0.0.1") -> ServerInfo:
    """The data folder's server, started when it is not running (see the module doc)."""
    home = Path(home).resolve()
    with _locked(home):
        info = read_state(home)
        if info is not None and process_alive(info.pid):
            if (port is None or port == info.port) and _wait_belongs(info, home, 15.0):
                return info
            _stop_process(info.pid)  # hangs, answers for another folder, or another port wanted
        _clear(home)
        return _start(home, host, port)


def watch(
    home: Path,
    info: ServerInfo,
    say: Callable[[str], None],
    stop: threading.Event,
    interval: float | None = None,
    misses: int = 3,
) -> BaseException | None:
    """Until `stop` is set: check every `interval` seconds (CAMPAIGNFLOW_SERVER_WATCH, default
    5) that the folder's server answers; after `misses` checks in a row without an answer,
    restart it on the same port and `say` so. Returns the error when it cannot be restarted."""
    if interval is None:
        interval = float(os.environ.get("CAMPAIGNFLOW_SERVER_WATCH", "5"))
    missed = 0
    while not stop.wait(interval):
        if belongs(info, home):
            missed = 0
            continue
        missed += 1
        if missed < misses:
            continue
        say(f"服务器 {info.url} 没有响应（进程 {info.pid}），正在重启……")
        try:
            info = ensure_server(home, port=info.port, host=info.host)
        except Exception as exc:  # noqa: BLE001 - the caller ends the command with it
            return exc
        say(f"服务器已重启：{info.url}（进程 {info.pid}）")
        missed = 0
    return None


def _wait_belongs(info: ServerInfo, home: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if belongs(info, home):
            return True
        if time.monotonic() > deadline or not process_alive(info.pid):
            return False
        time.sleep(0.25)


def _start(home: Path, host: str, port: int | None) -> ServerInfo:
    if port is None:
        port = DEFAULT_PORT if _port_free(host, DEFAULT_PORT) else free_port(host)
    elif not _port_free(host, port):
        raise ServerError(
            f"端口 {port} 已被占用：换一个端口（--port），或先停止占用它的程序"
            f"（若是另一个数据文件夹的服务器：campaignflow server stop）"
        )
    folder = state_folder(home)
    log = folder / "server.log"
    idle = os.environ.get(IDLE_ENV, "").strip() or str(DEFAULT_IDLE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    env.pop("PREFECT_API_URL", None)
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n== {time.strftime('%Y-%m-%d %H:%M:%S')} 启动（端口 {port}）\n")
        out.flush()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "campaignflow.cli.server_process",
                "--home",
                str(home),
                "--host",
                host,
                "--port",
                str(port),
                "--idle",
                idle,
            ],  # fmt: skip
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    info = ServerInfo(str(home), host, port, process.pid, str(log), time.time())
    (folder / PID_FILE).write_text(str(process.pid), encoding="ascii")
    _state_file(home).write_text(json.dumps(asdict(info)), encoding="utf-8")
    deadline = time.monotonic() + START_TIMEOUT
    while not belongs(info, home):
        if process.poll() is not None:
            _clear(home)
            raise ServerError(
                f"Prefect 服务器启动失败（退出码 {process.returncode}）：详见日志 {log}\n{_tail(log)}"
            )
        if time.monotonic() > deadline:
            _stop_process(process.pid)
            _clear(home)
            raise ServerError(f"Prefect 服务器在 {START_TIMEOUT:.0f} 秒内未就绪：详见日志 {log}")
        time.sleep(0.25)
    return info


def _tail(log: Path, lines: int = 8) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def _clear(home: Path) -> None:
    folder = state_folder(home)
    for name in ("server.json", PID_FILE):
        (folder / name).unlink(missing_ok=True)


def _stop_process(pid: int, grace: float = 20.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
    deadline = time.monotonic() + grace
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if process_alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:  # reap it when it is our child (tests, `server` in the foreground)
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_server(home: Path) -> ServerInfo | None:
    """Stop the folder's server; the one stopped (None: none was running)."""
    home = Path(home).resolve()
    with _locked(home):
        info = read_state(home)
        if info is not None and process_alive(info.pid):
            _stop_process(info.pid)
        else:
            info = None
        _clear(home)
        return info
