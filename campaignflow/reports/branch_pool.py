"""Write branch-report chunks on this machine, in a pool of worker processes (one per core).

Each worker process opens the campaign database from the settings it is given and loads the
campaign file once; a chunk is the unit of work. Processes are spawned (not forked): the caller
may be a Prefect flow with threads running.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from ..settings import Settings
from .branches import ChunkResult


def default_workers() -> int:
    """One process per core this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def write_chunks(
    *,
    settings: Settings,
    spec_path: str | Path,
    stage: str,
    as_of: dt.date,
    chunks: list[list[str]],
    workers: int | None = None,
    on_done: Callable[[ChunkResult], None] | None = None,
) -> list[ChunkResult]:
    """Every chunk written (results in chunk order); `on_done` is called as each one finishes."""
    workers = min(workers or default_workers(), len(chunks)) or 1
    jobs = [
        (str(settings.home), settings.database_url, str(spec_path), stage, as_of, c) for c in chunks
    ]
    results: list[ChunkResult | None] = [None] * len(jobs)
    if workers == 1:
        for i, job in enumerate(jobs):
            results[i] = _chunk_job(*job)
            if on_done:
                on_done(results[i])
        return results  # type: ignore[return-value]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_chunk_job, *job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if on_done:
                on_done(results[futures[future]])
    return results  # type: ignore[return-value]


def _chunk_job(
    home: str, database_url: str, spec_path: str, stage: str, as_of: dt.date, units: list[str]
) -> ChunkResult:
    from ..spec import load_cached
    from ..workspace import open_workspace
    from .branches import write_branch_reports

    workspace = open_workspace(Settings(home=Path(home), database_url=database_url))
    return write_branch_reports(
        engine=workspace.engine,
        loaded=load_cached(spec_path),  # once per process while the file is unchanged
        home=workspace.home,
        stage=stage,
        as_of=as_of,
        units=units,
    )
