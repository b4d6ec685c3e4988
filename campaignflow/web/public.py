"""群众评议 from the public: one open link per feedback form, a 受理编号 to follow the reply.

A message enters the feedback form as any row does (编号 = the 受理编号, 渠道 网页, 待核实, dated
the day), so the ledger (核实 → 处置 → 回复 → 满意度) and the reports carry it. Nothing about the
sender is kept: no name is asked, no address or browser stored; the rate limit keys clients by
a keyed hash that lives only in the server's memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from .. import db
from ..calendar import today
from ..collect.rows import ParsedRow
from ..collect.store import SubmissionWriter
from ..spec import LoadedCampaign
from ..spec.kinds import RECEIVED, builtin_fields
from .ballots import ALPHABET

CHANNEL = "网页"
MAX_CONTENT = 1000
MIN_CONTENT = 5
RECEIPT_PREFIX = "QZ-"


def new_receipt() -> str:
    return RECEIPT_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(8))


def receive(
    *, engine: Engine, loaded: LoadedCampaign, form_id: str, content: str, on: dt.date | None = None
) -> str:
    """Store one message from the public; returns its 受理编号."""
    code = new_receipt()
    values = {
        "code": code,
        "received_on": on or today(loaded.spec.campaign.timezone),
        "channel": CHANNEL,
        "content": content,
        "status": RECEIVED,
    }
    _write(engine, loaded, form_id, values, "群众评议（网页）")
    return code


def _write(engine: Engine, loaded: LoadedCampaign, form_id: str, values: dict, actor: str) -> None:
    with db.write_session(engine) as session:
        writer = SubmissionWriter(
            session=session, loaded=loaded, form_id=form_id, source="群众评议（网页）",
            sheet="网页", actor=actor, mode="append", channel=CHANNEL,
        )  # fmt: skip
        writer.write([ParsedRow(row=0, key=values["code"], values=values)])
        writer.finish()


@dataclass(frozen=True)
class Reply:
    code: str
    received_on: str
    status: str
    replied_on: str | None
    details: list[tuple[str, str]]  # declared fields of the form (办理结果 …)
    satisfaction: str | None
    values: dict[str, Any]


def find(engine: Engine, loaded: LoadedCampaign, form_id: str, code: str) -> Reply | None:
    code = code.strip().upper()
    if not code.startswith(RECEIPT_PREFIX) or len(code) > 20:
        return None
    S = db.Submission
    with db.read_session(engine) as session:
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        data = session.scalar(
            select(S.data)
            .join(db.Form, db.Form.id == S.form_id)
            .where(
                db.Form.campaign_id == campaign.id,
                db.Form.key == form_id,
                S.natural_key == code,
                S.archived.is_(False),
            )
        )
    if data is None:
        return None
    form = loaded.spec.forms[form_id]
    own = builtin_fields(form)
    details = [
        (spec.label or fid, str(data[fid]))
        for fid, spec in form.fields.items()
        if fid not in own and data.get(fid) not in (None, "")
    ]
    return Reply(
        code, str(data.get("received_on")), data.get("status") or "待核实",
        data.get("replied_on"), details, data.get("satisfaction"), data,
    )  # fmt: skip


def rate(engine: Engine, loaded: LoadedCampaign, form_id: str, reply: Reply, choice: str) -> None:
    """The sender's satisfaction with a reply (once the status is 已回复)."""
    values = dict(reply.values)
    values["satisfaction"] = choice
    for name in ("received_on", "replied_on"):
        if values.get(name):
            values[name] = dt.date.fromisoformat(str(values[name]))
    _write(engine, loaded, form_id, values, "群众评议（网页）")


class RateLimit:
    """At most `limit` requests per `seconds` per client, clients told apart by a keyed hash
    of their address whose key is made at start and never written anywhere."""

    def __init__(self, limit: int = 5, seconds: float = 600.0) -> None:
        self.limit, self.seconds = limit, seconds
        self._key = secrets.token_bytes(32)
        self._seen: dict[bytes, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        who = hmac.new(self._key, client.encode(), hashlib.sha256).digest()[:12]
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:
                self._seen.clear()
            times = self._seen.setdefault(who, deque())
            while times and now - times[0] > self.seconds:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True
