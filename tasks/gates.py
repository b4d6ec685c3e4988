"""The phase gate: entry criteria of this phase, exit criteria of the one before."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger

from campaignflow.gates import GateResult, check_gate
from campaignflow.metrics import MetricValue
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact, workspace


@step(name="关口检查")
def gate_check(
    loaded: LoadedCampaign, stage: str, as_of: dt.date, metrics: dict[str, MetricValue]
) -> GateResult:
    """Check the gate; the result is shown as a table and logged, never raised."""
    result = check_gate(
        engine=workspace().engine, loaded=loaded, stage=stage, as_of=as_of, metrics=metrics
    )
    logger = get_run_logger()
    if result.checks:
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "gate"),
            table=[
                {"条件": n, "结果": "满足" if ok else "未满足", "说明": d}
                for n, ok, d in result.checks
            ],
            description="关口条件：" + ("均已满足" if result.passed else "尚未全部满足"),
        )
    for reason in result.reasons:
        logger.warning("关口未满足：%s", reason)
    return result
