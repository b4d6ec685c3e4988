"""What the web forms keep: link revocations, one-time ballot codes and the sealed ballot box.

Nothing here can identify a rater: a code is stored only as a keyed hash and its spent flag
(no time, no link to a ballot); a paper in the box has a random key, the day only, and no
code, address or browser. Papers move into the ballot form, shuffled, when the round closes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin


class LinkGeneration(IdMixin, Base):
    """The current generation of a (form, unit) link: revoking one bumps it, so every link
    signed with an earlier generation is refused. No row: generation 0."""

    __tablename__ = "web_link"
    __table_args__ = (UniqueConstraint("campaign_id", "form_key", "unit_key"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_key: Mapped[str]
    unit_key: Mapped[str]  # "*" for the public link of a form
    generation: Mapped[int] = mapped_column(default=0)


class BallotCode(Base):
    """A one-time ballot code: its keyed hash (the primary key), its rater group, and whether it
    is spent — nothing else."""

    __tablename__ = "ballot_code"

    digest: Mapped[str] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    rater_group: Mapped[str | None]
    spent: Mapped[bool] = mapped_column(default=False)


class SealedPaper(Base):
    """A ballot paper cast on the web while its round is open: a random key (so the table's
    order says nothing of when it was cast), the day, and the marks of every subject."""

    __tablename__ = "sealed_paper"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    cast_on: Mapped[dt.date]
    rater_group: Mapped[str | None]
    marks: Mapped[list[Any]]  # [{subject, grade, <indicator>: bool …}] in the subjects' order
