"""Benchmark 3: the branch reports of one phase for every branch (1,000 at scale 1), .md + .docx.

The product's own path (campaignflow/reports/branches.py, branch_pool.py — what a phase run with
`reports.branches: true` does when no workers are deployed): the 党支部 of the campaign database
the phase benchmark left (else one this benchmark made before, else a fresh domain run of the
phase in an interpreter of its own), in chunks of 50, each chunk building its contexts with a
few GROUP BY queries, rendering the built-in branch template, writing .md and .docx and
recording the rows; run with a pool of 1 and of 2 spawned processes, each variant in its own
interpreter. Wall time counts everything after the data exists, including the pool's start-up.

The floor, in a third interpreter after those: the very .md and .docx files the 1-process run
wrote, their bytes read into memory first (not timed), then written as zip files (one per report
file, ZIP_DEFLATED) to a fresh folder; the 1-process wall time is compared with it.

At scale ≤ 1 the three run three times, interleaved, and the fastest of each counts (`ROUNDS`).

    uv run python -m bench.bench_reports [--scale 1]
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import time
import zipfile
from pathlib import Path

from . import generate
from .common import bench_parser, children_peak_rss_mb, emit, measure, run_child, use_home

TARGET_S = 30.0
TARGET_ZIP_RATIO = 3.0
CHUNK = 50
ROUNDS = 3


def _campaign_home(scale: float, work: Path) -> Path:
    """The phase benchmark's domain data folder for this scale, else the one made here before
    (made here when neither is of this scale)."""
    for home in (generate.DEFAULT_OUT / "work-phase" / "domain", work / "domain"):
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


def child(scale: float, work: Path, workers: int) -> None:
    """The product's path: `branch_units` → chunks of 50 → `write_chunks` (this process and
    `workers - 1` spawned ones), each chunk building its contexts in SQL, rendering the built-in branch
    template and writing .md + .docx, then recording the rows."""
    from campaignflow.chunks import chunked
    from campaignflow.reports.branch_pool import write_chunks
    from campaignflow.reports.branches import branch_units
    from campaignflow.settings import Settings, sqlite_url
    from campaignflow.spec import load_cached
    from campaignflow.workspace import open_workspace

    t = time.perf_counter()
    home = _campaign_home(scale, work)
    setup_s = time.perf_counter() - t
    spec = generate.default_out(scale) / "campaign.yaml"
    out = work / f"reports-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    settings = Settings(home=out, database_url=sqlite_url(home / "campaignflow.db"))
    t0 = time.perf_counter()
    loaded = load_cached(spec)  # as the flow's load step does: the chunks here reuse it
    units = branch_units(open_workspace(settings).engine, loaded)
    results = write_chunks(
        settings=settings,
        spec_path=spec,
        stage=generate.PHASE,
        as_of=generate.AS_OF,
        chunks=chunked(units, CHUNK),
        workers=workers,
    )
    seconds = time.perf_counter() - t0
    for worker in multiprocessing.active_children():  # the pool does not wait for them: we do,
        worker.join()  # after the timing, so their peak RSS is in RUSAGE_CHILDREN
    files = sum(1 for p in out.rglob("*") if p.is_file() and p.suffix in (".md", ".docx"))
    emit(
        {
            "workers": workers,
            "branches": len(units),
            "files": files,
            "bytes": sum(r.bytes for r in results),
            "setup_s": setup_s,
            "chunk_s": sum(r.seconds for r in results),
            "seconds": seconds,
            "workers_rss_mb": round(children_peak_rss_mb(), 1),
        }
    )


def child_setup(scale: float, work: Path) -> None:
    """The campaign database the reports read, made (when absent) in an interpreter of its
    own: its peak RSS is not the reports'."""
    t = time.perf_counter()
    _campaign_home(scale, work)
    emit({"seconds": time.perf_counter() - t})


