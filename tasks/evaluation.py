"""民主测评: score every round of the campaign's ballot forms and store the results."""

from __future__ import annotations

import datetime as dt

from campaignflow.evaluation import RoundResult, evaluate_all, result_table
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact, workspace


@step(name="民主测评计分")
def evaluate_ballots(loaded: LoadedCampaign, stage: str, as_of: dt.date) -> list[RoundResult]:
    """Score and store each round; one table artifact per round (score, grade, class, reason)."""
    results = evaluate_all(engine=workspace().engine, loaded=loaded, as_of=as_of)
    for i, result in enumerate(results, 1):
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "evaluation", str(i)),
            table=result_table(result) or [{"被测评人": "（无测评票）"}],
            description=(
                f"{result.round}：测评票 {result.ballots} 张（有效 {result.valid} 张）；"
                + "，".join(f"{k} {v} 人" for k, v in result.classes.items())
            ),
        )
    return results
