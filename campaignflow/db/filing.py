"""填报: one submission of a form for a scope — a file, a UI entry, a web form — and the
withdrawals and restores of earlier ones. Its rows are the form's `submission` rows it wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class Filing(IdMixin, Base):
    """One filing: what it covered (form, scope units), how (mode, channel), and what it did.

    `replace` makes the filing the scope's whole current data (rows of the scope it does not
    carry are withdrawn), `append` only adds and updates, `withdraw` withdraws the scope's rows,
    `restore` brings back the rows an earlier filing (`restores_id`) withdrew. `scope` lists the
    unit keys covered (a null entry: rows of no unit); None means the whole form.
    """

    __tablename__ = "filing"
    __table_args__ = (Index("ix_filing_campaign_id_form_id", "campaign_id", "form_id"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    mode: Mapped[str]  # replace / append / withdraw / restore
    channel: Mapped[str]  # 文件导入 / 收件箱 / 界面录入 / 问卷星 / 命令
    source: Mapped[str | None]  # the file's name, or what the person wrote
    scope: Mapped[list[Any] | None]  # unit keys (null: rows of no unit); None: the whole form
    restores_id: Mapped[int | None] = mapped_column(ForeignKey("filing.id"))
    rows: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    restored: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None]  # the reason given for a withdrawal or restore
    actor: Mapped[str]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
