"""The 问题 → 整改 ledger: reconciliation and open problems by unit."""

from __future__ import annotations

import datetime as dt

from campaignflow.ledger import Reconciliation, reconcile, reconciliation_table
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact, workspace


@step(name="台账对账")
def reconcile_ledger(loaded: LoadedCampaign, stage: str, as_of: dt.date) -> Reconciliation:
    """对账 as of `as_of`; open problems by unit as a table artifact."""
    result = reconcile(engine=workspace().engine, loaded=loaded, as_of=as_of)
    if result.problems:
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "open-problems"),
            table=[{"责任单位": unit, "未销号问题": n} for unit, n in result.open_by_unit.items()]
            or [{"责任单位": "（全部已销号）", "未销号问题": 0}],
            description=(
                f"问题 {result.problems} 条，整改措施 {result.measures} 条，已销号 {result.measures_closed} 条，"
                f"逾期 {len(result.overdue)} 条"
            ),
        )
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "reconciliation"),
            table=reconciliation_table(result),
            description=f"对账：按责任单位统计问题与整改措施（截至 {as_of}）",
        )
    return result
