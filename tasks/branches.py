"""Per-branch reports: plan the chunks, write a chunk, write them all here, check the result."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from campaignflow.chunks import chunked
from campaignflow.reports.branches import (
    ChunkResult,
    branch_folder,
    branch_units,
    completeness,
    write_branch_reports,
)
from campaignflow.spec import LoadedCampaign

from ._common import IO_RETRIES, artifact_key, step, table_artifact, workspace


@step(name="branches 列出支部并分块")
def plan_branch_chunks(loaded: LoadedCampaign, chunk_size: int) -> list[list[str]]:
    units = branch_units(workspace().engine, loaded)
    chunks = chunked(units, chunk_size)
    get_run_logger().info(
        "%d 个支部，分为 %d 块（每块至多 %d 个）", len(units), len(chunks), chunk_size
    )
    return chunks


@step(name="branch-chunk 写一块支部报告", **IO_RETRIES)
def write_branch_chunk(
    loaded: LoadedCampaign, stage: str, as_of: dt.date, units: list[str]
) -> ChunkResult:
    ws = workspace()
    result = write_branch_reports(
        engine=ws.engine, loaded=loaded, home=ws.home, stage=stage, as_of=as_of, units=units
    )
    get_run_logger().info(
        "%d 个支部、%d 个文件，用时 %.1f 秒（%s … %s）",
        len(units),
        result.files,
        result.seconds,
        units[0],
        units[-1],
    )
    return result


@step(name="branch-pool 在本机写各支部报告")
def write_chunks_here(
    spec_path: str, stage: str, as_of: dt.date, chunks: list[list[str]]
) -> list[ChunkResult]:
    """Every chunk in a pool of local processes (one per core), progress in the log."""
    from campaignflow.reports.branch_pool import default_workers, write_chunks

    logger = get_run_logger()
    workers = min(default_workers(), len(chunks))
    done: list[ChunkResult] = []

    def progress(result: ChunkResult) -> None:
        done.append(result)
        logger.info(
            "支部报告：%d/%d 块完成（%d 个支部）",
            len(done),
            len(chunks),
            sum(len(r.units) for r in done),
        )

    logger.info("本机 %d 个进程写 %d 块支部报告", workers, len(chunks))
    return write_chunks(
        settings=workspace().settings,
        spec_path=spec_path,
        stage=stage,
        as_of=as_of,
        chunks=chunks,
        workers=workers,
        on_done=progress,
    )


@step(name="branch-check 核对各支部报告")
def check_branch_reports(
    loaded: LoadedCampaign,
    stage: str,
    as_of: dt.date,
    chunks: list[list[str]],
    ran: list[dict],
) -> dict:
    """Every branch has exactly one report: fail the run naming the missing or repeated ones.
    `ran`: per chunk, where it ran and how long it took (shown as a table artifact)."""
    ws = workspace()
    found = completeness(ws.engine, loaded, stage, as_of, [u for chunk in chunks for u in chunk])
    key = artifact_key(loaded.spec.campaign.id, stage, "branches")
    table_artifact(
        key=key, table=ran, description=f"各支部报告：{len(found.wanted)} 个支部，{len(chunks)} 块"
    )
    folder = branch_folder(ws.home, loaded, stage, as_of)
    create_markdown_artifact(
        key=f"{key}-summary",
        markdown=(
            f"**各支部报告**：{found.written}/{len(found.wanted)} 个支部已生成，"
            f"{len(chunks)} 块，在 {len({r['运行于'] for r in ran})} 处运行。\n\n文件夹：`{folder}`"
        ),
        description="各支部报告",
    )
    if not found.complete:
        raise RuntimeError(found.problem())
    return {"branches": len(found.wanted), "chunks": len(chunks), "folder": str(folder)}
