"""Shared helpers: timing, peak RSS, machine description, fresh data folders."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """Peak RSS of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """Largest peak RSS of any waited-for child process (ru_maxrss of RUSAGE_CHILDREN)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@contextmanager
def timed(into: dict, key: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        into[key] = into.get(key, 0.0) + time.perf_counter() - t


def run_child(args: list[str], env: dict | None = None, timeout: float = 900) -> dict:
    """Run `python -m <args>` in a fresh interpreter; it prints one JSON line prefixed RESULT:.

    Returns that JSON plus `rss_mb` (the child's own peak RSS, measured by the child over its
    whole life including imports) and `wall_s` seen from outside."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**child_environment(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    wall = time.perf_counter() - t
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT:"):
            result = json.loads(line[len("RESULT:") :])
    if proc.returncode != 0 or result is None:
        raise RuntimeError(
            f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    result["wall_s"] = wall
    result.setdefault("log", proc.stdout)
    return result


def try_child(label: str, args: list[str], timeout: float) -> dict | None:
    """`run_child`, its log dropped; a failure is printed (`<label> FAILED: …`) and gives None,
    so a run of several benchmarks goes on with the others."""
    try:
        result = run_child(args, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - report and go on with the others
        print(f"{label} FAILED: {exc}", flush=True)
        return None
    result.pop("log", None)
    return result


def child_environment() -> dict[str, str]:
    """This process's environment for a measured child: bytecode may be written (a user's
    second command finds it; `PYTHONDONTWRITEBYTECODE` would make every child compile what it
    imports, spawned report workers included)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def ensure_bytecode() -> str:
    """Compile the environment's and our modules once, before anything is measured: what a
    user's machine has from its second command on. Returns what it did, for the log."""
    import compileall
    import sysconfig

    t = time.perf_counter()
    targets = [Path(sysconfig.get_paths()["purelib"]), *(ROOT / d for d in PACKAGES)]
    for d in targets:  # quiet=2: files written for other Pythons do not compile here, and need not
        compileall.compile_dir(d, quiet=2, workers=os.cpu_count() or 1)
    return f"bytecode compiled in {time.perf_counter() - t:.1f} s (not counted)"


PACKAGES = ("campaignflow", "flows", "tasks", "bench")


def emit(result: dict) -> None:
    """The child's answer to `run_child` (its peak RSS added)."""
    result["rss_mb"] = round(max(peak_rss_mb(), result.get("rss_mb", 0.0)), 1)
    print("RESULT:" + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def bench_parser(doc: str, work: str, scale_help: str | None = None) -> argparse.ArgumentParser:
    """A benchmark's command line (described by the first line of `doc`): --scale of the
    generated campaign, --work (its scratch folder `work` beside the generated data) and --json
    (the result for `python -m bench`); the benchmark adds its own options."""
    from .generate import DEFAULT_OUT

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help=scale_help)
    ap.add_argument("--work", type=Path, default=DEFAULT_OUT / work)
    ap.add_argument("--json", action="store_true")
    return ap


def measure(run: Callable[[], dict], report: Callable[[dict], str], as_json: bool) -> None:
    """A benchmark's own part: the machine, then `run()`'s figures as `report` shows them; with
    --json also the result, for `python -m bench`."""
    print(f"machine: {machine()}", flush=True)
    print(ensure_bytecode(), flush=True)
    result = run()
    print(report(result))
    if as_json:
        emit(result)


def fresh_home(path: Path) -> Path:
    """An empty campaignflow data folder (CAMPAIGNFLOW_HOME), SQLite database inside."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def use_home(home: Path) -> None:
    """Point campaignflow (and a private Prefect server) at `home` for this process."""
    os.environ["CAMPAIGNFLOW_HOME"] = str(home)
    os.environ.pop("CAMPAIGNFLOW_DATABASE_URL", None)
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_HOME"] = str(home / "prefect")


def copy_inbox(source: Path, home: Path, campaign_id: str) -> Path:
    """Copy the generated inbox files to the campaign's default inbox in `home`."""
    target = home / "inbox" / campaign_id
    target.mkdir(parents=True, exist_ok=True)
    for f in sorted((source / "inbox").glob("*.xlsx")):
        shutil.copy2(f, target / f.name)
    return target


def machine() -> dict:
    """nproc, CPU model, RAM, load average, Python, date."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "load": load,
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
    }
