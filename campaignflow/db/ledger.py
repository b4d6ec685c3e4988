"""The 问题清单 → 整改清单 chain: problems and their rectification measures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin


class Problem(IdMixin, Base):
    """A problem found (问题清单 row) of an active submission. Whether it is closed as of a date
    follows from its measures (`campaignflow.ledger.states`); nothing of that is stored here."""

    __tablename__ = "problem"
    __table_args__ = (UniqueConstraint("form_id", "code"), UniqueConstraint("submission_id"))

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    code: Mapped[str]  # 问题编号
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    source: Mapped[str | None]  # 自己找 / 领导点 / 互相提 / 巡察 …
    category: Mapped[str | None]
    description: Mapped[str]
    found_on: Mapped[dt.date | None]


class Rectification(IdMixin, Base):
    """A rectification measure (整改清单 row) of one problem, with its lifecycle and evidence:
    a typed copy of its active submission's values (the submission is the source; the ledger's
    state changes write there first)."""

    __tablename__ = "rectification"
    __table_args__ = (UniqueConstraint("form_id", "code"), UniqueConstraint("submission_id"))

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    code: Mapped[str]  # 措施编号
    measure: Mapped[str]  # 整改措施
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    owner_person: Mapped[str | None]  # 责任人
    leader: Mapped[str | None]  # 责任领导
    due_on: Mapped[dt.date | None]  # 整改时限
    state: Mapped[str]  # 未启动 / 整改中 / 已完成 / 巩固 / 长期坚持
    progress: Mapped[str | None]
    evidence: Mapped[str | None]  # 佐证材料; 销号 requires it
    reviewer: Mapped[str | None]  # 审核人; 销号 requires it
    closed_on: Mapped[dt.date | None]  # 销号日期
    review_on: Mapped[dt.date | None]  # 巩固复查日期
    note: Mapped[str | None]
