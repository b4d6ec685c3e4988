"""Deliver digests at most once: the notification log is an outbox claimed before anything is sent.

One row of `notification` per reminder item and recipient, keyed `<item key>><channel>:<target>`
(the item key is kind, measure@unit and the working day, see `deadlines.ReminderItem.key`).
A sweep first claims the rows it will send, in one transaction under a lock per campaign, as
`sending`: a new key is inserted, a `failed`/`skipped`/`queued` one taken over; a key that is
`sent`, `sending` (another sweep is on it, or one crashed mid-send) or `unconfirmed` is left
alone — so two sweeps at the same moment never send the same item. Then it sends, then records:
- `sent` rows are never sent again — a rerun of the sweep sends nothing new;
- `failed`: the channel refused or could not be reached (nothing was delivered): retried in the
  sweep, then by the next one;
- `unconfirmed` (待确认): the request went out and no answer came (a slow robot): it may have
  been delivered, so nothing sends it again by itself; `campaignflow notify resend` does, when
  the officer has checked; a `sending` row left by a crash counts as unconfirmed too;
- in quiet hours the digest is `queued`; the next sweep after them plans the same items (same
  keys) and sends them; a queued item no longer planned (done meanwhile, or replaced by a newer
  reminder) becomes `skipped`; `skipped` (channel not configured) rows are tried again.
A recipient hears about all of its new items in one message.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from .. import db
from ..deadlines import ESCALATION, Digest, ReminderItem
from ..spec import LoadedCampaign
from ..spec.checks import resolve_owner
from ..spec.models import Recipient
from .channels import (
    DEFAULT_RETRY,
    NotConfigured,
    OutcomeUnknown,
    RetryPolicy,
    build_sender,
    send_with_retry,
)
from .message import compose
from .quiet import in_quiet_hours
from .secrets import Resolver

SENT, QUEUED, FAILED, ALREADY, NOT_CONFIGURED, NO_RECIPIENT, UNCONFIRMED = (
    "sent",
    "queued",
    "failed",
    "already",
    "not_configured",
    "no_recipient",
    "unconfirmed",
)
SENDING = "sending"  # claimed by a sweep that has not recorded the outcome (yet)
CLAIMABLE = ("failed", "skipped", "queued")  # rows a sweep may (re)send
OBSOLETE = "已过时（事项已完成或已有更新的提醒）"


@dataclass(frozen=True)
class Delivery:
    """What happened to one digest for one recipient in this sweep."""

    unit: str
    unit_name: str
    channel: str
    target: str
    items: int  # items in the digest (new ones, or all when already sent)
    status: str  # sent / queued / failed / already / not_configured / no_recipient / unconfirmed
    detail: str = ""
    subject: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        return {
            SENT: "已发送",
            QUEUED: "已排队（静默时段）",
            FAILED: f"失败：{self.detail}",
            ALREADY: "已发送过",
            NOT_CONFIGURED: f"未发送：{self.detail}",
            NO_RECIPIENT: "未发送：该单位未配置接收人（reminders.recipients）",
            UNCONFIRMED: f"待确认：{self.detail}",
        }[self.status]


def recipients_for(loaded: LoadedCampaign, unit_id: str) -> list[Recipient]:
    """The recipients declared for a unit (by id, name or 各<类型>), in spec order."""
    found = []
    for recipient in loaded.spec.reminders.recipients:
        units = resolve_owner(recipient.unit, loaded.units) or []
        if any(u.id == unit_id for u in units):
            found.append(recipient)
    return found


def dedupe_key(item: ReminderItem, recipient: Recipient) -> str:
    return f"{item.key}>{recipient.channel}:{recipient.target}"


def _ids(engine: Engine, loaded: LoadedCampaign) -> tuple[int, dict[tuple[str, str], int]]:
    with db.read_session(engine) as session:
        campaign_id = db.campaign_id(session, loaded.spec.campaign.id)
        rows = session.execute(
            select(db.Assignment.id, db.Measure.key, db.Unit.key)
            .join(db.Measure, db.Measure.id == db.Assignment.measure_id)
            .join(db.Unit, db.Unit.id == db.Assignment.unit_id)
            .where(db.Measure.campaign_id == campaign_id)
        ).all()
    return campaign_id, {(m, u): a for a, m, u in rows}


def _claim(
    engine: Engine, campaign_id: int, rows: dict[str, dict], status: str
) -> tuple[list[str], list[str]]:
    """Claim `rows` (key -> the row's fields) as `status` in one transaction under the campaign's
    notification lock: (claimed keys, keys left alone because they are unconfirmed)."""
    claimed, unconfirmed = [], []
    with db.write_session(engine) as session:
        db.writer_lock(session=session, name=f"notification:{campaign_id}")
        found = dict(
            session.execute(
                select(db.Notification.dedupe_key, db.Notification.status).where(
                    db.Notification.campaign_id == campaign_id,
                    db.Notification.dedupe_key.in_(list(rows)),
                )
            ).all()
        )
        for key, fields in rows.items():
            now, values = found.get(key), {**fields, "status": status}
            if now is None:
                session.add(db.Notification(campaign_id=campaign_id, dedupe_key=key, **values))
            elif now in CLAIMABLE:
                session.execute(
                    update(db.Notification)
                    .where(
                        db.Notification.campaign_id == campaign_id,
                        db.Notification.dedupe_key == key,
                    )
                    .values(**values)
                )
            else:  # sent; unconfirmed (the officer decides); sending (another sweep is on it)
                if now == UNCONFIRMED:
                    unconfirmed.append(key)
                continue
            claimed.append(key)
    return claimed, unconfirmed


def record_outcome(
    engine: Engine, campaign_id: int, keys: list[str], status: str, error: str
) -> None:
    """The outcome of a send: only rows this sweep claimed (still `sending`) change."""
    with db.write_session(engine) as session:
        session.execute(
            update(db.Notification)
            .where(
                db.Notification.campaign_id == campaign_id,
                db.Notification.dedupe_key.in_(keys),
                db.Notification.status == SENDING,
            )
            .values(status=status, error=error or None)
        )


def send_once(sender, target: str, message, retry: RetryPolicy, sleep) -> tuple[str, str]:
    """(Delivery status, detail) of one send with its retries."""
    try:
        error = send_with_retry(sender, target, message, retry, sleep)
    except OutcomeUnknown as exc:
        return UNCONFIRMED, f"{exc}，不自动重发；确认未收到后运行 campaignflow notify resend"
    return (SENT, "") if error is None else (FAILED, error)


def deliver(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    digests: list[Digest],
    as_of: dt.date,
    now: dt.datetime,
    resolve: Resolver,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send each digest to each of its unit's recipients (only the items this sweep claims), or
    queue it in quiet hours; every item is in the notification log before it is sent."""
    policy = loaded.spec.reminders
    quiet = in_quiet_hours(now, policy.quiet_hours, loaded.spec.campaign.timezone)
    stamp = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    campaign_id, assignments = _ids(engine, loaded)
    results: list[Delivery] = []
    planned: set[str] = set()
    for digest in digests:
        recipients = recipients_for(loaded, digest.unit)
        if not recipients:
            results.append(
                Delivery(digest.unit, digest.unit_name, "", "", len(digest.items), NO_RECIPIENT)
            )
            continue
        for recipient in recipients:
            keys = {dedupe_key(item, recipient): item for item in digest.items}
            planned.update(keys)
            base = (digest.unit, digest.unit_name, recipient.channel, recipient.target)
            message = compose(loaded, digest, as_of)
            sender = None if quiet else build_sender(
                recipient.channel, recipient.target, resolve, recipient.secret_name, retry.timeout
            )  # fmt: skip
            rows = {
                key: {
                    "kind": "escalation" if item.kind == ESCALATION else "reminder",
                    "channel": recipient.channel,
                    "recipient": f"{digest.unit_name}（{recipient.target}）",
                    "assignment_id": assignments.get((item.item.measure, item.item.unit)),
                    "subject": message.subject,
                    "body": item.text,
                    "error": None,
                    "sent_at": stamp,
                }
                for key, item in keys.items()
            }
            if isinstance(sender, NotConfigured):  # nothing will be sent: recorded as skipped
                for fields in rows.values():
                    fields["error"] = sender.reason
                claimed, unconfirmed = _claim(engine, campaign_id, rows, "skipped")
                if not claimed:
                    results.append(_left_alone(base, len(keys), unconfirmed))
                    continue
                text = compose(loaded, digest.only([keys[k] for k in claimed]), as_of)
                results.append(
                    Delivery(*base, len(claimed), NOT_CONFIGURED, sender.reason, text.subject,
                             text.text)
                )  # fmt: skip
                continue
            claimed, unconfirmed = _claim(engine, campaign_id, rows, QUEUED if quiet else SENDING)
            if not claimed:
                results.append(_left_alone(base, len(keys), unconfirmed))
                continue
            message = compose(loaded, digest.only([keys[k] for k in claimed]), as_of)
            if quiet:
                results.append(Delivery(*base, len(claimed), QUEUED, "", message.subject,
                                        message.text))  # fmt: skip
                continue
            status, detail = send_once(sender, recipient.target, message, retry, sleep)
            record_outcome(engine, campaign_id, claimed, status, detail)
            results.append(
                Delivery(*base, len(claimed), status, detail, message.subject, message.text)
            )
    if not quiet:
        _drop_obsolete(engine, campaign_id, planned)
    return results


def _left_alone(base: tuple, items: int, unconfirmed: list[str]) -> Delivery:
    """A digest this sweep sends nothing of: already sent, or waiting for the officer."""
    if unconfirmed:
        detail = (
            f"{len(unconfirmed)} 项此前已发出但未收到应答，请确认（campaignflow notify resend）"
        )
        return Delivery(*base, len(unconfirmed), UNCONFIRMED, detail)
    return Delivery(*base, items, ALREADY)


def _drop_obsolete(engine: Engine, campaign_id: int, planned: set[str]) -> None:
    """Queued items this sweep no longer plans will never be sent: say so in the log."""
    with db.write_session(engine) as session:
        for row in session.scalars(
            select(db.Notification).where(
                db.Notification.campaign_id == campaign_id, db.Notification.status == "queued"
            )
        ):
            if row.dedupe_key not in planned:
                row.status, row.error = "skipped", OBSOLETE
