"""A trivial flow for "the next run starts in" (imported only once Prefect's environment is set)."""

from __future__ import annotations

import time

from prefect import flow

STARTED: list[float] = []


@flow(name="bench-noop", persist_result=False)
async def noop() -> str:
    """Records when its body starts."""
    STARTED.append(time.perf_counter())
    return "ok"
