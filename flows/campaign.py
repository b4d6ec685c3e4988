"""The campaign flow: its phases (in order, gate by gate) or tracks, as subflows, then the final report."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from campaignflow.calendar import today
from tasks.runinfo import add_tags
from tasks.spec import load_campaign

from ._names import campaign_run_name
from .final_report import final_report
from .phase import phase as phase_flow


@flow(name="campaign", flow_run_name=campaign_run_name, persist_result=False)
async def campaign(spec_path: str, as_of: dt.date | None = None) -> dict:
    """Run every phase that has started by `as_of`; a staged campaign stops at an unmet gate."""
    loaded = load_campaign(spec_path)
    as_of = as_of or today(loaded.spec.campaign.timezone)
    await add_tags(f"campaign:{loaded.spec.campaign.id}")
    outcomes, stopped = [], None
    for stage in loaded.spec.stages:
        if stage.window and stage.window[0] > as_of:
            continue  # not started yet
        outcome = await phase_flow(spec_path=spec_path, phase=stage.id, as_of=as_of)
        outcomes.append(outcome)
        if loaded.spec.staged and not outcome["gate_passed"]:
            stopped = stage.id
            break
    last = loaded.spec.stages[-1]
    final = None
    if stopped is None and (last.window is None or last.window[1] <= as_of):
        final = await final_report(spec_path=spec_path, as_of=as_of)
    return {
        "campaign": loaded.spec.campaign.id,
        "phases": outcomes,
        "stopped_at": stopped,
        "final": final,
    }
