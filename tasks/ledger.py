"""The 问题 → 整改 ledger of the run's snapshot: open problems by unit and the 对账 table."""

from __future__ import annotations

from campaignflow.ledger import reconciliation_table
from campaignflow.snapshot import Snapshot
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact


@step(name="ledger 台账对账")
def show_ledger(loaded: LoadedCampaign, stage: str, snap: Snapshot) -> None:
    """对账 as of the snapshot's date, as two table artifacts."""
    result = snap.ledger
    if not result.problems:
        return
    table_artifact(
        key=artifact_key(loaded.spec.campaign.id, stage, "open-problems"),
        table=[{"责任单位": unit, "未整改完成的问题": n} for unit, n in result.open_by_unit.items()]
        or [{"责任单位": "（全部整改完成）", "未整改完成的问题": 0}],
        description=(
            f"问题 {result.problems} 个，整改措施 {result.measures} 条，已销号 "
            f"{result.measures_closed} 条，逾期 {len(result.overdue)} 条（截至 {snap.as_of}）"
        ),
    )
    table_artifact(
        key=artifact_key(loaded.spec.campaign.id, stage, "reconciliation"),
        table=reconciliation_table(result),
        description=f"对账：按责任单位统计问题与整改措施（截至 {snap.as_of}）",
    )
