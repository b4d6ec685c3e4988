"""One anonymity rule for ballot data, applied where its figures are computed.

A 民主测评 ballot is anonymous only in a crowd. Every figure over a ballot form — a campaign's own
metric, a breakdown, a per-unit value in a branch report, whatever template or export prints it —
is computed over a *pool* of raters: the ballots that match what the figure says about who voted
and whom (round, 被测评人, 测评人类别, the unit), whatever they answered. When a pool holds fewer
ballots than the form's floor (`evaluation.min_ballots_shown`, default 3), the figure is not
computed but `Suppressed`, printed as "（少于 3 人，不单列）": a count of 不称职 votes among
thirty is a figure; the same count among two 服务对象 is a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spec.models import Form

WHO = ("round", "subject", "rater_group")  # what a ballot says about who voted and whom
DEFAULT_FLOOR = 3


@dataclass(frozen=True)
class Suppressed:
    """A figure over fewer raters than the floor: shown as a note, never as a number."""

    floor: int

    def __str__(self) -> str:
        return f"（少于 {self.floor} 人，不单列）"

    def __format__(self, spec: str) -> str:
        return str(self)


def floor_of(form: Form) -> int | None:
    """The smallest pool a figure over this form may show; None for a form that is not a ballot."""
    if form.kind != "ballot":
        return None
    return form.evaluation.min_ballots_shown if form.evaluation else DEFAULT_FLOOR


def is_answer(name: str) -> bool:
    """A field of the ballot that is the rater's answer (the grade, an indicator ticked)."""
    return name not in WHO


def too_few(pool: int, floor: int | None) -> bool:
    return floor is not None and 0 < pool < floor
