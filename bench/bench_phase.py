"""Benchmark 2: one phase at prefecture scale, as plain domain calls and as the Prefect flow.

Prefect's share = (flow wall time − domain-only wall time) / flow wall time, each from a fresh
data folder with the same inbox. Then "next run starts in": right after the phase flow, the time
from `run_flow(...)` to the first line of a trivial flow's body (same private Prefect server).

    uv run python -m bench.bench_phase [--scale 1] [--profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

from . import generate
from .common import copy_inbox, emit, fresh_home, machine, run_child, use_home

TARGET_SHARE = 0.10
TARGET_NEXT_START = 2.0


def _prepare(scale: float, work: Path, mode: str) -> tuple[Path, dict]:
    out = generate.default_out(scale)
    meta = generate.ensure(out, scale)
    home = fresh_home(work / mode)
    use_home(home)
    copy_inbox(out, home, generate.CAMPAIGN_ID)
    return out / "campaign.yaml", meta


def child_domain(scale: float, work: Path, profile: bool) -> None:
    from .phase_steps import run_phase_domain

    spec, meta = _prepare(scale, work, "domain")
    as_of = dt.date.fromisoformat(meta["as_of"])
    t = time.perf_counter()
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
    emit({"mode": "domain", "seconds": time.perf_counter() - t, "steps": steps, "facts": facts})


def child_flow(scale: float, work: Path) -> None:
    spec, meta = _prepare(scale, work, "flow")
    from campaignflow.cli.prefect_env import prefect_session, run_flow

    t0 = time.perf_counter()
    with prefect_session():
        server = time.perf_counter() - t0
        t = time.perf_counter()
        result = run_flow(
            "flows.phase:phase", spec_path=str(spec), phase=meta["phase"], as_of=meta["as_of"]
        )
        flow_s = time.perf_counter() - t
        # the next run, right after: from the call to the first line of its body
        t = time.perf_counter()
        run_flow("bench.noop_flow:noop")
        next_total = time.perf_counter() - t
        from .noop_flow import STARTED

        next_start = STARTED[-1] - t
        t = time.perf_counter()
        run_flow("bench.noop_flow:noop")
        third_start = STARTED[-1] - t
    emit(
        {
            "mode": "flow",
            "server_start_s": server,
            "seconds": flow_s,
            "next_start_s": next_start,
            "next_total_s": next_total,
            "third_start_s": third_start,
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
    domain = run_child([*args, "--child", "domain"])
    flow_ = run_child([*args, "--child", "flow"])
    share = max(flow_["seconds"] - domain["seconds"], 0.0) / flow_["seconds"]
    return {
        "scale": scale,
        "counts": meta["counts"],
        "generate_s": gen_s,
        "domain_s": domain["seconds"],
        "domain_steps": domain["steps"],
        "domain_facts": domain["facts"],
        "domain_rss_mb": domain["rss_mb"],
        "flow_s": flow_["seconds"],
        "server_start_s": flow_["server_start_s"],
        "flow_rss_mb": flow_["rss_mb"],
        "flow_result": flow_["result"],
        "prefect_share": share,
        "next_start_s": flow_["next_start_s"],
        "next_total_s": flow_["next_total_s"],
        "third_start_s": flow_["third_start_s"],
    }


def report(r: dict) -> str:
    lines = [
        f"phase '{generate.PHASE}' at scale {r['scale']:g}: {json.dumps(r['counts'], ensure_ascii=False)}",
        "  domain steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in r["domain_steps"].items()),
        f"  domain only : {r['domain_s']:.1f} s   (peak RSS {r['domain_rss_mb']:.0f} MB)",
        f"  Prefect flow: {r['flow_s']:.1f} s   (peak RSS {r['flow_rss_mb']:.0f} MB; private server start {r['server_start_s']:.1f} s, not counted)",
        f"  Prefect's share: {r['prefect_share']:.1%}  (target ≤ {TARGET_SHARE:.0%}; ratio {r['prefect_share'] / TARGET_SHARE:.2f}× the target)",
        f"  next run starts in: {r['next_start_s']:.2f} s (the one after: {r['third_start_s']:.2f} s; whole trivial run {r['next_total_s']:.2f} s; target ≤ {TARGET_NEXT_START:.0f} s)",
        f"  facts: {json.dumps(r['domain_facts'], ensure_ascii=False)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--work", type=Path, default=generate.DEFAULT_OUT / "work-phase")
    ap.add_argument("--child", choices=["domain", "flow"])
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the domain calls (prints the top 25)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.child == "domain" or args.profile:
        child_domain(args.scale, args.work, args.profile)
        return
    if args.child == "flow":
        child_flow(args.scale, args.work)
        return
    print(f"machine: {machine()}", flush=True)
    r = run(args.scale, args.work)
    print(report(r))
    if args.json:
        emit(r)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    main()
