"""Deliver digests: the notification log (never the same reminder twice), quiet hours, retries.

One row of `notification` per reminder item and recipient, keyed `<item key>><channel>:<target>`
(the item key is kind, measure@unit and the working day, see `deadlines.ReminderItem.key`):
- `sent` rows are never sent again — a rerun of the sweep sends nothing new;
- in quiet hours the digest is `queued`; the next sweep after them plans the same items (same
  keys) and sends them; a queued item no longer planned (done meanwhile, or replaced by a newer
  reminder) becomes `skipped`;
- `failed` (after the retries) and `skipped` (channel not configured) rows are tried again by the
  next sweep.
A recipient hears about all of its new items in one message.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from .. import db
from ..deadlines import ESCALATION, Digest, ReminderItem
from ..spec import LoadedCampaign
from ..spec.checks import resolve_owner
from ..spec.models import Recipient
from .channels import DEFAULT_RETRY, NotConfigured, RetryPolicy, build_sender, send_with_retry
from .message import compose
from .quiet import in_quiet_hours
from .secrets import Resolver

SENT, QUEUED, FAILED, ALREADY, NOT_CONFIGURED, NO_RECIPIENT = (
    "sent",
    "queued",
    "failed",
    "already",
    "not_configured",
    "no_recipient",
)
OBSOLETE = "已过时（事项已完成或已有更新的提醒）"


@dataclass(frozen=True)
class Delivery:
    """What happened to one digest for one recipient in this sweep."""

    unit: str
    unit_name: str
    channel: str
    target: str
    items: int  # items in the digest (new ones, or all when already sent)
    status: str  # sent / queued / failed / already / not_configured / no_recipient
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


def _statuses(engine: Engine, campaign_id: int, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    with db.read_session(engine) as session:
        return dict(
            session.execute(
                select(db.Notification.dedupe_key, db.Notification.status).where(
                    db.Notification.campaign_id == campaign_id, db.Notification.dedupe_key.in_(keys)
                )
            ).all()
        )


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
    """Send each digest to each of its unit's recipients (only the items not sent before), or
    queue it in quiet hours; record every item in the notification log."""
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
            done = _statuses(engine, campaign_id, list(keys))
            pending = [item for key, item in keys.items() if done.get(key) != "sent"]
            base = (digest.unit, digest.unit_name, recipient.channel, recipient.target)
            if not pending:
                results.append(Delivery(*base, len(digest.items), ALREADY))
                continue
            message = compose(loaded, digest.only(pending), as_of)
            if quiet:
                status, row_status, detail = QUEUED, "queued", ""
            else:
                sender = build_sender(
                    recipient.channel, recipient.target, resolve, recipient.secret_name
                )
                if isinstance(sender, NotConfigured):
                    status, row_status, detail = NOT_CONFIGURED, "skipped", sender.reason
                else:
                    error = send_with_retry(sender, recipient.target, message, retry, sleep)
                    status, row_status, detail = (
                        (SENT, "sent", "") if error is None else (FAILED, "failed", error)
                    )
            with db.write_session(engine) as session:
                for key, item in keys.items():
                    if item not in pending:
                        continue
                    row = session.scalar(
                        select(db.Notification).where(
                            db.Notification.campaign_id == campaign_id,
                            db.Notification.dedupe_key == key,
                        )
                    )
                    if row is None:
                        row = db.Notification(campaign_id=campaign_id, dedupe_key=key)
                        session.add(row)
                    row.kind = "escalation" if item.kind == ESCALATION else "reminder"
                    row.channel = recipient.channel
                    row.recipient = f"{digest.unit_name}（{recipient.target}）"
                    row.assignment_id = assignments.get((item.item.measure, item.item.unit))
                    row.subject = message.subject
                    row.body = item.text
                    row.status = row_status
                    row.error = detail or None
                    row.sent_at = stamp
            results.append(
                Delivery(*base, len(pending), status, detail, message.subject, message.text)
            )
    if not quiet:
        _drop_obsolete(engine, campaign_id, planned)
    return results


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
