"""The results of an evaluation: votes, per-person and per-round results, and the errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CampaignflowError


class EvaluationError(CampaignflowError, ValueError):
    """A round or form that cannot be evaluated (message in Chinese, for the user)."""


class DoubleVote(EvaluationError):
    """A rater tried to vote twice in one round."""


@dataclass(frozen=True)
class Vote:
    """One ballot for one subject: no rater identity, only the group."""

    subject: str
    grade: str
    rater_group: str | None = None
    ticks: frozenset[str] = frozenset()  # indicator ids marked


@dataclass
class PersonResult:
    subject: str
    name: str = ""
    ballots: int = 0  # every ballot, 不了解 included
    valid: int = 0  # ballots whose grade has points
    denominator: int = 0
    shown: bool = True  # False: fewer than min_ballots_shown valid votes (nothing shown)
    score: float | None = None
    grade: str | None = None
    grade_reason: str = ""
    excellent_rate: float | None = None  # 优秀率
    pass_rate: float | None = None  # 称职以上率
    votes: dict[str, int] = field(default_factory=dict)  # grade -> votes (all grades listed)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # group -> breakdown
    indicators: dict[str, int] = field(default_factory=dict)  # indicator id -> ticks (valid)
    indicator_index: float | None = None  # 表现指数 in [-1, 1]
    vetoed: bool = False
    veto_reasons: list[str] = field(default_factory=list)
    classification: str | None = None
    reason: str = ""


@dataclass
class RoundResult:
    round: str
    people: list[PersonResult] = field(default_factory=list)
    ballots: int = 0
    valid: int = 0
    by_group: dict[str, int | None] = field(default_factory=dict)  # None: too few to show
    distribution: dict[str, int] = field(default_factory=dict)  # grade -> people
    classes: dict[str, int] = field(default_factory=dict)  # class -> people
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for report templates."""
        from ..plain import plain

        return plain(self)
