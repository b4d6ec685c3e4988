"""Fan chunks of work out as deployment runs, so the work pool's workers share them."""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import get_run_logger


async def deployed(name: str) -> bool:
    """Whether the deployment `flow/deployment` exists on the server this run talks to."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        try:
            await client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
    return True


async def run_chunks(
    deployment: str, what: str, parameters: list[dict[str, Any]], timeout: int
) -> list:
    """One run of `deployment` per parameter set, all at once (workers take them as they have
    room); the finished flow runs in order. Raises naming every chunk that did not complete."""
    from prefect.deployments import arun_deployment
    from prefect.runtime import flow_run

    parent, name = flow_run.get_id(), flow_run.get_name()
    get_run_logger().info("%s：分发 %d 块到工作池（部署 %s）", what, len(parameters), deployment)
    runs = await asyncio.gather(
        *(
            arun_deployment(
                deployment,
                parameters=params,
                flow_run_name=f"{name} · {what} {i + 1}/{len(parameters)}",
                idempotency_key=f"{parent}:{deployment}:{i}:{len(parameters)}",
                timeout=timeout,
                poll_interval=2,
            )
            for i, params in enumerate(parameters)
        )
    )
    failed = [(i, r) for i, r in enumerate(runs) if not (r.state and r.state.is_completed())]
    if failed:
        raise RuntimeError(
            f"{what}有块未完成："
            + "；".join(
                f"第 {i + 1} 块 {r.name}（{r.state.name if r.state else '未知'}）"
                for i, r in failed
            )
            + f"。超过 {timeout} 秒仍在排队时，请检查工作池是否有 worker 在运行"
            "（prefect worker start --pool campaignflow）"
        )
    return runs


def worker_of(run) -> str:
    """The worker that ran a flow run (Prefect labels each run it submits)."""
    return (run.labels or {}).get("prefect.worker.name", "（未知）")


def seconds(run) -> float | None:
    return round(run.total_run_time.total_seconds(), 1) if run.total_run_time else None
