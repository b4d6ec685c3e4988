"""Activities of the run's snapshot: the 支部工作条例 cadence shortfalls per unit."""

from __future__ import annotations

from campaignflow.snapshot import Snapshot
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact


@step(name="cadence 组织生活频次检查")
def show_cadence(loaded: LoadedCampaign, stage: str, snap: Snapshot) -> None:
    """Shortfalls against the norms (支委会 monthly, 党员大会 quarterly …) as a table artifact."""
    result = snap.activities.cadence
    table_artifact(
        key=artifact_key(loaded.spec.campaign.id, stage, "cadence"),
        table=[
            {"党组织": s.unit, "活动类型": s.type, "期间": s.period, "要求": s.rule, "实际": s.held}
            for s in result.shortfalls
        ]
        or [{"党组织": "（无缺项）", "活动类型": "", "期间": "", "要求": "", "实际": 0}],
        description=f"检查期间 {result.checked_from} 至 {result.checked_to}，缺项 {len(result.shortfalls)} 处",
    )
