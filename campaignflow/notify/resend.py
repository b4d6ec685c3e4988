"""Reminders whose delivery is unknown (待确认), and sending them again by hand once the officer
has checked that they did not arrive (`campaignflow notify list|resend`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, and_, or_, select, update

from .. import db
from ..spec import LoadedCampaign
from .channels import DEFAULT_RETRY, Message, NotConfigured, RetryPolicy, build_sender
from .message import FOOTER
from .outbox import NOT_CONFIGURED, SENDING, UNCONFIRMED, Delivery, record_outcome, send_once
from .secrets import Resolver

STALE = dt.timedelta(minutes=15)  # a row `sending` this long: its sweep crashed mid-send


def _waiting(now: dt.datetime):
    """Rows waiting for the officer: unconfirmed, or left `sending` by a crash."""
    return or_(
        db.Notification.status == UNCONFIRMED,
        and_(db.Notification.status == SENDING, db.Notification.sent_at < now - STALE),
    )


@dataclass(frozen=True)
class Unconfirmed:
    """One item whose message went out without an answer."""

    key: str
    recipient: str  # 机关第一党支部（第一支部工作群）
    channel: str
    target: str
    subject: str
    body: str
    error: str
    sent_at: dt.datetime

    @property
    def unit_name(self) -> str:
        return self.recipient.rsplit("（", 1)[0]


def unconfirmed(
    engine: Engine, loaded: LoadedCampaign, now: dt.datetime | None = None
) -> list[Unconfirmed]:
    """Every item of the campaign waiting for the officer, oldest first."""
    now = now or dt.datetime.now(dt.UTC)
    with db.read_session(engine) as session:
        rows = session.scalars(
            select(db.Notification)
            .where(
                db.Notification.campaign_id == db.campaign_id(session, loaded.spec.campaign.id),
                _waiting(now),
            )
            .order_by(db.Notification.sent_at, db.Notification.dedupe_key)
        ).all()
        return [
            Unconfirmed(
                key=r.dedupe_key,
                recipient=r.recipient,
                channel=r.channel,
                target=r.dedupe_key.rpartition(">")[2].partition(":")[2],
                subject=r.subject or "",
                body=r.body,
                error=r.error or "（发送中断，未记录结果）",
                sent_at=r.sent_at,
            )
            for r in rows
        ]


def resend(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    resolve: Resolver,
    keys: list[str] | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send the waiting items (all, or `keys`) again: one message per recipient, each item claimed
    first so that two resends never send it twice; the outcome recorded like a sweep's."""
    now = dt.datetime.now(dt.UTC)
    waiting = [u for u in unconfirmed(engine, loaded, now) if keys is None or u.key in keys]
    groups: dict[tuple[str, str], list[Unconfirmed]] = {}
    for item in waiting:
        groups.setdefault((item.channel, item.target), []).append(item)
    secrets = {(r.channel, r.target): r.secret_name for r in loaded.spec.reminders.recipients}
    with db.read_session(engine) as session:
        campaign_id = db.campaign_id(session, loaded.spec.campaign.id)
    results = []
    for (channel, target), items in groups.items():
        unit_name = items[0].unit_name
        base = ("", unit_name, channel, target)
        sender = build_sender(
            channel, target, resolve, secrets.get((channel, target)), retry.timeout
        )
        if isinstance(sender, NotConfigured):
            results.append(Delivery(*base, len(items), NOT_CONFIGURED, sender.reason))
            continue
        claimed = _take(engine, campaign_id, [i.key for i in items], now)
        if not claimed:
            continue
        mine = [i for i in items if i.key in claimed]
        lines = [f"{unit_name}：以下 {len(mine)} 项工作请关注（补发）"]
        lines += [f"{n}. {i.body}" for n, i in enumerate(mine, start=1)]
        message = Message(subject=mine[0].subject, text="\n".join([*lines, FOOTER]))
        status, detail = send_once(sender, target, message, retry, sleep)
        record_outcome(engine, campaign_id, claimed, status, detail)
        results.append(Delivery(*base, len(mine), status, detail, message.subject, message.text))
    return results


def _take(engine: Engine, campaign_id: int, keys: list[str], now: dt.datetime) -> list[str]:
    """Claim waiting items for this resend (under the campaign's notification lock): `sending`
    as of now, so a second resend at the same moment finds nothing to take."""
    with db.write_session(engine) as session:
        db.writer_lock(session=session, name=f"notification:{campaign_id}")
        found = session.scalars(
            select(db.Notification.dedupe_key).where(
                db.Notification.campaign_id == campaign_id,
                db.Notification.dedupe_key.in_(keys),
                _waiting(now),
            )
        ).all()
        if found:
            session.execute(
                update(db.Notification)
                .where(
                    db.Notification.campaign_id == campaign_id,
                    db.Notification.dedupe_key.in_(found),
                )
                .values(status=SENDING, sent_at=now)
            )
    return list(found)
