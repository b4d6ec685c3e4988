"""The phase flow: one phase (or track) of a campaign, as of a date."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from campaignflow.calendar import today
from campaignflow.reports.scope import ReportScope
from tasks.activities import show_cadence
from tasks.deadlines import sweep_deadlines
from tasks.evaluation import show_evaluation
from tasks.gates import gate_check
from tasks.ledger import show_ledger
from tasks.progress import show_progress, start_progress
from tasks.reports import publish_report, render_phase_report, show_overview
from tasks.runinfo import add_tags
from tasks.snapshot import snapshot
from tasks.spec import load_campaign, sync_spec
from tasks.ui_input import ask_sign_off

from ._names import phase_run_name
from .branch_reports import branch_reports
from .inbox_import import collect_in_chunks


@flow(name="phase", flow_run_name=phase_run_name, persist_result=False)
async def phase(
    spec_path: str,
    phase: str,
    as_of: dt.date | None = None,
    ask_sign_off_in_ui: bool = False,
    sign_off_timeout: int = 3600,
    branch_chunk_size: int = 50,
    inbox_files_per_chunk: int = 20,
) -> dict:
    """Run one phase: sync, collect, take the snapshot, then gate, deadlines, ledger,
    evaluation, cadence and the report — all from that one snapshot. With `ask_sign_off_in_ui`,
    wait for the phase's sign-off in the Prefect UI (up to the timeout) before the snapshot.
    With `reports.branches` in the spec, also one report per 党支部, `branch_chunk_size` per
    chunk, across the workers when the chunk deployment is deployed; likewise the inbox's files,
    `inbox_files_per_chunk` per chunk."""
    loaded = load_campaign(spec_path)
    as_of = as_of or today(loaded.spec.campaign.timezone)
    await add_tags(f"campaign:{loaded.spec.campaign.id}", f"phase:{phase}")
    sync_spec(loaded)
    bar = start_progress(loaded, phase, as_of)
    inbox = await collect_in_chunks(spec_path, loaded, phase, inbox_files_per_chunk)
    if ask_sign_off_in_ui:
        await ask_sign_off(loaded, phase, as_of, sign_off_timeout)
    snap = snapshot(loaded, phase, as_of)
    show_progress(bar, loaded, snap.stage_progress)
    gate = gate_check(loaded, snap)
    sweep_deadlines(loaded, snap.stage_progress, as_of)
    show_ledger(loaded, phase, snap)
    show_evaluation(loaded, phase, snap)
    show_cadence(loaded, phase, snap)
    markdown = render_phase_report(loaded, snap)
    published = publish_report(loaded, ReportScope.phase(phase), snap, markdown)
    await show_overview(loaded, snap, published)
    branches = None
    if loaded.spec.reports.branches:
        branches = await branch_reports(
            spec_path=spec_path, phase=phase, as_of=as_of, chunk_size=branch_chunk_size
        )
    return {
        "campaign": loaded.spec.campaign.id,
        "phase": phase,
        "as_of": as_of.isoformat(),
        "gate_passed": gate.passed,
        "gate_reasons": gate.reasons,
        "gate_checks": len(gate.checks),
        "done": snap.stage_progress.done,
        "total": snap.stage_progress.total,
        "imported_files": len(inbox.files),
        "rejected_files": len(inbox.rejected),
        "reports": {fmt: str(path) for fmt, path in published.files.items()},
        "branch_reports": branches,
    }
