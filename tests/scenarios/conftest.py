"""Correction and replay scenarios, each on SQLite and on PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignflow.db import make_engine


@pytest.fixture
def second_engine(request, tmp_path: Path, backend: str):
    """Another new database on the same backend as `engine` (for a fresh run to compare with)."""
    from backends import _new_database

    folder = tmp_path / "second"
    folder.mkdir()
    databases = _new_database(request, folder, backend, migrated=True)
    engine = make_engine(next(databases))
    yield engine
    engine.dispose()
    databases.close()
