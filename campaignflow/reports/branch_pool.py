"""Write branch-report chunks on this machine, in a pool of worker processes (one per core).

Each worker process opens the campaign database from the settings it is given and loads the
campaign file once; a chunk is the unit of work. The calling process is one of the workers (it
has the report stack imported and the campaign loaded); the others are spawned, not forked: the
caller may be a Prefect flow with threads running.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..settings import Settings
from ..spec import LoadedCampaign
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

    def finished(i: int, result: ChunkResult) -> None:
        results[i] = result
        if on_done:
            on_done(result)

    if workers == 1:
        for i, job in enumerate(jobs):
            finished(i, _chunk_job(*job))
        return results  # type: ignore[return-value]
    # this process (imports and campaign loaded already) and `workers - 1` spawned ones take the
    # next chunk as each becomes free: one queue, so none is left waiting on another's backlog
    lock, order = threading.Lock(), iter(range(len(jobs)))
    done_in_pool: queue.Queue[tuple[int, Future]] = queue.Queue()

    def next_job() -> int | None:
        with lock:
            return next(order, None)

    from ..spec import load_cached

    loaded = load_cached(spec_path)  # this process's, handed to the others (cheaper than a load)
    pool = ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=get_context("spawn"),
        initializer=_adopt,
        initargs=(str(spec_path), loaded),
    )

    def submit() -> None:
        i = next_job()
        if i is None:
            return
        try:
            future = pool.submit(_chunk_job, *jobs[i])
        except Exception as exc:  # noqa: BLE001 - a broken pool: raised where results are read
            future = Future()
            future.set_exception(exc)
            done_in_pool.put((i, future))
            return
        future.add_done_callback(lambda f: (done_in_pool.put((i, f)), submit()))

    def collect(block: bool) -> None:
        while True:
            try:
                i, future = done_in_pool.get(block=block)
            except queue.Empty:
                return
            finished(i, future.result())  # a chunk's error (or the pool's) ends the run
            if block:
                return

    try:
        # started aside: handing a worker the campaign waits until it has imported enough to
        # read it
        starter = threading.Thread(target=lambda: [submit() for _ in range(workers - 1)])
        starter.start()
        while (i := next_job()) is not None:
            finished(i, _chunk_job(*jobs[i]))
            collect(block=False)  # report the pool's chunks as they finish
        starter.join()
        while any(r is None for r in results):
            collect(block=True)
    finally:
        # every chunk is written (or the run failed): the workers exit on their own, nobody
        # waits for their interpreters to wind down
        pool.shutdown(wait=False, cancel_futures=True)
    return results  # type: ignore[return-value]


def _adopt(spec_path: str, loaded: LoadedCampaign) -> None:
    """A spawned worker's start: the campaign as the parent loaded it (if the file is unchanged)."""
    from ..spec.loader import adopt

    adopt(spec_path, loaded)


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
