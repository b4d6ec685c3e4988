"""The data folder's Prefect server process: Prefect's own API and UI, plus two small routes.

    python -m campaignflow.cli.server_process --home DIR --port 4200 [--idle 7200]

Started in the background by `campaignflow.cli.local_server` (never by hand). Next to the
Prefect app (everything else: `/api`, the UI) it answers
- `/campaignflow/info`: which data folder it belongs to, its pid and when it was last used — the
  CLI checks this before it sends a run, so no run goes to another folder's server;
- `/campaignflow/reports/<campaign>/<file>`: the reports of this data folder, so the links in
  the UI's artifacts open in the browser (no file:// links).
It stops by itself after `--idle` seconds without a request (a run, the UI, a command).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path
from urllib.parse import unquote

REPORT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
}
INFO_PATH = "/campaignflow/info"
REPORTS_PATH = "/campaignflow/reports/"


class Activity:
    """When the server was last asked for something (None: not yet — the idle clock starts
    with the first request, not while the server is still starting)."""

    def __init__(self) -> None:
        self.last: float | None = None

    def touch(self) -> None:
        self.last = time.time()


def report_file(reports: Path, path: str) -> Path | None:
    """The file under `reports` that a `/campaignflow/reports/...` path names, or None (never
    outside the folder, never a hidden file, only report file types)."""
    relative = unquote(path[len(REPORTS_PATH) :])
    parts = [p for p in relative.split("/") if p]
    if not parts or any(p.startswith(".") or p in ("..",) for p in parts):
        return None
    target = (reports / Path(*parts)).resolve()
    root = reports.resolve()
    if root not in target.parents or not target.is_file():
        return None
    if target.suffix.lower() not in REPORT_TYPES:
        return None
    return target


def make_app(prefect_app, home: Path, activity: Activity):
    """The ASGI app: our two routes, and Prefect's app for everything else (its lifespan too)."""
    reports = home / "reports"
    started = time.time()

    async def respond(send, status: int, body: bytes, content_type: str, extra=()):
        headers = [(b"content-type", content_type.encode()), *extra]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return await prefect_app(scope, receive, send)
        path = scope.get("path", "")
        if path == INFO_PATH:
            body = json.dumps(
                {
                    "home": str(home),
                    "pid": os.getpid(),
                    "started": started,
                    "last_activity": activity.last,
                },  # fmt: skip
                ensure_ascii=False,
            ).encode()
            return await respond(send, 200, body, "application/json")
        activity.touch()
        if path.startswith(REPORTS_PATH):
            target = report_file(reports, path)
            if target is None:
                return await respond(
                    send, 404, "没有这个报告文件".encode(), "text/plain; charset=utf-8"
                )
            disposition = f"inline; filename*=UTF-8''{_quote(target.name)}"
            return await respond(
                send,
                200,
                target.read_bytes(),
                REPORT_TYPES[target.suffix.lower()],
                [(b"content-disposition", disposition.encode())],
            )
        return await prefect_app(scope, receive, send)

    return app


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def watch_idle(activity: Activity, idle: float, interval: float = 30.0) -> None:
    """Stop this process (SIGTERM: uvicorn shuts down cleanly) after `idle` seconds unused."""

    def loop() -> None:
        while True:
            time.sleep(min(interval, idle))
            if activity.last is not None and time.time() - activity.last > idle:
                print(f"{idle:.0f} 秒无人使用，服务器自动停止", flush=True)
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=loop, name="idle-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--idle", type=float, default=7200.0)
    args = ap.parse_args(argv)
    home = args.home.resolve()
    os.environ.update(
        {
            "PREFECT_HOME": str(home / "prefect"),
            "PREFECT_SERVER_API_HOST": args.host,
            "PREFECT_SERVER_API_PORT": str(args.port),
            "PREFECT_UI_API_URL": f"http://{args.host}:{args.port}/api",
            "PREFECT_API_URL": f"http://{args.host}:{args.port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
    )
    import uvicorn
    from prefect.server.api.server import create_app

    activity = Activity()
    if args.idle > 0:
        watch_idle(activity, args.idle)
    app = make_app(create_app(final=True), home, activity)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_keep_alive=5)


if __name__ == "__main__":
    main()
