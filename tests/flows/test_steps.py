"""`tasks._common.step`: domain objects reach the task whole, without Prefect walking them."""

from __future__ import annotations

import asyncio

from prefect.utilities.annotations import opaque

from campaignflow.progress import AssignmentStatus, Progress
from tasks._common import Step, pass_whole, step


def _progress(n: int) -> Progress:
    items = [
        AssignmentStatus("m", "措施", "s", f"u{i}", f"单位{i}", None, False, None, "进行中", 0, [])
        for i in range(n)
    ]
    return Progress(stage="s", done=0, total=n, items=items)


def test_only_domain_objects_are_passed_whole():
    progress = _progress(2)
    assert isinstance(pass_whole(progress), opaque)
    assert isinstance(pass_whole([progress, progress]), opaque)
    for plain in ("s", 3, None, [], [1, progress], {"p": progress}, opaque(progress)):
        assert pass_whole(plain) is plain


def test_a_step_gets_the_object_itself_and_still_waits_for_futures(home, monkeypatch):
    from prefect import flow, task
    from prefect.client.orchestration import get_client
    from prefect.utilities import collections

    walked = []
    visit = collections.visit_collection

    def counting(expr, *args, **kwargs):
        walked.append(type(expr).__name__)
        return visit(expr, *args, **kwargs)

    progress = _progress(500)

    @task
    def upstream() -> int:
        return 7

    @step(name="收到")
    def receive(p: Progress, n: int, names: list[str]) -> tuple[int, int, list[str]]:
        assert p is progress  # not a copy
        return p.total, n, names

    assert isinstance(receive, Step)

    @flow
    def run_it():
        future = upstream.submit()
        monkeypatch.setattr(collections, "visit_collection", counting)
        monkeypatch.setattr("prefect.task_engine.visit_collection", counting)
        try:
            result = receive(progress, future, ["a"])
        finally:
            monkeypatch.undo()
        return result, future.task_run_id

    (total, n, names), upstream_id = run_it()
    assert (total, n, names) == (500, 7, ["a"])
    # the 500 items were never visited one by one (each would be an AssignmentStatus)
    assert "AssignmentStatus" not in walked

    async def inputs():
        from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

        async with get_client() as client:
            runs = await client.read_task_runs(
                task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="收到"))
            )
            return max(runs, key=lambda r: r.created).task_inputs

    recorded = asyncio.run(inputs())
    assert [i.id for i in recorded["n"]] == [upstream_id]  # the dependency is still recorded
