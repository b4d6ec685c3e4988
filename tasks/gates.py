"""The phase gate, as judged in the run's snapshot: a table artifact and warnings."""

from __future__ import annotations

from prefect import get_run_logger

from campaignflow.gates import GateResult
from campaignflow.snapshot import Snapshot
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact


@step(name="gate 关口检查")
def gate_check(loaded: LoadedCampaign, snap: Snapshot) -> GateResult:
    """Show the gate of the snapshot's stage as a table and log what is unmet; never raises."""
    result = snap.gate
    assert result is not None, "a gate needs the snapshot of a phase"
    logger = get_run_logger()
    if result.checks:
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, result.stage, "gate"),
            table=[
                {"条件": n, "结果": "满足" if ok else "未满足", "说明": d}
                for n, ok, d in result.checks
            ],
            description="关口条件：" + ("均已满足" if result.passed else "尚未全部满足"),
        )
    for reason in result.reasons:
        logger.warning("关口未满足：%s", reason)
    return result
