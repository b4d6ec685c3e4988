"""Campaigns known to the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from . import db


def active_spec_paths(*, engine: Engine, as_of: dt.date) -> list[str]:
    """Spec files of the campaigns whose stages span `as_of` (undated stages count as active)."""
    with db.read_session(engine) as session:
        rows = session.execute(
            select(db.Campaign.spec_path, func.min(db.Stage.starts_on), func.max(db.Stage.ends_on))
            .join(db.Stage, db.Stage.campaign_id == db.Campaign.id)
            .where(db.Campaign.archived.is_(False), db.Stage.archived.is_(False))
            .group_by(db.Campaign.id, db.Campaign.spec_path)
            .order_by(db.Campaign.spec_path)
        ).all()
    return [
        path
        for path, start, end in rows
        if path and (start is None or start <= as_of) and (end is None or as_of <= end)
    ]
