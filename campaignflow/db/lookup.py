"""The one way to find a campaign's row: by its key, `NotSynced` when it is not there."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
