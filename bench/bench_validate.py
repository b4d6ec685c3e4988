"""Benchmark 4: `campaignflow validate` of a shipped campaign, as an editor runs it on every save.

Floor, measured in the same run: `python -c "import pydantic, yaml, typer, rich, python_calamine"`
(the libraries validate needs, imported). Also measured: a typer app with validate's two
parameters and an empty body, which is what typer itself costs once it parses a command line
(typer builds a pydantic TypeAdapter per parameter). Each command runs `--runs` times,
interleaved; the minimum of each counts (a cold first run is printed apart). `-X importtime`
of one more run says where our time goes.

    uv run python -m bench.bench_validate [--runs 15]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import Counter

from .common import ROOT, child_environment, measure

SPEC = ROOT / "campaign_specs" / "bapo-bali-2023" / "campaign.yaml"
TARGET_RATIO = 2.0
FLOOR_IMPORTS = "import pydantic, yaml, typer, rich, python_calamine"
TYPER_ALONE = """
from pathlib import Path
from typing import Annotated
import typer
import pydantic, yaml, rich, python_calamine
app = typer.Typer(add_completion=False)
@app.command()
def validate(
    specs: Annotated[list[Path], typer.Argument()],
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    pass
@app.command()
def other() -> None:
    pass
app()
"""


def _ours() -> list[str]:
    return [sys.executable, "-c", "from campaignflow.cli import main; main()"]


def commands() -> dict[str, list[str]]:
    py = sys.executable
    return {
        "floor": [py, "-c", FLOOR_IMPORTS],
        "typer_alone": [py, "-c", TYPER_ALONE, "validate", "-q", str(SPEC)],
        "ours": [*_ours(), "validate", "-q", str(SPEC)],
    }


def _time(cmd: list[str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=child_environment(), cwd=ROOT)
    took = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[-3:]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return took


def _self_times(cmd: list[str]) -> dict[str, float]:
    """Each imported module's own import time (ms), from one run under `-X importtime`."""
    done = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]],
        capture_output=True,
        text=True,
        env=child_environment(),
        cwd=ROOT,
    )
    found = {}
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \| +(\S+)", line)
        if m:
            found[m.group(2)] = int(m.group(1)) / 1000
    return found


def where(floor: dict[str, float], ours: dict[str, float]) -> dict[str, float]:
    """Import time (ms) of the modules ours loads and the floor does not, by top package."""
    by: Counter[str] = Counter()
    for name, ms in ours.items():
        if name not in floor:
            by[name.split(".")[0]] += ms
    return {k: round(v, 1) for k, v in by.most_common(6)}


def run(runs: int) -> dict:
    cmds = commands()
    cold = {name: _time(cmd) for name, cmd in cmds.items()}
    best = dict.fromkeys(cmds, float("inf"))
    for _ in range(runs):
        for name, cmd in cmds.items():
            best[name] = min(best[name], _time(cmd))
    extra = where(_self_times(cmds["floor"]), _self_times(cmds["ours"]))
    return {
        "runs": runs,
        "spec": str(SPEC.relative_to(ROOT)),
        "cold_s": {k: round(v, 3) for k, v in cold.items()},
        "floor_s": round(best["floor"], 3),
        "typer_alone_s": round(best["typer_alone"], 3),
        "ours_s": round(best["ours"], 3),
        "ratio": round(best["ours"] / best["floor"], 2),
        "typer_ratio": round(best["typer_alone"] / best["floor"], 2),
        "extra_import_ms": extra,
    }


def report(r: dict) -> str:
    extra = ", ".join(f"{k} {v:.0f}" for k, v in r["extra_import_ms"].items())
    return "\n".join([
        f"validate {r['spec']}: best of {r['runs']} runs each, interleaved",
        f"  floor ({FLOOR_IMPORTS}): {r['floor_s'] * 1000:.0f} ms",
        f"  a typer app with validate's parameters, empty body: {r['typer_alone_s'] * 1000:.0f} ms "
        f"({r['typer_ratio']:.2f}× floor)",
        f"  campaignflow validate -q: {r['ours_s'] * 1000:.0f} ms = {r['ratio']:.2f}× floor "
        f"(first run {r['cold_s']['ours'] * 1000:.0f} ms)",
        f"  imports the floor has not (ms under -X importtime): {extra}",
        f"  target: ≤ {TARGET_RATIO:.0f}× floor — " + ("met" if r["ratio"] <= TARGET_RATIO else "MISSED"),
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--scale", type=float, help="ignored (validate reads a shipped campaign)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    measure(lambda: run(args.runs), report, args.json)


if __name__ == "__main__":
    main()
