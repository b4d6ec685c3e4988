"""Label the current flow run for people watching the UI (tags `campaign:<id>`, `phase:<id>`)."""

from __future__ import annotations

from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext


async def add_tags(*tags: str) -> None:
    """Add tags to the running flow run (deployment runs get them too, whatever their parameters)."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    run = context.flow_run
    wanted = sorted(set(run.tags or []) | set(tags))
    if wanted == sorted(run.tags or []):
        return
    async with get_client() as client:
        await client.update_flow_run(run.id, tags=wanted)
