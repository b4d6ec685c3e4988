"""Shared task options and the per-process workspace."""

from __future__ import annotations

from prefect.cache_policies import NONE

from campaignflow.workspace import Workspace, open_workspace

# Steps pass live domain objects (the loaded campaign) in-process: no caching, no persistence.
STEP = {"cache_policy": NONE, "persist_result": False}
IO_RETRIES = {"retries": 2, "retry_delay_seconds": [1, 5]}


def workspace() -> Workspace:
    """The campaign database and data folder of this process (from the environment)."""
    return open_workspace()


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
