"""民主测评 of the run's snapshot: one table artifact per round."""

from __future__ import annotations

from campaignflow.evaluation import result_table
from campaignflow.snapshot import Snapshot
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact


@step(name="ballots 民主测评结果")
def show_evaluation(loaded: LoadedCampaign, stage: str, snap: Snapshot) -> None:
    """Score, grade, class and reason per person, per round (as scored in the snapshot)."""
    for i, result in enumerate(snap.evaluation, 1):
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "evaluation", str(i)),
            table=result_table(result) or [{"被测评人": "（无测评票）"}],
            description=(
                f"{result.round}：测评票 {result.ballots} 张（有效 {result.valid} 张）；"
                + "，".join(f"{k} {v} 人" for k, v in result.classes.items())
            ),
        )
