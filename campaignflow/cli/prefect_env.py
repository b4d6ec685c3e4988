"""Running flows from the CLI: quiet, all Prefect state under the data folder, no event lost.

With PREFECT_API_URL set, runs go to that server (and show in its UI). Otherwise each command
starts a private Prefect server (its SQLite database in `<data folder>/prefect`, its output in a
log file there), runs the flow against it, waits until the server has recorded every task run,
and stops it. Measured (Prefect 3.9.1): the in-process ephemeral server prints "database is
locked" tracebacks and can cancel the task-run recorder mid-flush at exit; this way prints none.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..settings import load_settings

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


class FlowFailed(RuntimeError):
    """The flow run ended in a failed state; the message says why."""


def _flow(entrypoint: str) -> Any:
    module, name = entrypoint.split(":")
    return getattr(importlib.import_module(module), name)


@contextmanager
def prefect_session() -> Iterator[str]:
    """Make PREFECT_API_URL point at a server for the block: the one configured, or a private
    one started (and stopped) here. Nested sessions share it."""
    settings = load_settings()
    os.environ.update(QUIET)
    os.environ.setdefault("PREFECT_HOME", str(settings.home / "prefect"))
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    from .prefect_server import prefect_server

    with prefect_server(settings.home, ui=False) as server:
        os.environ["PREFECT_API_URL"] = server.api_url
        try:
            yield server.api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def run_flow(entrypoint: str, **parameters: Any) -> Any:
    """Run the async flow at `module:name` to completion and return its result (raises FlowFailed).

    Prefect reads its settings when first imported, so the flow is imported only once the
    environment (and the private server) is ready."""
    with prefect_session():
        return asyncio.run(_run(_flow(entrypoint), parameters))


async def _run(flow: Any, parameters: dict[str, Any]) -> Any:
    state = await flow(**parameters, return_state=True)
    await settle(state.state_details.flow_run_id)
    if not state.is_completed():
        raise FlowFailed(f"流程运行未成功（{state.name}）：{state.message or ''}")
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
