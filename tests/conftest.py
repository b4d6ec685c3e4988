"""Shared fixtures: one Prefect test server for the whole session (flow and notification tests)."""

from __future__ import annotations

import os

import pytest
from backends import backend, db_url, engine, migrated_templates, migrated_url  # noqa: F401
from pgserver import pg_server  # noqa: F401  (the session's PostgreSQL server, for every folder)


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's test harness: a temporary server and database, started once per session."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    """A fresh CAMPAIGNFLOW_HOME (its SQLite database, no CAMPAIGNFLOW_DATABASE_URL) for one
    test, with this process's workspaces closed before and after."""
    from campaignflow.workspace import close_workspaces

    folder = tmp_path / "home"
    monkeypatch.setenv("CAMPAIGNFLOW_HOME", str(folder))
    monkeypatch.delenv("CAMPAIGNFLOW_DATABASE_URL", raising=False)
    close_workspaces()
    yield folder
    close_workspaces()


@pytest.fixture(scope="session", autouse=True)
def no_server_left_behind(tmp_path_factory):
    """Every test that starts a data folder's Prefect server stops it: at the end of the
    session none of them may still run (any left is killed, and the session fails)."""
    yield
    import signal
    from pathlib import Path

    base = str(tmp_path_factory.getbasetemp())
    left = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "campaignflow.cli.server_process" in cmd and base in cmd:
            left.append(cmd)
            try:
                os.kill(int(proc.name), signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert not left, f"servers left running by the tests: {left}"
