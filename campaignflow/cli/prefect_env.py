"""Running flows from the CLI: quiet, all Prefect state under the data folder, no event lost.

With PREFECT_API_URL set, runs go to that server (and show in its UI). Otherwise they go to the
data folder's own Prefect server (`local_server`: started on first need, kept), so every run is
in the UI from the first command on; the command waits until the server has recorded every task
run before it returns. (Prefect's in-process ephemeral server printed "database is locked"
tracebacks and could lose the last events at exit; a server process of its own does neither.)
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import EXIT_FAILURE, CampaignflowError
from ..settings import load_settings

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


class FlowFailed(CampaignflowError, RuntimeError):
    """The flow run ended in a failed state; the message says why, and where the log is."""

    exit_code = EXIT_FAILURE


def failure_text(state: Any) -> str:
    """One line: the cause (the domain error's own Chinese message when there is one) and the
    log with the whole traceback."""
    message = state.message or ""
    cause = message.split("encountered an exception: ", 1)[-1]
    for prefix in ("CampaignflowError: ", "ValueError: ", "RuntimeError: "):
        cause = cause.removeprefix(prefix)
    name, _, rest = cause.partition(": ")
    if rest and name.isidentifier() and name[:1].isupper():
        cause = rest if any("\u4e00" <= ch <= "\u9fff" for ch in rest) else cause
    log = log_file(load_settings().home)
    return f"运行未成功（{state.name}）：{cause.strip() or '原因不明'}（完整日志：{log}）"


def _flow(entrypoint: str) -> Any:
    module, name = entrypoint.split(":")
    return getattr(importlib.import_module(module), name)


@contextmanager
def prefect_session() -> Iterator[str]:
    """Make PREFECT_API_URL point at a server for the block: the one configured
    (PREFECT_API_URL, e.g. production), else the data folder's own server, started when it is
    not running and kept for the next command (`local_server`). A run never goes to the server
    of another data folder."""
    from .local_server import ServerError, ensure_server, owner_of

    settings = load_settings()
    os.environ.update(QUIET)
    os.environ.setdefault("PREFECT_HOME", str(settings.home / "prefect"))
    log_to_file(settings.home)
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        owner = owner_of(configured)
        if owner is not None and Path(owner) != settings.home:
            raise ServerError(
                f"PREFECT_API_URL（{configured}）是数据文件夹 {owner} 的服务器，而本次运行的数据文件夹是 "
                f"{settings.home}：请去掉 PREFECT_API_URL（将自动使用本文件夹的服务器），"
                "或把 CAMPAIGNFLOW_HOME 设为该服务器的文件夹"
            )
        yield configured
        return
    server = ensure_server(settings.home)
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)


LOGGING = """\
# written by campaignflow for each command: Prefect's logs go to {log}, the console shows
# only the command's own lines (and Prefect's critical errors)
version: 1
disable_existing_loggers: False
formatters:
  standard:
    (): prefect.logging.formatters.PrefectFormatter
    format: "%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"
    flow_run_fmt: "%(asctime)s | %(levelname)-7s | Flow run %(flow_run_name)r - %(message)s"
    task_run_fmt: "%(asctime)s | %(levelname)-7s | Task run %(task_run_name)r - %(message)s"
handlers:
  console:
    level: CRITICAL
    class: prefect.logging.handlers.PrefectConsoleHandler
    formatter: standard
    stream: ext://sys.stderr
  file:
    level: INFO
    class: logging.handlers.RotatingFileHandler
    formatter: standard
    filename: "{log}"
    maxBytes: 10000000
    backupCount: 3
    encoding: utf-8
  api:
    level: 0
    class: prefect.logging.handlers.APILogHandler
loggers:
  prefect:
    level: INFO
  prefect.flow_runs:
    level: NOTSET
    handlers: [api]
  prefect.task_runs:
    level: NOTSET
    handlers: [api]
  prefect._internal:
    level: WARNING
    propagate: true
  httpx:
    level: WARNING
  httpcore:
    level: WARNING
root:
  level: INFO
  handlers: [console, file]
"""


def log_file(home: Path) -> Path:
    """Where a command's Prefect logs (and a failed run's traceback) go."""
    folder = Path(home) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "campaignflow.log"


def log_to_file(home: Path) -> Path:
    """Point Prefect's logging at the data folder's log file (before Prefect is imported)."""
    log = log_file(home)
    config = Path(home) / "prefect" / "logging.yml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(LOGGING.format(log=log), encoding="utf-8")
    os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(config))
    return log


LAST_RUN: dict[str, str] = {}  # the id of the flow run `run_flow` made last


def run_url(api_url: str | None = None) -> str | None:
    """The UI page of the last run (None when unknown)."""
    api_url = api_url or os.environ.get("PREFECT_API_URL")
    if not api_url or "id" not in LAST_RUN:
        return None
    return f"{api_url.removesuffix('/api').rstrip('/')}/runs/flow-run/{LAST_RUN['id']}"


def run_flow(entrypoint: str, **parameters: Any) -> Any:
    """Run the async flow at `module:name` to completion and return its result (raises FlowFailed).

    Prefect reads its settings when first imported, so the flow is imported only once the
    environment (and the private server) is ready."""
    with prefect_session() as api_url:
        result = asyncio.run(_run(_flow(entrypoint), parameters))
        LAST_RUN["url"] = run_url(api_url) or ""
        return result


async def _run(flow: Any, parameters: dict[str, Any]) -> Any:
    state = await flow(**parameters, return_state=True)
    LAST_RUN["id"] = str(state.state_details.flow_run_id)
    await settle(state.state_details.flow_run_id)
    if not state.is_completed():
        raise FlowFailed(failure_text(state))
    result = state.result(raise_on_failure=False)
    return await result if inspect.isawaitable(result) else result


async def settle(flow_run_id: Any, timeout: float = 30.0) -> None:
    """Wait until the server has recorded every task run of the run tree in a final state."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterParentTaskRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    deadline = time.monotonic() + timeout
    await EventsWorker.drain_all(timeout=timeout)
    await APILogWorker.drain_all(timeout=timeout)
    final = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}
    last = None
    async with get_client() as client:
        while time.monotonic() < deadline:
            frontier, snapshot = [flow_run_id], []
            while frontier:
                runs = await client.read_task_runs(
                    task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=frontier))
                )
                snapshot += [(str(t.id), t.state.type.value if t.state else None) for t in runs]
                subflows = (
                    await client.read_flow_runs(
                        flow_run_filter=FlowRunFilter(
                            parent_task_run_id=FlowRunFilterParentTaskRunId(
                                any_=[t.id for t in runs]
                            )
                        )
                    )
                    if runs
                    else []
                )
                frontier = [f.id for f in subflows]
            snapshot.sort()
            if snapshot == last and all(s in final for _, s in snapshot):
                return
            last = snapshot
            await asyncio.sleep(0.25)
