"""The final report flow: the campaign's closing summary."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from campaignflow.calendar import today
from campaignflow.reports.scope import ReportScope
from tasks.collect import collect
from tasks.reports import publish_report, render_final_report, show_overview
from tasks.runinfo import add_tags
from tasks.snapshot import snapshot
from tasks.spec import load_campaign, sync_spec

from ._names import final_run_name


@flow(name="final-report", flow_run_name=final_run_name, persist_result=False)
async def final_report(spec_path: str, as_of: dt.date | None = None) -> dict:
    """Sync, collect what is new, take the snapshot and write the closing report from it."""
    loaded = load_campaign(spec_path)
    as_of = as_of or today(loaded.spec.campaign.timezone)
    await add_tags(f"campaign:{loaded.spec.campaign.id}", "report:final")
    sync_spec(loaded)
    collect(loaded, "final")
    snap = snapshot(loaded, None, as_of)
    markdown = render_final_report(loaded, snap)
    published = publish_report(loaded, ReportScope.final(), snap, markdown)
    await show_overview(loaded, snap, published)
    return {
        "campaign": loaded.spec.campaign.id,
        "reports": {f: str(p) for f, p in published.files.items()},
    }
