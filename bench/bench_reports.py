"""Benchmark 3: phase reports for every branch (1,000 at scale 1), Markdown + DOCX.

Per-branch contexts for the built-in phase template (campaignflow/reports/templates/phase.md.j2)
are built from the campaign database the phase benchmark left (or a fresh domain run of the
phase when absent): the branch's own assignments (`stage_progress` grouped by unit, through the
same `_progress` shaping the phase report uses), its meetings/attendance/problems/fixes figures
and its ledger, from a few GROUP BY queries. Then each branch's report is rendered
(`render_template`) and converted (`markdown_to_docx`) in a ProcessPoolExecutor with 1 and with
2 workers, each variant in its own interpreter. Wall time counts context building + rendering.

    uv run python -m bench.bench_reports [--scale 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import generate
from .common import children_peak_rss_mb, emit, machine, run_child, use_home

TARGET_S = 30.0
CLOSED = ("已完成", "巩固", "长期坚持")


def _campaign_home(scale: float, work: Path) -> Path:
    """The phase benchmark's domain data folder for this scale (made here when absent)."""
    home = generate.DEFAULT_OUT / "work-phase" / "domain"
    meta_file = home / "bench-scale.txt"
    if (
        (home / "campaignflow.db").exists()
        and meta_file.exists()
        and meta_file.read_text() == str(scale)
    ):
        return home
    from .common import copy_inbox, fresh_home
    from .phase_steps import run_phase_domain

    home = fresh_home(work / "domain")
    use_home(home)
    out = generate.default_out(scale)
    meta = generate.ensure(out, scale)
    copy_inbox(out, home, generate.CAMPAIGN_ID)
    run_phase_domain(out / "campaign.yaml", meta["phase"], dt.date.fromisoformat(meta["as_of"]))
    (home / "bench-scale.txt").write_text(str(scale))
    return home


def branch_contexts(home: Path, scale: float) -> list[tuple[str, dict]]:
    """(unit key, template context) for every 党支部 of the campaign database in `home`."""
    from sqlalchemy import func, select

    from campaignflow import db
    from campaignflow.progress import Progress, stage_progress
    from campaignflow.reports.context import _campaign, _progress, _stage
    from campaignflow.spec import load
    from campaignflow.workspace import open_workspace

    use_home(home)
    out = generate.default_out(scale)
    loaded = load(out / "campaign.yaml")
    as_of, phase = generate.AS_OF, generate.PHASE
    engine = open_workspace().engine
    progress = stage_progress(engine=engine, loaded=loaded, stage=phase, as_of=as_of)
    items = defaultdict(list)
    for item in progress.items:
        items[item.unit].append(item)
    meetings: dict[str, Counter] = defaultdict(Counter)
    attendance: Counter = Counter()
    problems: Counter = Counter()
    fixes: Counter = Counter()
    fixes_open: Counter = Counter()
    fixes_closed: Counter = Counter()
    fixes_overdue: dict[str, list[str]] = defaultdict(list)
    with db.read_session(engine) as s:
        unit_key = dict(s.execute(select(db.Unit.id, db.Unit.key)).all())
        names = dict(s.execute(select(db.Unit.key, db.Unit.name)).all())
        for uid, kind, n, people in s.execute(
            select(
                db.Activity.unit_id, db.Activity.type, func.count(), func.sum(db.Activity.attendees)
            )
            .where(db.Activity.held_on <= as_of)
            .group_by(db.Activity.unit_id, db.Activity.type)
        ):
            meetings[unit_key[uid]][kind] += n
            attendance[unit_key[uid]] += people or 0
        for uid, n in s.execute(
            select(db.Problem.unit_id, func.count()).group_by(db.Problem.unit_id)
        ):
            problems[unit_key.get(uid)] += n
        for uid, code, state, due, closed in s.execute(
            select(
                db.Rectification.owner_unit_id,
                db.Rectification.code,
                db.Rectification.state,
                db.Rectification.due_on,
                db.Rectification.closed_on,
            )
        ):
            key = unit_key.get(uid)
            fixes[key] += 1
            if state in CLOSED and (closed is None or closed <= as_of):
                fixes_closed[key] += 1
            else:
                fixes_open[key] += 1
                if due and due < as_of:
                    fixes_overdue[key].append(code)
    campaign, stage = _campaign(loaded), _stage(loaded, phase)
    info = {
        "meetings_held": {"title": "组织生活", "unit": "次", "kind": "count"},
        "meetings_by_type": {"title": "组织生活分类", "unit": "次", "kind": "count"},
        "attendance": {"title": "参加组织生活", "unit": "人次", "kind": "sum"},
        "issues_found": {"title": "问题", "unit": "条", "kind": "count"},
        "fixes_made": {"title": "整改措施", "unit": "条", "kind": "count"},
        "fixes_open": {"title": "未完成整改措施", "unit": "条", "kind": "count"},
    }
    contexts = []
    for key in sorted(k for k in items if k.startswith("b")):
        mine = items[key]
        part = Progress(stage=phase, done=sum(i.done for i in mine), total=len(mine), items=mine)
        branch_campaign = {**campaign, "organisation": names[key]}
        closure = fixes_closed[key] / fixes[key] if fixes[key] else None
        contexts.append(
            (
                key,
                {
                    "campaign": branch_campaign,
                    "stage": stage,
                    "as_of": as_of,
                    "progress": _progress(loaded, part),
                    "m": {
                        "meetings_held": sum(meetings[key].values()),
                        "meetings_by_type": dict(meetings[key]),
                        "attendance": attendance[key],
                        "issues_found": problems[key],
                        "fixes_made": fixes[key],
                        "fixes_open": fixes_open[key],
                    },
                    "metric_info": info,
                    "ledger": {
                        "problems": problems[key],
                        "measures": fixes[key],
                        "measures_closed": fixes_closed[key],
                        "closure_rate": closure,
                        "overdue": fixes_overdue[key],
                        "closed_without_evidence": [],
                        "open_by_unit": {names[key]: fixes_open[key]} if fixes_open[key] else {},
                    },
                    "evaluation": {},
                    "activities": {},
                    "gate": {"passed": True, "checks": []},
                },
            )
        )
    return contexts


