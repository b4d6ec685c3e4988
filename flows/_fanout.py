"""Fan chunks of work out as deployment runs, so the work pool's workers share them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from prefect import get_run_logger

from campaignflow.errors import CampaignflowError

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

# what a chunk flow's decorator takes so that the run that fanned it out can read its result
CHUNK_RESULTS = {"persist_result": True, "result_serializer": "json"}


async def deployed(name: str, stale_after: float = 120.0) -> bool:
    """Whether chunk runs of the deployment `flow/deployment` would be taken: it exists on the
    server this run talks to, and it is served (no work pool) or its pool has a worker that sent
    a heartbeat in the last `stale_after` seconds. Otherwise the caller works here, with a log line."""
    import datetime as dt

    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        try:
            deployment = await client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
        pool = deployment.work_pool_name
        if not pool:
            return True
        workers = await client.read_workers_for_work_pool(pool)
    now = dt.datetime.now(dt.UTC)
    alive = [
        w
        for w in workers
        if w.last_heartbeat_time and (now - w.last_heartbeat_time).total_seconds() < stale_after
    ]
    if not alive:
        get_run_logger().warning(
            "部署 %s 的工作池 %s 没有在线的 worker：改在本机运行（启动 worker 见 deployments/README.md）",
            name,
            pool,
        )
    return bool(alive)


def worker_of(run: FlowRun) -> str:
    """The worker that ran a flow run (Prefect labels each run it submits)."""
    return (run.labels or {}).get("prefect.worker.name", "（未知）")


async def run_chunks(
    deployment: str, what: str, parameters: list[dict[str, Any]], timeout: int, prefix: str = ""
) -> list[tuple[FlowRun, Any]]:
    """One run of `deployment` per parameter set, all at once (workers take them as they have
    room), named `<this run> · <prefix>第 i/n 块`; the finished runs in order, each with the
    value its flow returned (chunk flows persist their results as JSON, see `CHUNK_RESULTS`).
    Raises naming every chunk that did not complete."""
    from prefect.deployments import arun_deployment
    from prefect.runtime import flow_run

    parent, name = flow_run.get_id(), flow_run.get_name()
    get_run_logger().info("%s：分发 %d 块到工作池（部署 %s）", what, len(parameters), deployment)
    runs = await asyncio.gather(
        *(
            arun_deployment(
                deployment,
                parameters=params,
                flow_run_name=f"{name} · {prefix}第 {i + 1}/{len(parameters)} 块",
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
    return [(run, await _result(run, what)) for run in runs]


async def _result(run: FlowRun, what: str) -> Any:
    """What a completed chunk run returned, read from the result storage it persisted to."""
    from prefect.exceptions import MissingResult

    try:
        return await run.state.aresult(raise_on_failure=True)
    except (OSError, ValueError, MissingResult) as exc:
        raise CampaignflowError(
            f"{what}：读不到第 {run.name} 块的结果（{exc}）：各 worker 须把结果写在数据文件夹里"
            "（PREFECT_RESULTS_LOCAL_STORAGE_PATH=$CAMPAIGNFLOW_HOME/prefect/results，见 deployments/README.md）"
        ) from None
