"""Target 6: the import, phase and reports benchmarks at scale 1 and at scale 10 in one run.

`make bench-province` (`python -m bench.province`): scale 10 is a province (10,000 branches,
300,000 members, 3,000,000 attendances). Each benchmark runs as `python -m bench` runs it (its
children in their own interpreters), first at the small scale, then at the large one; targets:
each wall time ≤ 10× (the ratio of the scales) its small-scale figure from the same run (linear
or better) and peak RSS ≤ 1,024 MB at the large scale. The import reads 100,000 rows per unit of
scale (100,000 at scale 1, 1,000,000 at scale 10). Writes bench/results-province.md and .json,
and the "## Province" section of bench/results.md (which `python -m bench` keeps).

    uv run python -m bench.province [--scales 1,10] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from campaignflow.collect.reader import MAX_ROWS

from . import generate
from .common import ensure_bytecode, machine, try_child

RSS_LIMIT_MB = 1024
ROWS_PER_SCALE = 100_000
HERE = Path(__file__).parent
RESULTS = HERE / "results.md"
RESULTS_PROVINCE = HERE / "results-province.md"
SECTION = "## Province"


def rows_for(scale: float) -> int:
    """Rows of the import at `scale`, within what one file may hold (its header is a row)."""
    return min(round(ROWS_PER_SCALE * scale), MAX_ROWS - 1)


def commands(scale: float) -> dict[str, list[str]]:
    s = str(scale)
    return {
        "import": [
            "-m",
            "bench.bench_import",
            "--scale",
            s,
            "--rows",
            str(rows_for(scale)),
            "--json",
        ],
        "phase": ["-m", "bench.bench_phase", "--scale", s, "--json"],
        "reports": ["-m", "bench.bench_reports", "--scale", s, "--json"],
    }


def walls(name: str, r: dict) -> dict[str, float]:
    """The wall times of our code that a benchmark measured (its floors are not the target)."""
    if name == "import":
        return {"import (import_file)": r["ours_s"]}
    if name == "phase":
        return {"phase, domain only": r["domain_s"], "phase, Prefect flow": r["flow_s"]}
    return {"reports, 1 process": r["s_1"], "reports, 2 processes": r["s_2"]}


def peak_rss(name: str, r: dict) -> float:
    """The largest peak RSS of one of our processes in the benchmark."""
    if name == "import":
        return r["ours_rss_mb"]
    if name == "phase":
        return max(r["flow_rss_mb"], r["domain_rss_mb"])
    return max(r["rss_mb"], r["rss_mb_1"])


def run(scales: list[float], only: set[str], results: dict | None = None) -> dict:
    """The benchmarks in `only` at every scale, into `results` (a fresh run when None: with
    `--only`, the saved run's other figures stay); set-up (data generation) printed, not counted."""
    results = results or {"setup_s": {}, "results": {}}
    results.pop("failed", None)
    for scale in scales:
        t = time.perf_counter()
        meta = generate.ensure(generate.default_out(scale), scale)
        setup = time.perf_counter() - t
        results["setup_s"][str(scale)] = setup
        results.setdefault("counts", {})[str(scale)] = meta["counts"]
        print(
            f"\n== scale {scale:g}: data ready in {setup:.1f} s (set-up, not counted): "
            f"{json.dumps(meta['counts'], ensure_ascii=False)}",
            flush=True,
        )
        for name, cmd in commands(scale).items():
            if name not in only:
                continue
            t = time.perf_counter()
            print(f"-- {name} at scale {scale:g} …", flush=True)
            r = try_child(f"{name} at scale {scale:g}", cmd, timeout=3600)
            if r is None:
                results.setdefault("failed", []).append(f"{name} at scale {scale:g}")
                continue
            results["results"].setdefault(str(scale), {})[name] = r
            extra = ""
            if name == "import":  # the workbook of its rows, made once per row count
                results["setup_s"][str(scale)] += r["generate_s"]
                extra = f"; its {r['rows']:,}-row file made in {r['generate_s']:.1f} s, set-up"
            print(
                "   "
                + ", ".join(f"{k}: {v:.2f} s" for k, v in walls(name, r).items())
                + f", peak RSS {peak_rss(name, r):.0f} MB ({time.perf_counter() - t:.0f} s in all{extra})",
                flush=True,
            )
    return results


def table(results: dict, small: float, large: float) -> list[list[str]]:
    limit = large / small
    rows = []
    for name in commands(small):
        a = results["results"].get(str(small), {}).get(name)
        b = results["results"].get(str(large), {}).get(name)
        if a is None or b is None:
            rows.append([name, "—", "—", "", "**FAILED** (see the run's log)"])
            continue
        wa, wb = walls(name, a), walls(name, b)
        rows_a = f" ({a['rows']:,} rows)" if name == "import" else ""
        rows_b = f" ({b['rows']:,} rows)" if name == "import" else ""
        for (label, sa), sb in zip(wa.items(), wb.values(), strict=True):
            ratio = sb / sa
            rows.append(
                [
                    label,
                    f"{sa:.2f} s{rows_a}",
                    f"{sb:.2f} s{rows_b}",
                    f"≤ {limit:g}×",
                    f"{ratio:.2f}× — " + ("met" if ratio <= limit else "**MISSED**"),
                ]
            )
        rss = peak_rss(name, b)
        rows.append(
            [
                f"{name} peak RSS",
                f"{peak_rss(name, a):.0f} MB",
                f"{rss:.0f} MB",
                f"≤ {RSS_LIMIT_MB:,} MB",
                f"{rss / RSS_LIMIT_MB:.2f}× — " + ("met" if rss <= RSS_LIMIT_MB else "**MISSED**"),
            ]
        )
    return rows


def markdown(results: dict, small: float, large: float, m: dict, total_s: float) -> str:
    c = results["counts"][str(large)]
    setup = sum(results["setup_s"].values())
    lines = [
        f"{SECTION} (scale {large:g})",
        "",
        f"`make bench-province` ({m['date']}, {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; whole run "
        f"{total_s / 60:.1f} min, of which data set-up {setup / 60:.1f} min, not counted): scale {large:g} = "
        f"{c['branches']:,} branches, {c['members']:,} members, {c['attendance']:,} attendances, "
        f"each benchmark also run at scale {small:g} in the same run. The import reads "
        f"{rows_for(small):,} rows at scale {small:g} and {rows_for(large):,} at scale {large:g} "
        "(rows grow with the scale). Wall-time target: ≤ the scales' ratio × the small figure "
        f"(linear or better); peak RSS target at scale {large:g}: ≤ {RSS_LIMIT_MB:,} MB.",
        "",
        f"| benchmark | scale {small:g} | scale {large:g} | target | ratio / met? |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in table(results, small, large)]
    if results.get("rerun"):
        lines += ["", "Re-run alone (same command, `--only`): " + "; ".join(results["rerun"]) + "."]
    return "\n".join(lines) + "\n"


def with_section(text: str) -> str:
    """`text` (bench/results.md) with its province section replaced by results-province.md's
    (dropped when there is none): what `python -m bench` writes keeps the last province run."""
    at = text.find("\n" + SECTION)
    if at >= 0:
        text = text[: at + 1]
    if not RESULTS_PROVINCE.exists():
        return text
    return text.rstrip("\n") + "\n\n" + RESULTS_PROVINCE.read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10", help="the small and the large scale (default 1,10)")
    ap.add_argument("--no-write", action="store_true", help="do not write bench/results*.md")
    ap.add_argument(
        "--only",
        help="run only these (e.g. import); the saved run's figures of the others are kept",
    )
    args = ap.parse_args(argv)
    small, large = (float(s) for s in args.scales.split(","))
    m = machine()
    print(f"machine: {m}", flush=True)
    print(ensure_bytecode(), flush=True)
    t0 = time.perf_counter()
    saved = RESULTS_PROVINCE.with_suffix(".json")
    if args.only and saved.exists():
        kept = json.loads(saved.read_text(encoding="utf-8"))
        results = run([small, large], set(args.only.split(",")), kept)
        results.setdefault("rerun", []).append(f"{args.only} at {m['date']}")
        m, total = kept["machine"], kept["total_s"]
    else:
        results = run([small, large], set(commands(small)))
        total = time.perf_counter() - t0
    text = markdown(results, small, large, m, total)
    print("\n" + text)
    if args.no_write:
        return 1 if results.get("failed") else 0
    RESULTS_PROVINCE.write_text(text, encoding="utf-8")
    RESULTS_PROVINCE.with_suffix(".json").write_text(
        json.dumps(
            {
                "machine": m,
                "machine_end": machine(),
                "total_s": total,
                "scales": [small, large],
                **results,
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    if RESULTS.exists():
        RESULTS.write_text(with_section(RESULTS.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"written {RESULTS_PROVINCE} and its section of {RESULTS}")
    return 1 if results.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
