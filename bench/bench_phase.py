"""Benchmark 2: one phase at prefecture scale, as plain domain calls and as the Prefect flow.

Prefect's share = (flow wall time − domain-only wall time) / flow wall time, each from a fresh
data folder with the same inbox — or, when larger, the flow's time outside its task runs
(importing Prefect, creating and settling the run, between tasks) over its wall time, from the
flow run alone: on this machine one run of the same work varies by ±30%, and a slow domain run
made the first measure alone read 3.7% for a flow that spent 22% outside its tasks.

Then "next run starts in": right after the phase flow, the time from `run_flow(...)` to the first
line of a trivial flow's body (same private Prefect server).

Both children make the same domain calls (bench/phase_steps.py mirrors the tasks of
flows/phase.py). To see where the difference goes, the flow child also reports each task's run
time from Prefect's own task-run records (next to the same domain step), the time to import
Prefect and the flow's modules, and CPU seconds of the flow process and of the private server
during the run (the domain child reports its CPU seconds): on a shared 2-core machine the wall
times move with the other load, the CPU seconds much less.

    uv run python -m bench.bench_phase [--scale 1] [--profile]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

from . import generate
from .common import bench_parser, copy_inbox, emit, fresh_home, measure, run_child, use_home

TARGET_SHARE = 0.10
TARGET_DOMAIN_RATIO = 5.0  # the phase's domain steps vs the floor of importing its own inbox
TARGET_NEXT_START = 2.0

# domain step (bench/phase_steps.py) -> the task of flows/phase.py making the same call(s)
TASK_OF_STEP = {
    "load": "load 加载并校验方案",
    "sync": "sync 同步到数据库",
    "start_progress": "progress 进度（开始）",
    "collect_inbox": "inbox 收集数据（收件箱）",
    "snapshot": "snapshot 汇总数据（快照）",
    "deadlines": "deadlines 期限检查",
    "render": "render 生成阶段报告",
    "publish": "publish 发布报告",
}


def _cpu_self() -> float:
    """CPU seconds (user + system) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_descendants() -> float:
    """CPU seconds of the live descendant processes (the private Prefect server), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    mine, total, grew = {os.getpid()}, 0.0, True
    while grew:
        grew = False
        for pid, (ppid, cpu) in stats.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                total += cpu
                grew = True
    return total


def _task_run_times() -> tuple[dict[str, float], float]:
    """Each task's run time (seconds, summed by task name) of the latest `phase` flow run, from
    Prefect's task-run records; and that flow run's own run time."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        run = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["phase"])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )[0]
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
            task_run_filter=TaskRunFilter(),
        )
    times: dict[str, float] = {}
    for t in sorted(tasks, key=lambda t: t.expected_start_time or t.created):
        if t.start_time and t.end_time:
            name = t.name.rsplit("-", 1)[0]
            times[name] = times.get(name, 0.0) + (t.end_time - t.start_time).total_seconds()
    flow_run = (run.end_time - run.start_time).total_seconds() if run.end_time else 0.0
    return times, flow_run


def _prepare(scale: float, work: Path, mode: str) -> tuple[Path, dict, float]:
    """A fresh data folder with the campaign synced (a phase run is not the campaign's first
    sync: that is measured apart) and the inbox filled; (spec, meta, first sync seconds)."""
    from campaignflow.spec import load
    from campaignflow.sync import sync_campaign
    from campaignflow.workspace import close_workspaces, open_workspace

    out = generate.default_out(scale)
    meta = generate.ensure(out, scale)
    home = fresh_home(work / mode)
    use_home(home)
    t = time.perf_counter()
    sync_campaign(engine=open_workspace().engine, loaded=load(out / "campaign.yaml"))
    first_sync = time.perf_counter() - t
    close_workspaces()
    copy_inbox(out, home, generate.CAMPAIGN_ID)
    return out / "campaign.yaml", meta, first_sync


def child_domain(scale: float, work: Path, profile: bool) -> None:
    from .phase_steps import run_phase_domain

    spec, meta, first_sync = _prepare(scale, work, "domain")
    as_of = dt.date.fromisoformat(meta["as_of"])
    t, cpu = time.perf_counter(), _cpu_self()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        steps, facts = prof.runcall(run_phase_domain, spec, meta["phase"], as_of)
        stats = pstats.Stats(prof).sort_stats("cumulative")
        stats.dump_stats(str(work / "phase-domain.prof"))
        stats.print_stats(25)
    else:
        steps, facts = run_phase_domain(spec, meta["phase"], as_of)
    (work / "domain" / "bench-scale.txt").write_text(
        str(scale)
    )  # bench_reports reuses this database
    seconds, cpu = time.perf_counter() - t, _cpu_self() - cpu
    emit(
        {
            "mode": "domain",
            "seconds": seconds,
            "cpu_s": cpu,
            "steps": steps,
            "facts": facts,
            "first_sync_s": first_sync,
        }
    )


