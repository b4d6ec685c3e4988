"""群众评议 feedback items and 政治档案 (cadre political file) entries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin


class FeedbackItem(IdMixin, Base):
    """A message from the public: received → verified → handled → replied → satisfaction."""

    __tablename__ = "feedback_item"
    __table_args__ = (UniqueConstraint("form_id", "code"), UniqueConstraint("submission_id"))

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    code: Mapped[str]  # 编号
    received_on: Mapped[dt.date]
    channel: Mapped[str | None]  # 问卷星、二维码、信箱 …
    content: Mapped[str]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str]  # 待核实 / 已核实 / 处理中 / 已办结 / 已回复
    verified_on: Mapped[dt.date | None]
    handled_on: Mapped[dt.date | None]
    replied_on: Mapped[dt.date | None]
    reply: Mapped[str | None]
    satisfaction: Mapped[str | None]  # 满意 / 基本满意 / 不满意


class PoliticalFileEntry(IdMixin, Base):
    """An entry of a cadre's 政治档案 (political file), e.g. a 测评 result or a 整改 note."""

    __tablename__ = "political_file_entry"
    __table_args__ = (UniqueConstraint("person_id", "recorded_on", "category", "title"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    recorded_on: Mapped[dt.date]
    category: Mapped[str]  # 民主测评、谈心谈话、整改、表彰、问责 …
    title: Mapped[str]
    content: Mapped[str | None]
