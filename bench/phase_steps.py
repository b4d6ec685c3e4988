"""The domain calls of one phase flow (flows/phase.py), made directly: no Prefect, no artifacts."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path


def run_phase_domain(spec_path: Path, phase: str, as_of: dt.date) -> tuple[dict[str, float], dict]:
    """Same order and arguments as the tasks of flows/phase.py; returns per-step seconds."""
    from campaignflow.activities import cadence
    from campaignflow.collect.inbox import collect_inbox
    from campaignflow.deadlines import plan_reminders
    from campaignflow.evaluation import evaluate_all
    from campaignflow.gates import check_gate
    from campaignflow.ledger import reconcile
    from campaignflow.metrics import compute_metrics
    from campaignflow.progress import refresh_assignments, stage_progress
    from campaignflow.reports import phase_context, publish, render_template
    from campaignflow.spec import load
    from campaignflow.sync import sync_campaign
    from campaignflow.workspace import open_workspace

    steps: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps[name] = now - t
        t = now

    loaded = load(spec_path)
    lap("load")
    ws = open_workspace()
    engine = ws.engine
    lap("open_workspace")
    sync_campaign(engine=engine, loaded=loaded, actor="flow")
    lap("sync")
    stage_progress(engine=engine, loaded=loaded, stage=phase, as_of=as_of)
    lap("start_progress")
    inbox = collect_inbox(engine=engine, loaded=loaded, home=ws.home)
    lap("collect_inbox")
    refresh_assignments(engine=engine, loaded=loaded, as_of=as_of, actor="flow")
    lap("refresh_assignments")
    progress = stage_progress(engine=engine, loaded=loaded, stage=phase, as_of=as_of)
    lap("stage_progress")
    values = compute_metrics(engine=engine, loaded=loaded, as_of=as_of)
    lap("compute_metrics")
    gate = check_gate(engine=engine, loaded=loaded, stage=phase, as_of=as_of, metrics=values)
    lap("check_gate")
    digests = plan_reminders(loaded=loaded, progress=progress, as_of=as_of)
    lap("plan_reminders")
    rec = reconcile(engine=engine, loaded=loaded, as_of=as_of)
    lap("reconcile")
    rounds = evaluate_all(engine=engine, loaded=loaded, as_of=as_of)
    lap("evaluate_ballots")
    cad = cadence(engine=engine, loaded=loaded, as_of=as_of)
    lap("cadence")
    context = phase_context(
        engine=engine, loaded=loaded, stage=phase, as_of=as_of, gate=gate, metrics=values
    )
    markdown = render_template(None, "phase.md.j2", context)
    lap("render")
    published = publish(
        engine=engine,
        loaded=loaded,
        home=ws.home,
        scope=f"phase:{phase}",
        as_of=as_of,
        markdown=markdown,
    )
    lap("publish")
    facts = {
        "imported_files": len(inbox.files),
        "rejected_files": len(inbox.rejected),
        "rejected": [f"{f.file}: {f.message}" for f in inbox.rejected],
        "rows": sum(f.rows for f in inbox.files),
        "done": progress.done,
        "total": progress.total,
        "gate_passed": gate.passed,
        "digests": len(digests),
        "problems": rec.problems,
        "rounds": len(rounds),
        "shortfalls": len(cad.shortfalls),
        "reports": sorted(published.files),
    }
    return steps, facts
