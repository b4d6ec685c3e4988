"""Flow tests: one Prefect test server for the session, a fresh data folder per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaignflow.spec.shipped import shipped_root

SPECS = shipped_root()


@pytest.fixture
def home(fresh_home, prefect_harness) -> Path:
    """A fresh CAMPAIGNFLOW_HOME (SQLite) for one test."""
    return fresh_home


@pytest.fixture
def fill_inbox():
    return _fill_inbox


@pytest.fixture
def spec():
    return _spec


def _fill_inbox(home: Path, campaign: str, skip: tuple[str, ...] = ()) -> Path:
    """Copy a shipped campaign's sample data into its inbox (minus `skip` file names)."""
    inbox = home / "inbox" / campaign
    inbox.mkdir(parents=True, exist_ok=True)
    for path in sorted((SPECS / campaign / "data").iterdir()):
        if path.suffix in (".csv", ".xlsx") and path.name not in skip:
            shutil.copy(path, inbox / path.name)
    return inbox


def _spec(campaign: str) -> str:
    return str(SPECS / campaign / "campaign.yaml")
