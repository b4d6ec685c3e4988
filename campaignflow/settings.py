"""Settings from the environment: the data folder and the campaign database URL.

Nothing is read at import time; call `load_settings()` where the value is needed (the CLI, a flow's
entry point) and pass it down.

- `CAMPAIGNFLOW_HOME`: the data folder (default `./.campaignflow`, relative to the working folder).
- `CAMPAIGNFLOW_DATABASE_URL`: the campaign database; default a SQLite file in the data folder.
  `postgresql://…` and `postgres://…` URLs are given the psycopg 3 driver.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "CAMPAIGNFLOW_HOME"
DATABASE_URL_ENV = "CAMPAIGNFLOW_DATABASE_URL"
DEFAULT_HOME = ".campaignflow"
SQLITE_FILE = "campaignflow.db"


@dataclass(frozen=True)
class Settings:
    """Where campaignflow keeps its state."""

    home: Path
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """The data folder (`CAMPAIGNFLOW_HOME`, default `./.campaignflow`), as an absolute path."""
    env = os.environ if environ is None else environ
    raw = env.get(HOME_ENV, "").strip() or DEFAULT_HOME
    return Path(raw).expanduser().resolve()


def normalise_database_url(url: str) -> str:
    """Give bare PostgreSQL URLs the psycopg 3 driver; leave every other URL as written."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """`CAMPAIGNFLOW_DATABASE_URL`, or the SQLite file `campaignflow.db` in the data folder."""
    env = os.environ if environ is None else environ
    raw = env.get(DATABASE_URL_ENV, "").strip()
    if raw:
        return normalise_database_url(raw)
    return sqlite_url(data_home(env) / SQLITE_FILE)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or from `environ`, for tests)."""
    return Settings(home=data_home(environ), database_url=database_url(environ))
