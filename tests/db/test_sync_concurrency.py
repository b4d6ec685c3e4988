"""Two processes syncing the same spec into a fresh database at once: no duplicate, no error.

The processes are forked from the test process (so they skip the seconds of imports) and run the
real `campaignflow sync` command; a file barrier makes them start together.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

import campaignflow.spec  # noqa: F401 - imported before forking, so children start at once
import campaignflow.sync  # noqa: F401
from campaignflow.db import make_engine

PROCESSES = 2


def _run_cli(barrier: Path, n: int, env: dict[str, str], args: list[str], out: Path) -> None:
    """Child: wait for the others, run the CLI with stdout/stderr to files, exit with its code."""
    code = 1
    try:
        os.environ.update(env)
        with open(out / "stdout", "w") as stdout, open(out / "stderr", "w") as stderr:
            sys.stdout, sys.stderr = stdout, stderr
            import campaignflow.spec  # noqa: F401 - the command's lazy imports, done before the barrier
            import campaignflow.sync  # noqa: F401
            from campaignflow.cli import build_app

            app = build_app()
            (barrier / str(os.getpid())).touch()
            deadline = time.monotonic() + 30
            while len(list(barrier.iterdir())) < n and time.monotonic() < deadline:
                time.sleep(0.002)
            try:
                app(args=args, prog_name="campaignflow")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException as exc:  # noqa: BLE001 - report anything to the parent
                print(f"{type(exc).__name__}: {exc}", file=stderr)
    finally:
        os._exit(code)


def test_concurrent_syncs_neither_duplicate_nor_fail(db_url, spec_file, tmp_path, row_counts):
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {"CAMPAIGNFLOW_DATABASE_URL": db_url, "CAMPAIGNFLOW_HOME": str(tmp_path)}
    fork = multiprocessing.get_context("fork")
    children = []
    for i in range(PROCESSES):
        out = tmp_path / f"child-{i}"
        out.mkdir()
        args = ["sync", str(spec_file.path)]
        child = fork.Process(target=_run_cli, args=(barrier, PROCESSES, env, args, out))
        child.start()
        children.append((child, out))
    outcomes = []
    for child, out in children:
        child.join(timeout=120)
        stdout, stderr = ((out / name).read_text() for name in ("stdout", "stderr"))
        # whichever process wins the race to create the schema says so; that line is incidental
        stdout = "".join(
            line for line in stdout.splitlines(keepends=True) if not line.startswith("数据库已升级")
        )
        outcomes.append((child.exitcode, stdout, stderr))
    for code, stdout, stderr in outcomes:
        assert (code, stderr) == (0, ""), stdout + stderr  # no error reaches the user

    synced = [out for _, out, _ in outcomes if "已同步 测试活动（test-campaign）：新增 21" in out]
    nothing = "无变化：测试活动（test-campaign）已是最新（新增 0、更新 0、归档 0、未变 21）\n"
    assert len(synced) == 1, outcomes
    assert [out for _, out, _ in outcomes if out not in synced] == [nothing] * (PROCESSES - 1)

    engine = make_engine(db_url)
    try:
        counts = row_counts(engine)
    finally:
        engine.dispose()
    assert {k: counts[k] for k in ("campaign", "unit", "person", "measure", "assignment")} == {
        "campaign": 1,
        "unit": 5,
        "person": 3,
        "measure": 3,
        "assignment": 5,
    }
    assert counts["audit_log"] == 21  # each row inserted (and audited) exactly once
