"""Shared task options, the `step` decorator and the per-process workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import Task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import BaseAnnotation, opaque

from campaignflow.workspace import Workspace, open_workspace

# Steps pass live domain objects (the loaded campaign) in-process: no caching, no persistence.
STEP = {"cache_policy": NONE, "persist_result": False}
IO_RETRIES = {"retries": 2, "retry_delay_seconds": [1, 5]}

_DOMAIN = "campaignflow."


def _is_domain(value: Any) -> bool:
    return type(value).__module__.startswith(_DOMAIN)


def pass_whole(value: Any) -> Any:
    """`value` wrapped in Prefect's `opaque` when it is one of our domain objects (or a list of
    them), so that Prefect hands it to the task as it is instead of walking every field of every
    nested object looking for futures.

    Prefect walks each task argument twice per call (task inputs when creating the run, future
    resolution before calling it), which for a loaded campaign means every person's pydantic
    model. Our domain objects never hold futures or states, so nothing is lost; a future passed
    as an argument itself is still waited for and recorded as an input."""
    if isinstance(value, BaseAnnotation):
        return value
    if _is_domain(value) or (
        isinstance(value, list) and value and all(_is_domain(v) for v in value)
    ):
        return opaque(value)
    return value


class Step(Task):
    """A Prefect task whose domain-object arguments are passed whole (see `pass_whole`)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return super().__call__(
            *(pass_whole(a) for a in args), **{k: pass_whole(v) for k, v in kwargs.items()}
        )

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        return super().submit(
            *(pass_whole(a) for a in args), **{k: pass_whole(v) for k, v in kwargs.items()}
        )


def step(**options: Any) -> Callable[[Callable[..., Any]], Step]:
    """Like `@task(**options, **STEP)`, as a `Step`: `@step(name="gate 关口检查")` (a Latin word first: Prefect's run graph draws only ASCII)."""

    def decorate(fn: Callable[..., Any]) -> Step:
        return Step(fn=fn, **{**STEP, **options})

    return decorate


def workspace() -> Workspace:
    """The campaign database and data folder of this process (from the environment)."""
    return open_workspace()


def same_data_folder(expected: str | None) -> None:
    """Refuse work meant for another data folder (a chunk run handed to a worker or a served
    deployment that was started for a different CAMPAIGNFLOW_HOME)."""
    from pathlib import Path

    from campaignflow.errors import CampaignflowError

    here = workspace().home.resolve()
    if expected and Path(expected).resolve() != here:
        raise CampaignflowError(
            f"这块工作属于数据文件夹 {expected}，而执行它的进程用的是 {here}：请让 worker"
            "（或 campaignflow server）使用同一个 CAMPAIGNFLOW_HOME（及数据库），再重新运行"
        )


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    text = "-".join(parts).lower().replace("_", "-")
    return "".join(ch if ch.isalnum() and ch.isascii() or ch == "-" else "-" for ch in text)


ROW_LIMIT = 200  # a table artifact is for reading in the UI; the full lists are in the reports


def table_artifact(*, key: str, table: list[dict], description: str) -> None:
    """A table artifact of at most ROW_LIMIT rows (the description says when rows were left out)."""
    from prefect.artifacts import create_table_artifact

    if len(table) > ROW_LIMIT:
        description += (
            f"（共 {len(table)} 行，此处显示前 {ROW_LIMIT} 行；完整内容见报告或导出的台账）"
        )
        table = table[:ROW_LIMIT]
    create_table_artifact(key=key, table=table, description=description)
