"""Activities (支委会、党员大会、党课、主题党日 …) and who attended them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin


class AttendanceState(StrEnum):
    PRESENT = "出席"
    EXCUSED = "请假"
    ABSENT = "缺席"


class Activity(IdMixin, Base):
    """A dated event of a unit, from an `activity` form submission."""

    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("submission_id"),
        Index("ix_activity_campaign_id_unit_id_type", "campaign_id", "unit_id", "type"),
    )

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    type: Mapped[str]  # 活动类型
    title: Mapped[str]
    held_on: Mapped[dt.date]
    attendees: Mapped[int | None]  # declared headcount (参加人数), when no roll is given
    speaker: Mapped[str | None]


class Attendance(IdMixin, Base):
    """One attendee of an activity (person key, or the name as written when not on the roll)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("activity_id", "attendee"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    attendee: Mapped[str]  # person key, or the name for someone not in the people list
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[str] = mapped_column(default=AttendanceState.PRESENT.value)  # 出席 / 请假 / 缺席
    note: Mapped[str | None]
