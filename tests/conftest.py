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
