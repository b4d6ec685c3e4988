"""The domain calls of one phase flow (flows/phase.py), made directly: no Prefect, no artifacts."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path


def run_phase_domain(spec_path: Path, phase: str, as_of: dt.date) -> tuple[dict[str, float], dict]:
    """Same order and arguments as the tasks of flows/phase.py; returns per-step seconds (the
    snapshot's parts as `snapshot.<part>`) and facts, with the spec loads and syncs made."""
    from campaignflow.collect.inbox import collect_inbox
    from campaignflow.progress import stage_progress
    from campaignflow.reports import phase_context, render_template
    from campaignflow.reports.charts import report_charts
    from campaignflow.reports.publish import publish
    from campaignflow.reports.scope import ReportScope
    from campaignflow.snapshot import take_snapshot
    from campaignflow.spec import load_cached
    from campaignflow.spec.loader import LOAD_STATS
    from campaignflow.sync import STATS as SYNC_STATS
    from campaignflow.sync import sync_campaign
    from campaignflow.unfiled import unfiled
    from campaignflow.workspace import open_workspace

    steps: dict[str, float] = {}
    loads, syncs = dict(LOAD_STATS), dict(SYNC_STATS)
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps[name] = now - t
        t = now

    loaded = load_cached(spec_path)
    lap("load")
    ws = open_workspace()
    engine = ws.engine
    lap("open_workspace")
    sync_campaign(engine=engine, loaded=loaded, actor="flow", skip_unchanged=True)
    lap("sync")
    stage_progress(engine=engine, loaded=loaded, stage=phase, as_of=as_of)
    lap("start_progress")
    inbox = collect_inbox(engine=engine, loaded=loaded, home=ws.home)
    lap("collect_inbox")
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=as_of, stage=phase)
    lap("snapshot")
    progress = snap.stage_progress
    found = unfiled(engine=engine, loaded=loaded, as_of=as_of, stage=phase)  # the deadline step
    lap("deadlines")
    markdown = render_template(None, "phase.md.j2", phase_context(loaded=loaded, snapshot=snap))
    lap("render")
    published = publish(
        engine=engine,
        loaded=loaded,
        home=ws.home,
        scope=ReportScope.phase(phase),
        as_of=as_of,
        markdown=markdown,
        charts=report_charts(loaded, snap),
    )
    lap("publish")
    for part, seconds in snap.timings.items():
        steps[f"snapshot.{part}"] = seconds
    facts = {
        "imported_files": len(inbox.files),
        "rejected_files": len(inbox.rejected),
        "rejected": [f"{f.file}: {f.message}" for f in inbox.rejected],
        "rows": sum(f.rows for f in inbox.files),
        "done": progress.done,
        "total": progress.total,
        "gate_passed": snap.gate.passed if snap.gate else None,
        "unfiled_forms": sum(bool(u.missing) for u in found),
        "problems": snap.ledger.problems,
        "rounds": len(snap.evaluation),
        "shortfalls": len(snap.activities.cadence.shortfalls),
        "reports": sorted(published.files),
        "spec_loads": LOAD_STATS["loads"] - loads["loads"],
        "syncs": SYNC_STATS["syncs"] - syncs["syncs"],
    }
    return steps, facts
