"""民主测评: evaluation rounds, anonymous ballots, and the separate record of who has voted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class EvaluationRound(IdMixin, Base):
    """One round of a ballot form (e.g. 2023 年度民主测评), with headcounts for the denominator."""

    __tablename__ = "evaluation_round"
    __table_args__ = (UniqueConstraint("form_id", "key"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    key: Mapped[str]  # the `round` value of the ballots
    title: Mapped[str | None]
    held_on: Mapped[dt.date | None]
    headcount: Mapped[dict[str, Any]]  # rater group -> people entitled to vote
    state: Mapped[str] = mapped_column(default="open")  # open / closed


class Ballot(IdMixin, Base):
    """One rater's marks for one subject — with NO rater identity (see `BallotCast`)."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("round_id", "paper_key", "subject_id"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"))
    # opaque digest of the ballot paper (e.g. hash of file content + row): re-imports stay
    # idempotent, but it must never be derivable from who the rater is
    paper_key: Mapped[str]
    subject_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    rater_group: Mapped[str | None]
    grade: Mapped[str]
    indicators: Mapped[dict[str, Any]]  # indicator id -> marked (manifestation confirmed)


class BallotCast(IdMixin, Base):
    """That a rater has voted in a round — and nothing about how (no link to `Ballot`)."""

    __tablename__ = "ballot_cast"
    __table_args__ = (UniqueConstraint("round_id", "rater"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"))
    rater: Mapped[str]  # person key or external voter id
    rater_group: Mapped[str | None]


class EvaluationResult(IdMixin, Base):
    """The computed outcome for one subject in a round: score, grade counts, classification."""

    __tablename__ = "evaluation_result"
    __table_args__ = (UniqueConstraint("round_id", "subject_id"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    ballots: Mapped[int]  # ballots counted
    denominator: Mapped[int]  # valid votes or headcount, per the form's rule
    score: Mapped[float | None]  # None when too few ballots to show (min_ballots_shown)
    grades: Mapped[dict[str, Any]]  # grade -> count
    indicators: Mapped[dict[str, Any]]  # indicator id -> times marked
    classification: Mapped[str | None]  # e.g. 实干型 / 躺平式
    vetoed: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
