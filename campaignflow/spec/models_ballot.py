"""Spec models of a ballot form's evaluation (民主测评) and of questionnaire imports (问卷星)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .models_base import Id, Strict


class Indicator(Strict):
    id: Id
    title: str = Field(min_length=1)
    weight: float = Field(default=1.0, ge=0)
    direction: Literal["+", "-"] = "+"
    veto: bool = False  # a confirmed manifestation classifies the person regardless of score


class IndicatorCategory(Strict):
    id: Id
    title: str = Field(min_length=1)
    weight: float = Field(default=1.0, ge=0)
    indicators: list[Indicator] = Field(min_length=1)


class ClassRule(Strict):
    """A classification band: min_score ≤ score < max_score (lower bound in, upper bound out)."""

    label: str = Field(min_length=1)
    min_score: float | None = None  # inclusive
    max_score: float | None = None  # exclusive
    veto: bool = False  # the class given when a veto indicator is confirmed


class Quota(Strict):
    """At most `at_most` × (people with a score) may end with `grade`; the lowest scores over the
    quota (and everyone tied with the first one over) move down one grade."""

    grade: str
    at_most: float = Field(gt=0, le=1)  # share of those evaluated


class Evaluation(Strict):
    """民主测评: grades with points, rater groups with weights, indicators, classification."""

    grades: dict[str, float | None] = {
        "优秀": 95,
        "称职": 85,
        "基本称职": 75,
        "不称职": 65,
        "不了解": None,
    }
    rater_groups: dict[str, float] = {}
    denominator: Literal["valid_votes", "headcount"] = "valid_votes"
    categories: list[IndicatorCategory] = []
    classes: list[ClassRule] = []
    quotas: list[Quota] = []
    min_ballots_shown: int = Field(default=3, ge=1)
    # the lowest score that earns each grade; a grade not listed: halfway between its points and
    # the next lower grade's (95/85/75/65 → 优秀 ≥ 90, 称职 ≥ 80, 基本称职 ≥ 70, else 不称职)
    grade_floors: dict[str, float] = {}
    # the grade of 称职以上率 (votes for it or any grade with more points); default: second-best
    pass_grade: str | None = None
    # when a veto indicator makes the person fall in the veto class: `confirmed` — confirmed in
    # the findings form; `ballots` — ticked on more than `veto_share` of the valid ballots; `either`
    veto_rule: Literal["confirmed", "ballots", "either"] = "confirmed"
    veto_share: float = Field(default=0.5, gt=0, lt=1)
    # the record form of confirmed manifestations (fields subject, manifestation, conclusion);
    # default: the campaign's record form with a person field `subject` and `manifestation`
    findings: str | None = None
    confirmed_value: str = "认定"  # the `conclusion` that confirms (a form without it: every row)


class Questionnaire(Strict):
    """问卷星 (wjx) import settings of a feedback or ballot form (see `campaignflow.collect.wjx`).

    Questions map to fields through the form's `columns` (question title without its "1、"
    number, or q1, q2 …; a ballot may use a pattern such as "对{subject}的评价").
    """

    source: Literal["wjx"] = "wjx"
    window: tuple[dt.date, dt.date] | None = None  # answers submitted outside are rejected
    dedupe_minutes: int = Field(default=10, ge=0)  # same answers from one IP within N min: once
    code_prefix: str = "WJX-"  # feedback: 编号 = prefix + 序号 (or the answer's joinid)