def child_inbox_floor(scale: float, work: Path) -> None:
    """The floor of the phase's own inbox: its files through calamine + executemany."""
    from .bench_import import floor

    inbox = sorted((generate.default_out(scale) / "inbox").glob("*.xlsx"))
    emit({"mode": "inbox-floor", "files": len(inbox), **floor(inbox, work / "inbox-floor.db")})


def child_flow(scale: float, work: Path) -> None:
    spec, meta, _first_sync = _prepare(scale, work, "flow")
    from campaignflow.cli.prefect_env import prefect_session, run_flow
    from campaignflow.spec.loader import LOAD_STATS
    from campaignflow.sync import STATS as SYNC_STATS

    t0 = time.perf_counter()
    with prefect_session():
        server = time.perf_counter() - t0
        t, cpu, server_cpu = time.perf_counter(), _cpu_self(), _cpu_descendants()
        import flows.phase  # noqa: F401 - Prefect and the flow's modules (run_flow would import them)

        import_s = time.perf_counter() - t
        loads_before, syncs_before = LOAD_STATS["loads"], SYNC_STATS["syncs"]
        result = run_flow(
            "flows.phase:phase", spec_path=str(spec), phase=meta["phase"], as_of=meta["as_of"]
        )
        flow_s = time.perf_counter() - t
        spec_loads = LOAD_STATS["loads"] - loads_before
        syncs = SYNC_STATS["syncs"] - syncs_before
        cpu, server_cpu = _cpu_self() - cpu, _cpu_descendants() - server_cpu
        task_s, flow_run_s = _task_run_times()
        # the next run, right after: from the call to the first line of its body
        t = time.perf_counter()
        run_flow("bench.noop_flow:noop")
        next_total = time.perf_counter() - t
        from .noop_flow import STARTED

        next_start = STARTED[-1] - t
        t = time.perf_counter()
        run_flow("bench.noop_flow:noop")
        third_start = STARTED[-1] - t
    from campaignflow.cli.local_server import stop_server
    from campaignflow.settings import load_settings

    stop_server(load_settings().home)  # the data folder's server is kept by the CLI: not here
    emit(
        {
            "mode": "flow",
            "server_start_s": server,
            "seconds": flow_s,
            "import_s": import_s,
            "flow_run_s": flow_run_s,
            "task_s": task_s,
            "cpu_s": cpu,
            "server_cpu_s": server_cpu,
            "next_start_s": next_start,
            "next_total_s": next_total,
            "third_start_s": third_start,
            "spec_loads": spec_loads,
            "syncs": syncs,
            "result": {k: v for k, v in result.items() if k != "reports"},
        }
    )


def run(scale: float, work: Path) -> dict:
    """Both children (each in its own interpreter, fresh data folder), then the comparison."""
    out = generate.default_out(scale)
    t = time.perf_counter()
    meta = generate.ensure(out, scale)
    gen_s = time.perf_counter() - t
    args = ["-m", "bench.bench_phase", "--scale", str(scale), "--work", str(work)]
    inbox_floor = run_child([*args, "--child", "inbox-floor"])
    domain = run_child([*args, "--child", "domain"])
    flow_ = run_child([*args, "--child", "flow"])
    wall_share = max(flow_["seconds"] - domain["seconds"], 0.0) / flow_["seconds"]
    outside = max(flow_["seconds"] - sum(flow_["task_s"].values()), 0.0) / flow_["seconds"]
    share = max(wall_share, outside)  # either alone can flatter: the other run may be slower
    flow_cpu = flow_["cpu_s"] + flow_["server_cpu_s"]
    cpu_share = max(flow_cpu - domain["cpu_s"], 0.0) / flow_cpu
    return {
        "scale": scale,
        "counts": meta["counts"],
        "generate_s": gen_s,
        "domain_s": domain["seconds"],
        "inbox_floor_s": inbox_floor["seconds"],
        "inbox_floor_rows": inbox_floor["rows"],
        "domain_ratio": domain["seconds"] / inbox_floor["seconds"],
        "domain_steps": domain["steps"],
        "domain_facts": domain["facts"],
        "domain_rss_mb": domain["rss_mb"],
        "domain_cpu_s": domain["cpu_s"],
        "flow_s": flow_["seconds"],
        "flow_import_s": flow_["import_s"],
        "flow_run_s": flow_["flow_run_s"],
        "flow_task_s": flow_["task_s"],
        "flow_cpu_s": flow_["cpu_s"],
        "server_cpu_s": flow_["server_cpu_s"],
        "server_start_s": flow_["server_start_s"],
        "flow_rss_mb": flow_["rss_mb"],
        "flow_result": flow_["result"],
        "prefect_share": share,
        "prefect_share_wall": wall_share,
        "prefect_share_outside_tasks": outside,
        "prefect_cpu_share": cpu_share,
        "next_start_s": flow_["next_start_s"],
        "next_total_s": flow_["next_total_s"],
        "third_start_s": flow_["third_start_s"],
        "first_sync_s": domain.get("first_sync_s"),
        "flow_spec_loads": flow_.get("spec_loads"),
        "flow_syncs": flow_.get("syncs"),
    }


