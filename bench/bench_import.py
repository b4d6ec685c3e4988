"""Benchmark 1: import a 100,000-row .xlsx — our `import_file` vs the floor.

The floor: python-calamine reads the same file, and `sqlite3` executemany()s the same rows into
a plain table of a fresh file database with the same PRAGMAs (WAL, synchronous=NORMAL, one
transaction). Ours: `import_file` of the same file into a freshly synced campaign database
(validation, natural-key upsert, submissions + the problem table, change log), as a user's
`campaignflow import` after `campaignflow sync`: the sync in one interpreter, the load and the
import in the next. Each side runs in its own interpreter so its peak RSS is its own.

    uv run python -m bench.bench_import [--rows 100000] [--scale 1]
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path

from . import generate
from .common import bench_parser, emit, fresh_home, measure, run_child, use_home

TARGET_RATIO = 1.5
FORM = "problems"


def ensure_file(scale: float, rows: int) -> tuple[Path, Path, float]:
    """The campaign of `scale` and a `rows`-row 问题清单 workbook for it (reused when present)."""
    out = generate.default_out(scale)
    generate.ensure(out, scale)
    path = out / f"import-{FORM}-{rows}.xlsx"
    seconds = 0.0
    if not path.exists():
        t = time.perf_counter()
        branches = generate.branch_ids(generate.counts(scale)["branches"])
        tmp = path.with_suffix(".tmp.xlsx")
        generate.write_xlsx(
            tmp,
            "问题清单",
            generate.PROBLEM_HEADER,
            generate.problem_rows(random.Random(1), branches, rows, prefix="Q"),
        )
        tmp.rename(path)
        seconds = time.perf_counter() - t
    return out / "campaign.yaml", path, seconds


def floor(paths: list[Path], db_path: Path) -> dict:
    """The floor of importing `paths`: python-calamine reads every sheet, `sqlite3`
    executemany()s its rows into a plain table of a fresh file database (WAL,
    synchronous=NORMAL, one transaction per sheet). Seconds, of which reading, and rows."""
    from python_calamine import CalamineWorkbook

    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    t, read_s, n = time.perf_counter(), 0.0, 0
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for sheet_name in book.sheet_names:
            r = time.perf_counter()
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=True)
            read_s += time.perf_counter() - r
            if not rows:
                continue
            header, body = rows[0], rows[1:]
            table = f"t{n}"
            n += 1
            cols = ", ".join(f"c{i}" for i in range(len(header)))
            con.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {cols})")
            marks = ", ".join("?" for _ in header)
            with con:
                con.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                    [[v.isoformat() if hasattr(v, "isoformat") else v for v in r] for r in body],
                )
    rows = sum(con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0] for i in range(n))
    con.close()
    return {"seconds": time.perf_counter() - t, "read_s": read_s, "rows": rows}


def child_floor(path: Path, work: Path) -> None:
    emit({"side": "floor", **floor([path], work / "floor.db")})


def child_sync(spec: Path, work: Path) -> None:
    """The set-up, as a user's `campaignflow sync`: a fresh data folder with the campaign synced
    (its own interpreter, so that the first sync's peak is not the import's)."""
    emit({"side": "sync", "seconds": _sync(spec, work)})


def _sync(spec: Path, work: Path) -> float:
    home = fresh_home(work / "ours")
    use_home(home)
    from campaignflow.spec import load
    from campaignflow.sync import sync_campaign
    from campaignflow.workspace import open_workspace

    t = time.perf_counter()
    sync_campaign(engine=open_workspace().engine, loaded=load(spec), actor="bench")
    return time.perf_counter() - t


def child_ours(spec: Path, path: Path, work: Path, profile: bool) -> None:
    """As a user's `campaignflow import` on the synced database: load the campaign (not timed),
    then `import_file` (timed)."""
    if profile:
        _sync(spec, work)
    use_home(work / "ours")
    from campaignflow.collect.importer import import_file
    from campaignflow.spec import load
    from campaignflow.workspace import open_workspace

    t = time.perf_counter()
    loaded = load(spec)
    engine = open_workspace().engine
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    call = lambda: import_file(engine=engine, loaded=loaded, form_id=FORM, path=path)  # noqa: E731
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        result = prof.runcall(call)
        seconds = time.perf_counter() - t
        pstats.Stats(prof).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(
            int(os.environ.get("BENCH_TOP", "20"))
        )
    else:
        result = call()
        seconds = time.perf_counter() - t
    emit(
        {
            "side": "ours",
            "seconds": seconds,
            "load_s": load_s,
            "rows": result.rows,
            "inserted": result.inserted,
            "issues": len(result.issues),
        }
    )


def run(scale: float, rows: int, work: Path) -> dict:
    spec, path, gen_s = ensure_file(scale, rows)
    base = [
        "-m",
        "bench.bench_import",
        "--scale",
        str(scale),
        "--rows",
        str(rows),
        "--work",
        str(work),
    ]
    floor = run_child([*base, "--child", "floor"])
    synced = run_child([*base, "--child", "sync"])
    ours = run_child([*base, "--child", "ours"])
    return {
        "rows": rows,
        "file": str(path),
        "file_mb": path.stat().st_size / 2**20,
        "generate_s": gen_s,
        "floor_s": floor["seconds"],
        "floor_read_s": floor["read_s"],
        "floor_rss_mb": floor["rss_mb"],
        "ours_s": ours["seconds"],
        "ours_rss_mb": ours["rss_mb"],
        "ours_setup_s": synced["seconds"],
        "ours_load_s": ours["load_s"],
        "sync_rss_mb": synced["rss_mb"],
        "ours_rows": ours["rows"],
        "ours_inserted": ours["inserted"],
        "ratio": ours["seconds"] / floor["seconds"],
    }


def report(r: dict) -> str:
    return "\n".join(
        [
            f"import {r['rows']:,} rows ({Path(r['file']).name}, {r['file_mb']:.1f} MB):",
            f"  floor (calamine + sqlite3 executemany): {r['floor_s']:.2f} s ({r['rows'] / r['floor_s']:,.0f} rows/s; read {r['floor_read_s']:.2f} s), peak RSS {r['floor_rss_mb']:.0f} MB",
            f"  ours  (import_file):                    {r['ours_s']:.2f} s ({r['ours_rows'] / r['ours_s']:,.0f} rows/s; {r['ours_inserted']:,} inserted), peak RSS {r['ours_rss_mb']:.0f} MB, the campaign's load included ({r['ours_load_s']:.1f} s, not counted)",
            f"  set-up: the campaign's first sync, in its own process: {r['ours_setup_s']:.1f} s, peak RSS {r['sync_rss_mb']:.0f} MB (not counted)",
            f"  ratio: {r['ratio']:.2f}× the floor (target ≤ {TARGET_RATIO}×) — {'met' if r['ratio'] <= TARGET_RATIO else 'MISSED'}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    ap = bench_parser(__doc__, "work-import", scale_help="campaign (units) the rows refer to")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--child", choices=["floor", "sync", "ours"])
    ap.add_argument(
        "--profile", action="store_true", help="cProfile import_file (top 20 by own time)"
    )
    args = ap.parse_args(argv)
    spec = generate.default_out(args.scale) / "campaign.yaml"
    path = generate.default_out(args.scale) / f"import-{FORM}-{args.rows}.xlsx"
    if args.child == "floor":
        return child_floor(path, args.work)
    if args.child == "sync":
        return child_sync(spec, args.work)
    if args.child == "ours" or args.profile:
        if args.profile:
            ensure_file(args.scale, args.rows)
        return child_ours(spec, path, args.work, args.profile)
    measure(lambda: run(args.scale, args.rows, args.work), report, args.json)


if __name__ == "__main__":
    main()
