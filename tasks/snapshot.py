"""The run's snapshot: every figure of the phase (or final) report, computed once."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger

from campaignflow.snapshot import Snapshot, take_snapshot
from campaignflow.spec import LoadedCampaign

from ._common import step, workspace


@step(name="snapshot 汇总数据（快照）")
def snapshot(loaded: LoadedCampaign, stage: str | None, as_of: dt.date) -> Snapshot:
    """Progress, metrics, gate, 对账, 民主测评 and activities as of `as_of`, in one go: the gate,
    the artifacts, the report and its charts all read this."""
    snap = take_snapshot(engine=workspace().engine, loaded=loaded, as_of=as_of, stage=stage)
    parts = "，".join(f"{k} {v:.2f}s" for k, v in snap.timings.items())
    get_run_logger().info("快照（截至 %s）：%s", as_of, parts)
    return snap
