"""The organisation: units (党委 → 党支部 → 党小组) and people (members, cadres)."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from .base import ArchivedMixin, Base, CampaignKeyMixin, IdMixin


class Unit(IdMixin, CampaignKeyMixin, ArchivedMixin, Base):
    """A Party organisation or department of one campaign (key = the spec's unit id)."""

    __tablename__ = "unit"

    name: Mapped[str]
    kind: Mapped[str]  # 党委 / 党组 / 党总支 / 党支部 / 党小组 / 部门
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    contact: Mapped[str | None]  # person key of the responsible contact
    sort_order: Mapped[int] = mapped_column(default=0)  # order in the spec


class Person(IdMixin, CampaignKeyMixin, ArchivedMixin, Base):
    """A member, cadre or other person of one campaign (key = the spec's person id, e.g. 工号)."""

    __tablename__ = "person"

    name: Mapped[str]
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str]  # 党员 / 预备党员 / … / 干部
    cadre: Mapped[bool] = mapped_column(default=False)
    position: Mapped[str | None]  # 职务
    birth_year: Mapped[int | None]
