"""The web app under test (helpers): uvicorn on 127.0.0.1 (a free port) in a thread of the test, over a
shipped campaign synced into a real database (SQLite and PostgreSQL, `backend`)."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine

from campaignflow.spec import LoadedCampaign
from campaignflow.sync import sync_campaign
from campaignflow.web import links
from campaignflow.web.app import Site, create_app

SPECS = Path(__file__).resolve().parents[2] / "campaign_specs"
SECRET = b"test-secret-0123456789abcdef"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class Served:
    url: str
    engine: Engine
    loaded: LoadedCampaign
    site: Site

    def link(self, form: str, unit: str, *, generation: int = 0, expires=None) -> str:
        expires = expires or links.expiry(self.loaded, form)
        link = links.Link(self.loaded.spec.campaign.id, form, unit, generation, expires)
        return links.sign(SECRET, link)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(engine: Engine, loaded: LoadedCampaign, today: dt.date):
    """Start the app; returns (Served, stop)."""
    sync_campaign(engine=engine, loaded=loaded)
    site = Site(engine=engine, campaigns={loaded.spec.campaign.id: loaded}, secret=SECRET,
                today=lambda _c: today)  # fmt: skip
    port = _free_port()
    config = uvicorn.Config(create_app(site), host="127.0.0.1", port=port, access_log=False,
                            log_level="warning", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return Served(f"http://127.0.0.1:{port}", engine, loaded, site), stop
