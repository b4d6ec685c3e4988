"""Notification tests: a local HTTP receiver (DingTalk/WeCom robots, webhooks), a local SMTP server
(aiosmtpd), one Prefect test server per session and a fresh data folder per test."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SPEC = HERE / "sweep.yaml"
SECRET_VARS = ("DINGTALK", "WECOM", "SMTP", "WEBHOOK")


@dataclass
class Receiver:
    """Records every POST; answers `{"errcode": 0}` unless told to fail the next `fail` requests."""

    url: str
    requests: list[dict] = field(default_factory=list)
    fail: int = 0
    fail_with: tuple[int, dict] = (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    delay: float = 0.0  # seconds to wait, after taking a message, before answering (a slow robot)
    hang_up: bool = False  # take the message, then close the connection without an answer
    faulty: str = "/robot/send"  # the path `delay` and `hang_up` apply to

    def at(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            parts = urllib.parse.urlsplit(self.path)
            state.requests.append(
                {
                    "path": parts.path,
                    "query": dict(urllib.parse.parse_qsl(parts.query)),
                    "json": json.loads(raw.decode("utf-8")),
                    "content_type": self.headers.get("Content-Type", ""),
                }
            )
            if state.delay and parts.path == state.faulty:
                time.sleep(state.delay)
            if state.hang_up and parts.path == state.faulty:
                self.close_connection = True
                return
            status, body = (200, {"errcode": 0, "errmsg": "ok"})
            if state.fail > 0:
                state.fail -= 1
                status, body = state.fail_with
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except BrokenPipeError:  # the client gave up waiting (a slow-robot test)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", 0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            message = message_from_bytes(envelope.content, policy=policy.default)
            box.messages.append(
                {"to": envelope.rcpt_tos, "from": envelope.mail_from, "message": message}
            )
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        box.port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def no_secrets(monkeypatch):
    """No channel configured from the developer's own environment."""
    for name in list(os.environ):
        if name.startswith("CAMPAIGNFLOW_") and any(v in name for v in SECRET_VARS):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def channels_env(no_secrets, receiver, smtp) -> dict[str, str]:
    """Every channel of sweep.yaml configured, pointing at the local receivers."""
    env = {
        "CAMPAIGNFLOW_DINGTALK_TOKEN__B1": "tok-b1",
        "CAMPAIGNFLOW_DINGTALK_URL": f"{receiver.url}/robot/send",
        "CAMPAIGNFLOW_WECOM_KEY": "wecom-key",
        "CAMPAIGNFLOW_WECOM_URL": f"{receiver.url}/cgi-bin/webhook/send",
        "CAMPAIGNFLOW_SMTP_HOST": smtp.host,
        "CAMPAIGNFLOW_SMTP_PORT": str(smtp.port),
        "CAMPAIGNFLOW_SMTP_MODE": "insecure",
        "CAMPAIGNFLOW_SMTP_FROM": "campaignflow@example.org",
        "CAMPAIGNFLOW_WEBHOOK_URL__OA": f"{receiver.url}/hook",
    }
    for name, value in env.items():
        no_secrets.setenv(name, value)
    return env


@pytest.fixture
def loaded():
    from campaignflow.spec import load

    return load(SPEC)


@pytest.fixture
def engine(tmp_path, loaded):
    from campaignflow.db import open_database
    from campaignflow.sync import sync_campaign

    engine = open_database(f"sqlite:///{tmp_path / 'campaign.db'}")
    sync_campaign(engine=engine, loaded=loaded)
    yield engine
    engine.dispose()


@pytest.fixture
def home(fresh_home, prefect_harness) -> Path:
    """A fresh CAMPAIGNFLOW_HOME (SQLite) with sweep.yaml synced into it."""
    from campaignflow.spec import load
    from campaignflow.sync import sync_campaign
    from campaignflow.workspace import open_workspace

    sync_campaign(engine=open_workspace().engine, loaded=load(SPEC))
    return fresh_home