def render_branch(job: tuple[str, dict, str]) -> int:
    """One branch: Markdown and DOCX on disk; returns bytes written."""
    from campaignflow.reports import render_template
    from campaignflow.reports.docx import markdown_to_docx

    key, context, folder = job
    md = render_template(None, "phase.md.j2", context)
    md_path = Path(folder) / f"{key}.md"
    md_path.write_text(md, encoding="utf-8")
    docx = markdown_to_docx(md, Path(folder) / f"{key}.docx")
    return md_path.stat().st_size + docx.stat().st_size


def child(scale: float, work: Path, workers: int) -> None:
    t = time.perf_counter()
    home = _campaign_home(scale, work)
    setup_s = time.perf_counter() - t
    t0 = time.perf_counter()
    contexts = branch_contexts(home, scale)
    context_s = time.perf_counter() - t0
    folder = work / f"reports-{workers}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t = time.perf_counter()
    jobs = [(k, c, str(folder)) for k, c in contexts]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        written = sum(pool.map(render_branch, jobs, chunksize=max(len(jobs) // (workers * 8), 1)))
    render_s = time.perf_counter() - t
    files = len(list(folder.iterdir()))
    emit(
        {
            "workers": workers,
            "branches": len(contexts),
            "files": files,
            "bytes": written,
            "setup_s": setup_s,
            "context_s": context_s,
            "render_s": render_s,
            "seconds": time.perf_counter() - t0,
            "workers_rss_mb": round(children_peak_rss_mb(), 1),
        }
    )


def run(scale: float, work: Path) -> dict:
    base = ["-m", "bench.bench_reports", "--scale", str(scale), "--work", str(work)]
    runs = {}
    for workers in (1, 2):
        runs[workers] = run_child([*base, "--child", str(workers)])
    one, two = runs[1], runs[2]
    return {
        "branches": two["branches"],
        "files": two["files"],
        "s_1": one["seconds"],
        "s_2": two["seconds"],
        "context_s": two["context_s"],
        "render_s_1": one["render_s"],
        "render_s_2": two["render_s"],
        "speedup": one["seconds"] / two["seconds"],
        "render_speedup": one["render_s"] / two["render_s"],
        "files_per_s": two["files"] / two["seconds"],
        "rss_mb": max(two["rss_mb"], two["workers_rss_mb"]),
        "parent_rss_mb": two["rss_mb"],
        "worker_rss_mb": two["workers_rss_mb"],
        "rss_mb_1": max(one["rss_mb"], one["workers_rss_mb"]),
    }


def report(r: dict) -> str:
    return "\n".join(
        [
            f"reports for {r['branches']:,} branches ({r['files']:,} files, Markdown + DOCX):",
            f"  1 worker : {r['s_1']:.1f} s (render {r['render_s_1']:.1f} s), peak RSS {r['rss_mb_1']:.0f} MB",
            f"  2 workers: {r['s_2']:.1f} s (contexts {r['context_s']:.1f} s + render {r['render_s_2']:.1f} s), {r['files_per_s']:.0f} files/s, peak RSS {r['rss_mb']:.0f} MB (parent {r['parent_rss_mb']:.0f}, largest worker {r['worker_rss_mb']:.0f})",
            f"  speedup 2 vs 1 worker: {r['speedup']:.2f}× overall, {r['render_speedup']:.2f}× rendering",
            f"  target ≤ {TARGET_S:.0f} s: {'met' if r['s_2'] <= TARGET_S else 'MISSED'} ({r['s_2'] / TARGET_S:.2f}× the target)",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--work", type=Path, default=generate.DEFAULT_OUT / "work-reports")
    ap.add_argument("--child", type=int, metavar="WORKERS")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.child:
        return child(args.scale, args.work, args.child)
    print(f"machine: {machine()}", flush=True)
    r = run(args.scale, args.work)
    print(report(r))
    if args.json:
        emit(r)


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    main()
