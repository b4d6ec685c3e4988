"""Per-branch reports for one phase, in chunks: across Prefect workers when the chunk deployment
is deployed, else in a pool of processes on this machine."""

from __future__ import annotations

import asyncio
import datetime as dt

from prefect import flow, get_run_logger

from campaignflow.naming import today
from tasks.branches import (
    check_branch_reports,
    plan_branch_chunks,
    write_branch_chunk,
    write_chunks_here,
)
from tasks.spec import load_campaign

from ._names import branch_run_name

CHUNK_FLOW = "branch-report-chunk"
CHUNK_DEPLOYMENT = f"{CHUNK_FLOW}/{CHUNK_FLOW}"


@flow(name=CHUNK_FLOW, persist_result=False)
async def branch_report_chunk(spec_path: str, phase: str, as_of: dt.date, units: list[str]) -> dict:
    """Write the reports of the branches in `units` (one chunk; run by a worker)."""
    loaded = load_campaign(spec_path)
    result = write_branch_chunk(loaded, phase, as_of, units)
    return {"units": len(result.units), "files": result.files, "seconds": result.seconds}


@flow(name="branch-reports", flow_run_name=branch_run_name, persist_result=False)
async def branch_reports(
    spec_path: str,
    phase: str,
    as_of: dt.date | None = None,
    chunk_size: int = 50,
    fan_out: bool | None = None,
    chunk_timeout: int = 3600,
) -> dict:
    """One report per 党支部, `chunk_size` branches per chunk. `fan_out`: None = across workers
    when the `branch-report-chunk` deployment exists, True = must, False = on this machine."""
    loaded = load_campaign(spec_path)
    as_of = as_of or today(loaded.spec.campaign.timezone)
    chunks = plan_branch_chunks(loaded, chunk_size)
    deployed = fan_out is not False and await _chunk_deployment_exists()
    if fan_out and not deployed:
        raise RuntimeError(
            f"要求分发到各 worker，但 Prefect 服务器上没有部署 {CHUNK_DEPLOYMENT}："
            "请先 prefect deploy（见 deployments/README.md）"
        )
    if deployed:
        ran = await _run_on_workers(spec_path, phase, as_of, chunks, chunk_timeout)
    else:
        results = write_chunks_here(spec_path, phase, as_of, chunks)
        ran = [
            {
                "块": i + 1,
                "支部": len(r.units),
                "文件": r.files,
                "运行于": "本机进程池",
                "秒": r.seconds,
            }
            for i, r in enumerate(results)
        ]
    return check_branch_reports(loaded, phase, as_of, chunks, ran)


async def _chunk_deployment_exists() -> bool:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        try:
            await client.read_deployment_by_name(CHUNK_DEPLOYMENT)
        except ObjectNotFound:
            return False
    return True


async def _run_on_workers(
    spec_path: str, phase: str, as_of: dt.date, chunks: list[list[str]], timeout: int
) -> list[dict]:
    """One deployment run per chunk, all at once; workers take them as they have room."""
    from prefect.deployments import arun_deployment
    from prefect.runtime import flow_run

    logger = get_run_logger()
    parent = flow_run.get_id()
    logger.info("分发 %d 块到工作池（部署 %s）", len(chunks), CHUNK_DEPLOYMENT)
    runs = await asyncio.gather(
        *(
            arun_deployment(
                CHUNK_DEPLOYMENT,
                parameters={"spec_path": spec_path, "phase": phase, "as_of": as_of, "units": units},
                flow_run_name=f"{flow_run.get_name()} · 第 {i + 1}/{len(chunks)} 块",
                idempotency_key=f"{parent}:{i}:{len(chunks)}",
                timeout=timeout,
                poll_interval=2,
            )
            for i, units in enumerate(chunks)
        )
    )
    failed = [(i, r) for i, r in enumerate(runs) if not (r.state and r.state.is_completed())]
    if failed:
        raise RuntimeError(
            "支部报告有块未完成："
            + "；".join(
                f"第 {i + 1} 块 {r.name}（{r.state.name if r.state else '未知'}）"
                for i, r in failed
            )
            + f"。超过 {timeout} 秒仍在排队时，请检查是否有 worker 在运行（prefect worker start --pool …）"
        )
    return [
        {
            "块": i + 1,
            "支部": len(chunks[i]),
            "运行于": (r.labels or {}).get("prefect.worker.name", "（未知）"),
            "流程运行": r.name,
            "秒": round(r.total_run_time.total_seconds(), 1) if r.total_run_time else None,
        }
        for i, r in enumerate(runs)
    ]
