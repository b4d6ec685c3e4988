"""A campaign as synced from its spec: the campaign, its phases/tracks, forms and measures, and the
assignments (measure × owner unit) through which the work is tracked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import ArchivedMixin, Base, CampaignKeyMixin, IdMixin, utcnow


class Campaign(IdMixin, ArchivedMixin, Base):
    """One campaign (key = `campaign.id` of its spec)."""

    __tablename__ = "campaign"
    __table_args__ = (UniqueConstraint("key"),)

    key: Mapped[str]
    title: Mapped[str]
    organisation: Mapped[str]
    year: Mapped[int]
    timezone: Mapped[str]
    staged: Mapped[bool]  # phases (True) or parallel tracks (False)
    description: Mapped[str | None]
    spec_path: Mapped[str | None]  # the campaign.yaml it was last synced from
    spec_digest: Mapped[str]  # sha256 of the synced content; unchanged spec → nothing to do
    # sha256 of the files it was synced from (campaign file, units, people) and of this
    # campaignflow's schema: the same digest again means a flow need not even compare
    source_digest: Mapped[str | None]
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Stage(IdMixin, CampaignKeyMixin, ArchivedMixin, Base):
    """A phase (staged campaign) or a track (parallel campaign)."""

    __tablename__ = "stage"

    kind: Mapped[str]  # phase / track
    name: Mapped[str]
    sort_order: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    entry: Mapped[dict[str, Any] | None]  # gate: all_measures_done, sign_off, metrics
    exit: Mapped[dict[str, Any] | None]
    description: Mapped[str | None]


class Form(IdMixin, CampaignKeyMixin, ArchivedMixin, Base):
    """A data-collection form (key = the form id in the spec)."""

    __tablename__ = "form"

    kind: Mapped[str]  # record / activity / problem / rectification / ballot / feedback
    title: Mapped[str]
    of_form: Mapped[str | None]  # rectification: key of its problem form
    fields: Mapped[dict[str, Any]]  # effective fields (built-ins + declared), as JSON
    natural_key: Mapped[list[Any]]  # field ids identifying a row across re-imports
    definition: Mapped[dict[str, Any]]  # the form as written in the spec


class Measure(IdMixin, CampaignKeyMixin, ArchivedMixin, Base):
    """A 工作措施: a duty with owners, a due date, required evidence, maybe a form and target."""

    __tablename__ = "measure"

    title: Mapped[str]
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    owners: Mapped[list[Any]]  # owners as written (unit names/ids, 各党支部)
    due_on: Mapped[dt.date | None]  # resolved due date
    due_rule: Mapped[str | None]  # the due as written, e.g. phase.start + 5 workdays
    evidence: Mapped[list[Any]]  # required evidence: 方案、会议记录 …
    form_key: Mapped[str | None]
    target: Mapped[dict[str, Any] | None]
    checklist: Mapped[list[Any]]
    milestone: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None]


class Assignment(IdMixin, ArchivedMixin, Base):
    """One owner unit's share of a measure: its due date and what the owner reported.

    `reported_on` is the date the owner reported it done (措施进展, the UI, the CLI), with its
    evidence: a dated fact. Whether it is done as of a date is computed from that and from the
    measure's rule over the data (`campaignflow.progress`); no verdict is stored here.
    """

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("measure_id", "unit_id"),)

    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    due_on: Mapped[dt.date | None] = mapped_column(index=True)
    reported_on: Mapped[dt.date | None]
    evidence: Mapped[list[Any]] = mapped_column(default=list)  # files or links given as proof
    note: Mapped[str | None]

    @property
    def has_progress(self) -> bool:
        """True once someone has reported on it (then the spec may not silently drop it)."""
        return self.reported_on is not None or bool(self.evidence)