def child_zip_floor(work: Path) -> None:
    """The floor of writing the reports: the 1-process run's .md and .docx bytes (read first, not
    timed) written as one ZIP_DEFLATED zip file each into a fresh folder."""
    files = sorted(
        p for p in (work / "reports-1").rglob("*") if p.is_file() and p.suffix in (".md", ".docx")
    )
    contents = [(p.name, p.read_bytes()) for p in files]
    out = work / "zip-floor"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t = time.perf_counter()
    for i, (name, data) in enumerate(contents):
        with zipfile.ZipFile(out / f"{i:06d}-{name}.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, data)
    seconds = time.perf_counter() - t
    emit({"seconds": seconds, "files": len(contents), "bytes": sum(len(d) for _, d in contents)})


def rounds_at(scale: float) -> int:
    """How many times each side runs (the fastest counts): at scale ≤ 1 three times, the same
    machine's figures varied by ±30% from one run to the next; a province's once."""
    return ROUNDS if scale <= 1 else 1


def run(scale: float, work: Path) -> dict:
    base = ["-m", "bench.bench_reports", "--scale", str(scale), "--work", str(work)]
    setup = run_child([*base, "--child-setup"])
    rounds = rounds_at(scale)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    zips = []
    for _ in range(rounds):  # interleaved, so that a slow spell of the machine hits every side
        for workers in (1, 2):
            runs[workers].append(run_child([*base, "--child", str(workers)]))
        zips.append(run_child([*base, "--child-zip-floor"]))
    one, two, zip_floor = (min(r, key=lambda x: x["seconds"]) for r in (runs[1], runs[2], zips))
    return {
        "rounds": rounds,
        "all_s_1": [r["seconds"] for r in runs[1]],
        "all_s_2": [r["seconds"] for r in runs[2]],
        "all_zip_s": [r["seconds"] for r in zips],
        "branches": two["branches"],
        "files": two["files"],
        "s_1": one["seconds"],
        "s_2": two["seconds"],
        "chunk_s": two["chunk_s"],
        "speedup": one["seconds"] / two["seconds"],
        "files_per_s": two["files"] / two["seconds"],
        "rss_mb": max(two["rss_mb"], two["workers_rss_mb"]),
        "parent_rss_mb": two["rss_mb"],
        "worker_rss_mb": two["workers_rss_mb"],
        "rss_mb_1": max(one["rss_mb"], one["workers_rss_mb"]),
        "chunk_s_1": one["chunk_s"],
        "bytes_1": one["bytes"],
        "zip_floor_s": zip_floor["seconds"],
        "zip_floor_files": zip_floor["files"],
        "zip_floor_bytes": zip_floor["bytes"],
        "zip_floor_rss_mb": zip_floor["rss_mb"],
        "zip_ratio": one["seconds"] / zip_floor["seconds"],
        "setup_s": setup["seconds"],
    }


def report(r: dict) -> str:
    return "\n".join(
        [
            f"reports for {r['branches']:,} branches ({r['files']:,} files, Markdown + DOCX):",
            f"  1 worker : {r['s_1']:.1f} s, peak RSS {r['rss_mb_1']:.0f} MB",
            f"  2 workers: {r['s_2']:.1f} s ({r['chunk_s']:.1f} s of chunk work), {r['files_per_s']:.0f} files/s, peak RSS {r['rss_mb']:.0f} MB (parent {r['parent_rss_mb']:.0f}, largest worker {r['worker_rss_mb']:.0f})",
            f"  speedup 2 vs 1 worker: {r['speedup']:.2f}×",
            *rounds_line(r),
            f"  target ≤ {TARGET_S:.0f} s: {'met' if r['s_2'] <= TARGET_S else 'MISSED'} ({r['s_2'] / TARGET_S:.2f}× the target)",
        ]
        + zip_lines(r)
    )


def rounds_line(r: dict) -> list[str]:
    """Every round's wall times, when there were several (the fastest of each side counts)."""
    if r.get("rounds", 1) < 2:
        return []
    times = {k: ", ".join(f"{x:.1f}" for x in r[k]) for k in ("all_s_1", "all_s_2", "all_zip_s")}
    return [
        f"  fastest of {r['rounds']} interleaved rounds: 1 worker {times['all_s_1']} s; "
        f"2 workers {times['all_s_2']} s; zip floor {times['all_zip_s']} s"
    ]


def zip_lines(r: dict) -> list[str]:
    """The zip floor and the 1-process wall time's ratio to it (absent from older results)."""
    if "zip_ratio" not in r:
        return []
    met = "met" if r["zip_ratio"] <= TARGET_ZIP_RATIO else "MISSED"
    return [
        f"  zip floor: writing the 1-process run's {r['zip_floor_files']:,} files "
        f"({r['zip_floor_bytes'] / 2**20:.1f} MB, read first) as one ZIP_DEFLATED zip each: "
        f"{r['zip_floor_s']:.2f} s, peak RSS {r['zip_floor_rss_mb']:.0f} MB",
        f"  1 worker's wall time {r['s_1']:.1f} s = {r['zip_ratio']:.2f}× the zip floor "
        f"(target ≤ {TARGET_ZIP_RATIO:.0f}×): {met}",
    ]


def main(argv: list[str] | None = None) -> None:
    ap = bench_parser(__doc__, "work-reports")
    ap.add_argument("--child", type=int, metavar="WORKERS")
    ap.add_argument(
        "--child-zip-floor", action="store_true", help="the zip floor (after the reports runs)"
    )
    ap.add_argument("--child-setup", action="store_true", help="the campaign database (first)")
    args = ap.parse_args(argv)
    if args.child_setup:
        return child_setup(args.scale, args.work)
    if args.child_zip_floor:
        return child_zip_floor(args.work)
    if args.child:
        return child(args.scale, args.work, args.child)
    measure(lambda: run(args.scale, args.work), report, args.json)


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    main()
