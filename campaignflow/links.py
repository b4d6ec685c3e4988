"""Addresses of report files a person can open from the Prefect UI.

When the run talks to its data folder's own server (`cli.server_process`), a report is served over
HTTP next to the UI (`/campaignflow/reports/...`). Otherwise `CAMPAIGNFLOW_REPORTS_URL` (e.g.
an nginx location over the shared data folder's `reports/`) when set, else a file:// address.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import quote

REPORTS_URL_ENV = "CAMPAIGNFLOW_REPORTS_URL"


@functools.cache
def _served_by(api_url: str) -> str | None:
    """The data folder the server at `api_url` serves reports for (None: not one of ours)."""
    base = api_url.removesuffix("/api").rstrip("/")
    try:
        with urllib.request.urlopen(f"{base}/campaignflow/info", timeout=2) as response:
            return json.loads(response.read()).get("home")
    except (OSError, ValueError):
        return None


def report_link(path: Path, home: Path) -> str:
    """The address of report file `path` (under `home/reports`)."""
    path = Path(path).resolve()
    reports = (Path(home) / "reports").resolve()
    try:
        relative = path.relative_to(reports).as_posix()
    except ValueError:
        return path.as_uri()
    configured = os.environ.get(REPORTS_URL_ENV, "").strip()
    if configured:
        return f"{configured.rstrip('/')}/{quote(relative)}"
    api = os.environ.get("PREFECT_API_URL", "")
    if api and _served_by(api) == str(Path(home).resolve()):
        return f"{api.removesuffix('/api').rstrip('/')}/campaignflow/reports/{quote(relative)}"
    return path.as_uri()
