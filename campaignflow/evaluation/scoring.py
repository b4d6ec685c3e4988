"""Pure scoring of a round of ballots (no database): see the rules in `campaignflow.evaluation`."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from ..figures import half_up, percent_text
from ..spec.models import Evaluation
from .models import PersonResult, RoundResult, Vote


def scored_grades(ev: Evaluation) -> list[tuple[str, float]]:
    """(grade, points) of the grades with points, best first."""
    return sorted(
        ((g, float(p)) for g, p in ev.grades.items() if p is not None), key=lambda gp: -gp[1]
    )


def grade_floors(ev: Evaluation) -> dict[str, float]:
    """The lowest score of each scored grade (the worst grade: −∞)."""
    ranked = scored_grades(ev)
    floors: dict[str, float] = {}
    for i, (grade, points) in enumerate(ranked):
        if grade in ev.grade_floors:
            floors[grade] = float(ev.grade_floors[grade])
        elif i + 1 < len(ranked):
            floors[grade] = (points + ranked[i + 1][1]) / 2
        else:
            floors[grade] = -math.inf
    return floors


def pass_grade(ev: Evaluation) -> str | None:
    ranked = scored_grades(ev)
    if ev.pass_grade is not None:
        return ev.pass_grade
    return ranked[1][0] if len(ranked) > 1 else (ranked[0][0] if ranked else None)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _score(x: float) -> float:
    """A score as kept and printed: two decimals, half up."""
    return float(half_up(x, 2))


def score_of(ev: Evaluation, votes: Iterable[Vote]) -> float | None:
    """The weighted score of one person's votes (None without a valid vote); see `campaignflow.evaluation`."""
    points = ev.grades
    by_group: dict[str | None, list[float]] = {}
    for v in votes:
        p = points.get(v.grade)
        if p is not None:
            by_group.setdefault(v.rater_group, []).append(float(p))
    if not ev.rater_groups:
        allp = [p for ps in by_group.values() for p in ps]
        return _score(math.fsum(allp) / len(allp)) if allp else None
    weighted, weights = [], []
    for group, weight in ev.rater_groups.items():
        ps = by_group.get(group)
        if ps and weight > 0:
            weighted.append(weight * math.fsum(ps) / len(ps))
            weights.append(weight)
    if not weights:
        return None
    return _score(math.fsum(weighted) / math.fsum(weights))


def _grade_for(score: float, floors: dict[str, float], ranked: list[tuple[str, float]]) -> str:
    for grade, _ in ranked:
        if score >= floors[grade]:
            return grade
    return ranked[-1][0]


def score_round(
    ev: Evaluation,
    votes: Iterable[Vote],
    *,
    round_key: str = "",
    confirmed: Mapping[str, Mapping[str, str]] | None = None,
    headcount: Mapping[str, int] | None = None,
    names: Mapping[str, str] | None = None,
) -> RoundResult:
    """Score a round of ballots.

    `confirmed`: subject → {indicator id → note (e.g. 2023-11-08 局党组会议)} of manifestations
    confirmed in the findings form. `headcount`: rater group → people entitled to vote (for the
    `headcount` denominator). `names`: subject → display name. Pure: no database.
    """
    votes = list(votes)
    confirmed = confirmed or {}
    names = names or {}
    ranked = scored_grades(ev)
    floors = grade_floors(ev)
    best = ranked[0][0] if ranked else None
    passing = pass_grade(ev)
    pass_points = ev.grades.get(passing) if passing else None
    indicators = {ind.id: (cat, ind) for cat in ev.categories for ind in cat.indicators}
    minimum = ev.min_ballots_shown

    per_subject: dict[str, list[Vote]] = {}
    for v in votes:
        per_subject.setdefault(v.subject, []).append(v)
    result = RoundResult(round=round_key)
    result.ballots = len(votes)
    result.valid = sum(1 for v in votes if ev.grades.get(v.grade) is not None)
    group_counts = Counter(v.rater_group or "（未填）" for v in votes)
    result.by_group = {g: (n if n >= minimum else None) for g, n in sorted(group_counts.items())}
    unknown_groups = sorted(
        {v.rater_group or "（未填）" for v in votes if ev.rater_groups} - set(ev.rater_groups)
    )
    if unknown_groups:
        result.notes.append(f"测评人类别 {'、'.join(unknown_groups)} 不在权重表中，其票不计分")

    for subject in sorted(per_subject):
        own = per_subject[subject]
        valid = [v for v in own if ev.grades.get(v.grade) is not None]
        person = PersonResult(subject=subject, name=names.get(subject, subject))
        person.ballots, person.valid = len(own), len(valid)
        if ev.denominator == "headcount":
            groups = {v.rater_group for v in own}
            entitled = sum(int((headcount or {}).get(g or "", 0)) for g in groups)
            person.denominator = entitled or len(own)
        else:
            person.denominator = len(valid)
        person.shown = len(valid) >= minimum
        ticks = Counter(t for v in valid for t in v.ticks if t in indicators)
        person.indicators = {i: ticks.get(i, 0) for i in indicators}
        if valid and indicators:
            person.indicator_index = _indicator_index(ev, ticks, len(valid))
        _veto(ev, person, indicators, ticks, len(valid), confirmed.get(subject, {}))
        if person.shown:
            counts = Counter(v.grade for v in own)
            person.votes = {g: counts.get(g, 0) for g in ev.grades}
            person.score = score_of(ev, own)
            if person.score is not None and ranked:
                person.grade = _grade_for(person.score, floors, ranked)
                floor = floors[person.grade]
                person.grade_reason = (
                    f"得分 {_fmt(person.score)} ≥ {_fmt(floor)}"
                    if floor > -math.inf
                    else f"得分 {_fmt(person.score)} 低于其他等次"
                )
            if person.denominator:
                top = counts.get(best, 0) if best else 0
                ok = sum(
                    n
                    for g, n in counts.items()
                    if pass_points is not None
                    and ev.grades.get(g) is not None
                    and ev.grades[g] >= pass_points
                )
                person.excellent_rate = top / person.denominator
                person.pass_rate = ok / person.denominator
            by_group: dict[str, list[Vote]] = {}
            for v in own:
                by_group.setdefault(v.rater_group or "（未填）", []).append(v)
            for g, gv in sorted(by_group.items()):
                if len(gv) < minimum:
                    person.groups[g] = {"ballots": None, "mean": None, "shown": False}
                    continue
                pts = [float(ev.grades[v.grade]) for v in gv if ev.grades.get(v.grade) is not None]
                person.groups[g] = {
                    "ballots": len(gv),
                    "mean": _score(math.fsum(pts) / len(pts)) if pts else None,
                    "shown": True,
                }
        result.people.append(person)

    _apply_quotas(ev, result.people, ranked, result.notes)
    for person in result.people:
        _classify(ev, person)
    result.distribution = {g: 0 for g, _ in ranked}
    for person in result.people:
        if person.grade:
            result.distribution[person.grade] += 1
    result.classes = {c.label: 0 for c in ev.classes}
    for person in result.people:
        if person.classification:
            result.classes[person.classification] = result.classes.get(person.classification, 0) + 1
    return result


