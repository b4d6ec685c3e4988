"""The one way to find a campaign's row: by its key, `NotSynced` when it is not there; and a
campaign's rows of one table as a map (unit key → id …)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..errors import NotSynced
from .campaign import Campaign


def find_campaign(session: Session, key: str) -> Campaign:
    """The campaign `key` (the spec's `campaign.id`); raises `NotSynced` when not synced."""
    row = session.scalar(select(Campaign).where(Campaign.key == key))
    if row is None:
        raise NotSynced(key)
    return row


def campaign_id(session: Session, key: str) -> int:
    """The id of campaign `key`; raises `NotSynced` when not synced."""
    found = session.scalar(select(Campaign.id).where(Campaign.key == key))
    if found is None:
        raise NotSynced(key)
    return found


def key_map(
    session: Session | Connection,
    key: InstrumentedAttribute[Any],
    value: InstrumentedAttribute[Any],
    campaign_id: int,
) -> dict[Any, Any]:
    """`{key: value}` over one campaign's rows of the table `key` belongs to, e.g.
    `key_map(session, Unit.key, Unit.id, cid)`."""
    model = key.class_
    return dict(session.execute(select(key, value).where(model.campaign_id == campaign_id)).all())
