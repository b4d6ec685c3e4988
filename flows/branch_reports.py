"""Per-branch reports for one phase, in chunks: across Prefect workers when the chunk deployment
is deployed, else in a pool of processes on this machine."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from prefect import flow

from campaignflow.calendar import today
from campaignflow.reports.branches import ChunkResult
from tasks._common import same_data_folder, workspace
from tasks.branches import (
    check_branch_reports,
    plan_branch_chunks,
    write_branch_chunk,
    write_chunks_here,
)
from tasks.spec import load_campaign

from ._fanout import CHUNK_RESULTS, deployed, run_chunks, worker_of
from ._names import branch_run_name

CHUNK_FLOW = "branch-report-chunk"
CHUNK_DEPLOYMENT = f"{CHUNK_FLOW}/{CHUNK_FLOW}"
HERE = "本机进程池"  # where chunks ran when no worker took them


@flow(name=CHUNK_FLOW, **CHUNK_RESULTS)
async def branch_report_chunk(
    spec_path: str, phase: str, as_of: dt.date, units: list[str], data_folder: str | None = None
) -> dict:
    """Write the reports of the branches in `units` (one chunk; run by a worker of the same
    `data_folder`): what it wrote, for the run that fanned the chunk out."""
    same_data_folder(data_folder)
    loaded = load_campaign(spec_path)
    return asdict(write_branch_chunk(loaded, phase, as_of, units))


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
    on_workers = fan_out is not False and await deployed(CHUNK_DEPLOYMENT)
    if fan_out and not on_workers:
        raise RuntimeError(
            f"要求分发到各 worker，但 Prefect 服务器上没有部署 {CHUNK_DEPLOYMENT}，"
            "或其工作池没有在线的 worker：请先 prefect deploy 并启动 worker（见 deployments/README.md）"
        )
    if on_workers:
        params = [
            {
                "spec_path": spec_path,
                "phase": phase,
                "as_of": as_of,
                "units": units,
                "data_folder": str(workspace().home),
            }  # fmt: skip
            for units in chunks
        ]
        done = await run_chunks(CHUNK_DEPLOYMENT, "支部报告", params, chunk_timeout)
        results = [(ChunkResult(**result), worker_of(run)) for run, result in done]
    else:
        results = [(r, HERE) for r in write_chunks_here(spec_path, phase, as_of, chunks)]
    ran = [
        {
            "块": i + 1,
            "支部": len(r.units),
            "文件": r.files,
            "运行于": where,
            "秒": round(r.seconds, 1),
        }
        for i, (r, where) in enumerate(results)
    ]
    return check_branch_reports(loaded, phase, as_of, chunks, ran)