def _indicator_index(ev: Evaluation, ticks: Counter, valid: int) -> float:
    cat_total = math.fsum(c.weight for c in ev.categories) or 1.0
    parts = []
    for cat in ev.categories:
        ind_total = math.fsum(i.weight for i in cat.indicators) or 1.0
        for ind in cat.indicators:
            sign = 1 if ind.direction == "+" else -1
            share = ticks.get(ind.id, 0) / valid
            parts.append(sign * (cat.weight / cat_total) * (ind.weight / ind_total) * share)
    return round(math.fsum(parts), 4)


def _veto(ev, person: PersonResult, indicators, ticks: Counter, valid: int, confirmed) -> None:
    for ind_id, (_, ind) in indicators.items():
        if not ind.veto:
            continue
        if ev.veto_rule in ("confirmed", "either") and ind_id in confirmed:
            note = confirmed[ind_id]
            person.veto_reasons.append(f"经认定存在“{ind.title}”" + (f"（{note}）" if note else ""))
        elif ev.veto_rule in ("ballots", "either") and valid:
            n = ticks.get(ind_id, 0)
            if n / valid > ev.veto_share:
                person.veto_reasons.append(
                    f"“{ind.title}”被 {n}/{valid} 张有效票勾选（超过 {percent_text(ev.veto_share, 0)}）"
                )
    person.vetoed = bool(person.veto_reasons)


def _apply_quotas(ev, people: list[PersonResult], ranked, notes: list[str]) -> None:
    order = [g for g, _ in ranked]
    rated = [p for p in people if p.score is not None and p.grade is not None]
    for grade in order:
        quota = next((q for q in ev.quotas if q.grade == grade), None)
        if quota is None:
            continue
        cap = math.floor(quota.at_most * len(rated) + 1e-9)
        holders = sorted((p for p in rated if p.grade == grade), key=lambda p: -p.score)
        if len(holders) <= cap:
            continue
        cut = holders[cap].score  # the first score over the quota: it and all below move down
        lower = order.index(grade) + 1
        if lower >= len(order):
            continue
        demoted = [p for p in holders if p.score <= cut]
        for p in demoted:
            p.grade = order[lower]
            p.grade_reason = (
                f"得分 {_fmt(p.score)} 可评{grade}，但{grade}名额为被测评人数的 "
                f"{percent_text(quota.at_most, 0)}（{cap} 人），按得分顺延为{order[lower]}"
            )
        notes.append(f"{grade}名额 {cap} 人：{len(demoted)} 人顺延为{order[lower]}")


def _classify(ev: Evaluation, person: PersonResult) -> None:
    veto_class = next((c for c in ev.classes if c.veto), None)
    if person.vetoed and veto_class is not None:
        person.classification = veto_class.label
        person.reason = "；".join(person.veto_reasons) + "（一票否决，不论得分）"
        return
    if person.score is None:
        person.reason = (
            f"有效票 {person.valid} 张，少于 {ev.min_ballots_shown} 张，不计分"
            if person.valid
            else "没有有效票"
        )
        return
    for c in ev.classes:
        if c.veto:
            continue
        lo_ok = c.min_score is None or person.score >= c.min_score
        hi_ok = c.max_score is None or person.score < c.max_score
        if lo_ok and hi_ok:
            person.classification = c.label
            bounds = []
            if c.min_score is not None:
                bounds.append(f"≥ {_fmt(c.min_score)}")
            if c.max_score is not None:
                bounds.append(f"< {_fmt(c.max_score)}")
            person.reason = f"得分 {_fmt(person.score)} {'且 '.join(bounds) or '（不限分数）'}"
            return
    if ev.classes:
        person.reason = f"得分 {_fmt(person.score)} 不在任何分类区间"
