"""Every database test on SQLite and on PostgreSQL: the `backend`, `db_url`, `migrated_url` and
`engine` fixtures (registered in tests/conftest.py, so any test folder may ask for them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgserver import PgServer
from sqlalchemy.engine import make_url

from campaignflow.db import make_engine, upgrade
from campaignflow.settings import sqlite_url


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Upgraded databases to copy from, made once: a SQLite file; a PostgreSQL template (lazily)."""
    path = tmp_path_factory.mktemp("template") / "campaignflow.db"
    upgrade(sqlite_url(path))
    return {"sqlite": path}


def _pg_template(request: pytest.FixtureRequest, templates: dict[str, object]) -> str:
    if "postgresql" not in templates:
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create_database()
        upgrade(url)
        templates["postgresql"] = make_url(url).database
    return str(templates["postgresql"])


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test: sqlite or postgresql."""
    return request.param


def _new_database(request, tmp_path: Path, backend: str, migrated: bool) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "campaignflow.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_templates")["sqlite"], path)
        yield sqlite_url(path)
        return
    server: PgServer = request.getfixturevalue("pg_server")
    if migrated:
        url = server.create_database(
            _pg_template(request, request.getfixturevalue("migrated_templates"))
        )
    else:
        url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, or a database on the test server."""
    yield from _new_database(request, tmp_path, backend, migrated=False)


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """The URL of a new database already at the newest schema."""
    yield from _new_database(request, tmp_path, backend, migrated=True)


@pytest.fixture
def engine(migrated_url: str):
    """An engine on a new database at the newest schema."""
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()
