"""The working context of a run: settings, the campaign database (upgraded) and the data folder.

Flows and the CLI open one per process with `open_workspace()`; nothing is opened at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from .settings import Settings, load_settings

_OPEN: dict[str, Workspace] = {}


@dataclass(frozen=True)
class Workspace:
    """Where a run reads and writes."""

    settings: Settings
    engine: Engine

    @property
    def home(self) -> Path:
        return self.settings.home


def open_workspace(settings: Settings | None = None) -> Workspace:
    """The workspace for `settings` (default: the environment), database upgraded; one per URL."""
    from .db import open_database

    settings = settings or load_settings()
    key = f"{settings.home}|{settings.database_url}"
    if key not in _OPEN:
        settings.home.mkdir(parents=True, exist_ok=True)
        _OPEN[key] = Workspace(settings=settings, engine=open_database(settings.database_url))
    return _OPEN[key]


def close_workspaces() -> None:
    """Dispose every engine opened by this process (tests, CLI exit)."""
    for workspace in _OPEN.values():
        workspace.engine.dispose()
    _OPEN.clear()
