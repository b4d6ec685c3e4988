"""Operational records: notifications sent, reports generated, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, IdMixin, utcnow


class Notification(IdMixin, Base):
    """A reminder or escalation sent (or attempted); `dedupe_key` stops sending it twice."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("campaign_id", "dedupe_key"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    dedupe_key: Mapped[str]  # e.g. remind:assignment=12:before=3:2023-03-10
    kind: Mapped[str]  # reminder / escalation / report
    channel: Mapped[str]  # dingtalk / wecom / email / webhook
    recipient: Mapped[str]
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    subject: Mapped[str | None]
    body: Mapped[str]
    status: Mapped[str]  # sent / failed / skipped
    error: Mapped[str | None]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Report(IdMixin, Base):
    """A generated report file: one per scope, format and as-of date."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("campaign_id", "scope", "format", "as_of"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    scope: Mapped[str]  # phase:<id> / track:<id> / final
    format: Mapped[str]  # md / html / docx / pdf
    path: Mapped[str]
    checksum: Mapped[str]  # sha256 of the file
    as_of: Mapped[dt.date]
    generated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(IdMixin, Base):
    """One state change: what (entity + key), before, after, when and by whom."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_key", "entity", "entity_key"),)

    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    entity: Mapped[str]  # table name, e.g. measure
    entity_key: Mapped[str]  # natural key, e.g. discuss or discuss@branch-1
    action: Mapped[str]  # insert / update / archive / restore / state
    before: Mapped[dict[str, Any] | None]  # changed fields only
    after: Mapped[dict[str, Any] | None]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str]


def record_change(
    *,
    session: Session,
    entity: str,
    entity_key: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: str,
    campaign_id: int | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add one audit-log entry to `session` (values must be JSON-ready: use `jsonable`)."""
    entry = AuditEntry(
        campaign_id=campaign_id,
        entity=entity,
        entity_key=entity_key,
        action=action,
        before=before,
        after=after,
        at=at or utcnow(),
        actor=actor,
    )
    session.add(entry)
    return entry


def update_audited(
    *,
    session: Session,
    row: Base,
    values: dict[str, Any],
    entity_key: str,
    actor: str,
    action: str = "update",
    campaign_id: int | None = None,
) -> AuditEntry | None:
    """Set `values` on `row` and, if anything changed, audit the changed fields before/after.

    E.g. `update_audited(session=s, row=assignment, values={"state": "done", "done_at": now},
    entity_key="plan@office", actor="张三", action="state")`. Returns the entry, or None.
    """
    before, after = {}, {}
    for column, value in values.items():
        old = getattr(row, column)
        if old != value:
            before[column], after[column] = jsonable(old), jsonable(value)
            setattr(row, column, value)
    if not after:
        return None
    return record_change(
        session=session,
        campaign_id=campaign_id if campaign_id is not None else getattr(row, "campaign_id", None),
        entity=row.__tablename__,
        entity_key=entity_key,
        action=action,
        before=before,
        after=after,
        actor=actor,
    )


def jsonable(value: Any) -> Any:
    """`value` with dates/datetimes as ISO strings and tuples as lists, for JSON columns."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
