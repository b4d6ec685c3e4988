"""The deadline sweep flow: every active campaign's due and overdue items, and who to remind."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from campaignflow.naming import today
from tasks.deadlines import sweep_deadlines
from tasks.progress import refresh_progress
from tasks.spec import active_campaigns, load_campaign


@flow(name="deadline-sweep", persist_result=False)
async def deadline_sweep(as_of: dt.date | None = None) -> list[dict]:
    """For each campaign in the database whose window covers `as_of`: progress, overdue, digests."""
    as_of = as_of or today()
    results = []
    for spec_path in active_campaigns(as_of):
        loaded = load_campaign(spec_path)
        for stage in loaded.spec.stages:
            if stage.window and not (stage.window[0] <= as_of <= stage.window[1]):
                continue
            progress = refresh_progress(loaded, stage.id, as_of)
            digests = sweep_deadlines(loaded, progress, as_of)
            results.append(
                {
                    "campaign": loaded.spec.campaign.id,
                    "stage": stage.id,
                    "overdue": len(progress.overdue),
                    "digests": [{"unit": d.unit_name, "text": d.text} for d in digests],
                }
            )
    return results
