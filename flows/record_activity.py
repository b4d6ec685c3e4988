"""Record one activity (支委会、主题党日 …) through a form in the Prefect UI."""

from __future__ import annotations

from prefect import flow

from tasks.runinfo import add_tags
from tasks.spec import load_campaign, sync_spec
from tasks.ui_input import ask_activity


@flow(name="record-activity", persist_result=False)
async def record_activity(spec_path: str, form: str, timeout: int = 3600) -> dict:
    """Wait for a person to fill in an activity in the UI; store it like an imported row."""
    loaded = load_campaign(spec_path)
    await add_tags(f"campaign:{loaded.spec.campaign.id}", "input:activity")
    sync_spec(loaded)
    return await ask_activity(loaded, form, timeout)
