"""Web app fixtures: `served(name, today)` starts the app over a shipped campaign (see
web_support)."""

from __future__ import annotations

import datetime as dt

import pytest
from web_support import SPECS, Served, serve

from campaignflow.spec import LoadedCampaign, load


@pytest.fixture(scope="session")
def loaded_specs() -> dict[str, LoadedCampaign]:
    return {}


@pytest.fixture
def served(engine, loaded_specs):
    """A factory: `served("party-building-2023")` → the app over that campaign."""
    stops = []

    def start(name: str, today: dt.date | None = None) -> Served:
        """`today` by default: the first day of the campaign's first window."""
        if name not in loaded_specs:
            loaded_specs[name] = load(SPECS / name / "campaign.yaml")
        loaded = loaded_specs[name]
        first = min(s.window[0] for s in loaded.spec.stages if s.window)
        app, stop = serve(engine, loaded, today or first)
        stops.append(stop)
        return app

    yield start
    for stop in stops:
        stop()