def _side_by_side(r: dict) -> str:
    """Each domain step next to the task making the same call (from the task-run records)."""
    domain: dict[str, float] = {}
    for step, seconds in r["domain_steps"].items():
        task = TASK_OF_STEP.get(step)
        if task:
            domain[task] = domain.get(task, 0.0) + seconds
    tasks = r["flow_task_s"]
    parts = [f"{name} {domain.get(name, 0.0):.2f}→{tasks.get(name, 0.0):.2f}s" for name in domain]
    parts += [f"{name} –→{s:.2f}s" for name, s in tasks.items() if name not in domain]
    return ", ".join(parts)


def _share_parts(r: dict) -> str:
    """The two measures the share is the larger of (absent from older results)."""
    if "prefect_share_wall" not in r:
        return ""
    return (
        f"the larger of: flow vs the domain run {r['prefect_share_wall']:.1%}, the flow's time "
        f"outside its task runs (same run) {r['prefect_share_outside_tasks']:.1%}; "
    )


def report(r: dict) -> str:
    in_tasks = sum(r["flow_task_s"].values())
    lines = [
        f"phase '{generate.PHASE}' at scale {r['scale']:g}: {json.dumps(r['counts'], ensure_ascii=False)}",
        "  domain steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in r["domain_steps"].items()),
        f"  domain only : {r['domain_s']:.1f} s, {r['domain_cpu_s']:.1f} CPU s   (peak RSS {r['domain_rss_mb']:.0f} MB)",
        f"  its inbox's floor (calamine + executemany of the same {r['inbox_floor_rows']:,} rows): {r['inbox_floor_s']:.2f} s; "
        f"domain {r['domain_ratio']:.1f}× it (target ≤ {TARGET_DOMAIN_RATIO:.0f}×)",
        f"  Prefect flow: {r['flow_s']:.1f} s, {r['flow_cpu_s']:.1f} CPU s + server {r['server_cpu_s']:.1f} CPU s   (peak RSS {r['flow_rss_mb']:.0f} MB; cold start of the data folder's server {r['server_start_s']:.1f} s, not counted: later commands reuse it)",
        f"    of which: import Prefect + flow modules {r['flow_import_s']:.1f} s; flow run {r['flow_run_s']:.1f} s "
        f"(inside tasks {in_tasks:.1f} s, between them {r['flow_run_s'] - in_tasks:.1f} s); "
        f"before/after the run {r['flow_s'] - r['flow_import_s'] - r['flow_run_s']:.1f} s",
        "    domain step → task run: " + _side_by_side(r),
        f"  Prefect's share: {r['prefect_share']:.1%}  (target ≤ {TARGET_SHARE:.0%}; ratio {r['prefect_share'] / TARGET_SHARE:.2f}× the target); "
        + _share_parts(r)
        + f"in CPU seconds (flow + server vs domain): {r['prefect_cpu_share']:.1%}",
        f"  next run starts in: {r['next_start_s']:.2f} s (the one after: {r['third_start_s']:.2f} s; whole trivial run {r['next_total_s']:.2f} s; target ≤ {TARGET_NEXT_START:.0f} s)",
        f"  spec loads per run: flow {r.get('flow_spec_loads')}, domain {r['domain_facts'].get('spec_loads')} (goal 1); "
        f"syncs that wrote: flow {r.get('flow_syncs')}, domain {r['domain_facts'].get('syncs')} (goal 0, the spec is unchanged); "
        f"first sync of the campaign {r.get('first_sync_s') or 0:.1f} s (not counted)",
        f"  facts: {json.dumps(r['domain_facts'], ensure_ascii=False)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = bench_parser(__doc__, "work-phase")
    ap.add_argument("--child", choices=["domain", "flow", "inbox-floor"])
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the domain calls (prints the top 25)"
    )
    args = ap.parse_args(argv)
    if args.child == "domain" or args.profile:
        child_domain(args.scale, args.work, args.profile)
        return
    if args.child == "inbox-floor":
        child_inbox_floor(args.scale, args.work)
        return
    if args.child == "flow":
        child_flow(args.scale, args.work)
        return
    measure(lambda: run(args.scale, args.work), report, args.json)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    main()
