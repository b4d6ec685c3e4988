"""Form rows: one row per imported or entered form row, typed common fields + JSON rest.

The table keeps its historical name `submission`; rows arrive in filings (填报, see `filing.py`).
`archived` means withdrawn (撤回): the row is kept, audited and restorable, and never counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import ArchivedMixin, Base, IdMixin, utcnow


class Submission(IdMixin, ArchivedMixin, Base):
    """A row of a form; `natural_key` (the form's key fields joined) makes re-imports idempotent."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("form_id", "natural_key"),
        Index("ix_submission_campaign_id_form_id_on_date", "campaign_id", "form_id", "on_date"),
    )

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    natural_key: Mapped[str]
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    on_date: Mapped[dt.date | None]  # the row's date (activity date, found_on, received_on …)
    status: Mapped[str | None]  # the row's state field, when the form has one
    data: Mapped[dict[str, Any]]  # every field value by field id, JSON-ready
    # who sent it (填报单位): the filing's unit, else the row's own unit; a replacing filing
    # withdraws the rows of its scope units it does not carry
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("filing.id"))
    source_file: Mapped[str | None]  # path or name of the file it came from
    source_sheet: Mapped[str | None]
    source_row: Mapped[int | None]  # 1-based row number in that sheet
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
