"""民主测评 and the 躺平式 review: scoring ballots, grades, quotas, vetoes and classification.

The rules (all configurable in the ballot form's `evaluation:` section, see `spec.models.Evaluation`):

- **Valid vote**: a ballot whose grade has points (不了解 has none and is left out of every score
  and rate under the default `denominator: valid_votes`).
- **Score**: for each rater group with a weight, the mean points of its valid votes; then the
  weighted mean of those group means. A group with no valid vote for that person drops out and
  the remaining weights are re-normalised (they need not add up to 1). Votes of a group not in
  `rater_groups` are counted as ballots but not scored. Without `rater_groups`, the plain mean of
  all valid votes. Rounded to 2 decimals; sums use `math.fsum`, so the order of ballots never
  matters.
- **Grade**: the best grade whose floor the score reaches; a floor is `grade_floors[grade]` or,
  by default, halfway between that grade's points and the next lower grade's.
- **Quotas** (`{grade: 优秀, at_most: 0.3}`): at most ⌊0.3 × people with a score⌋ people keep
  that grade; the rest, lowest scores first (and everyone tied with the first one over the quota,
  so that ties are treated alike), move down one grade. Quotas apply best grade first.
- **Rates**: 优秀率 = votes for the best grade / denominator; 称职以上率 = votes for `pass_grade`
  (default: the second-best) or better / denominator. The denominator is the valid votes
  (`valid_votes`) or the round's headcount of the person's rater groups (`headcount`; the number
  of ballots when no headcount is recorded).
- **Indicators** are manifestations (表现). The ballot ticks are counted over valid ballots and
  reported (count, share, and a weighted 表现指数 in [-1, 1]: Σ category weight × Σ indicator
  weight × share, each normalised, sign from `direction`); they do not change the score.
- **Veto**: with `veto_rule: confirmed` (default) a veto indicator confirmed for the person in
  the findings form (`conclusion` = `confirmed_value`) puts them in the `veto: true` class
  regardless of score; `ballots`: ticked on more than `veto_share` (default half) of their valid
  ballots; `either`: both count.
- **Classification**: the veto class when vetoed; otherwise the first class with
  `min_score ≤ score < max_score` (lower bound included, upper bound excluded); a reason is given
  for each person.
- **Anonymity**: ballots carry no rater identity. A person with fewer than `min_ballots_shown`
  valid votes gets no score, grade or vote counts (only a veto can classify them); a rater-group
  breakdown is shown only for groups with at least `min_ballots_shown` ballots.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from . import db
from .spec import LoadedCampaign
from .spec.models import Evaluation, Form


class EvaluationError(ValueError):
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
        import dataclasses

        return dataclasses.asdict(self)


# ---------------------------------------------------------------- pure scoring


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


def score_of(ev: Evaluation, votes: Iterable[Vote]) -> float | None:
    """The weighted score of one person's votes (None without a valid vote); see module doc."""
    points = ev.grades
    by_group: dict[str | None, list[float]] = {}
    for v in votes:
        p = points.get(v.grade)
        if p is not None:
            by_group.setdefault(v.rater_group, []).append(float(p))
    if not ev.rater_groups:
        allp = [p for ps in by_group.values() for p in ps]
        return round(math.fsum(allp) / len(allp), 2) if allp else None
    weighted, weights = [], []
    for group, weight in ev.rater_groups.items():
        ps = by_group.get(group)
        if ps and weight > 0:
            weighted.append(weight * math.fsum(ps) / len(ps))
            weights.append(weight)
    if not weights:
        return None
    return round(math.fsum(weighted) / math.fsum(weights), 2)


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
                person.excellent_rate = round(top / person.denominator, 4)
                person.pass_rate = round(ok / person.denominator, 4)
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
                    "mean": round(math.fsum(pts) / len(pts), 2) if pts else None,
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
                    f"“{ind.title}”被 {n}/{valid} 张有效票勾选（超过 {ev.veto_share:.0%}）"
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
                f"{quota.at_most:.0%}（{cap} 人），按得分顺延为{order[lower]}"
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


# ---------------------------------------------------------------- the database


def ballot_forms(loaded: LoadedCampaign) -> dict[str, Form]:
    return {fid: f for fid, f in loaded.spec.forms.items() if f.kind == "ballot"}


def findings_form(loaded: LoadedCampaign, ev: Evaluation) -> str | None:
    """The form of confirmed manifestations: `evaluation.findings`, or the record form with
    a person field `subject` and a field `manifestation`."""
    if ev.findings:
        return ev.findings
    for fid, form in loaded.spec.forms.items():
        f = form.fields
        if form.kind == "record" and "subject" in f and "manifestation" in f:
            if f["subject"].type == "person":
                return fid
    return None


def _campaign(session: Session, loaded: LoadedCampaign) -> db.Campaign:
    campaign = session.scalar(select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id))
    if campaign is None:
        raise EvaluationError(f"活动 {loaded.spec.campaign.id} 尚未同步到数据库：请先运行 sync")
    return campaign


def _form_row(session: Session, campaign: db.Campaign, form_id: str) -> db.Form | None:
    return session.scalar(
        select(db.Form).where(db.Form.campaign_id == campaign.id, db.Form.key == form_id)
    )


def confirmations(
    session: Session, loaded: LoadedCampaign, ev: Evaluation, as_of: dt.date | None = None
) -> dict[str, dict[str, str]]:
    """person key → {indicator id → note} of manifestations confirmed in the findings form."""
    fid = findings_form(loaded, ev)
    if fid is None:
        return {}
    campaign = _campaign(session, loaded)
    form = _form_row(session, campaign, fid)
    if form is None:
        return {}
    by_title = {}
    for cat in ev.categories:
        for ind in cat.indicators:
            by_title[ind.title] = ind.id
            by_title[ind.id] = ind.id
    has_conclusion = "conclusion" in loaded.spec.forms[fid].fields
    result: dict[str, dict[str, str]] = {}
    rows = session.scalars(
        select(db.Submission).where(
            db.Submission.form_id == form.id, db.Submission.archived.is_(False)
        )
    )
    for sub in rows:
        data = sub.data or {}
        if has_conclusion and data.get("conclusion") != ev.confirmed_value:
            continue
        if as_of is not None and sub.on_date is not None and sub.on_date > as_of:
            continue
        ind = by_title.get(str(data.get("manifestation") or ""))
        subject = data.get("subject")
        if ind is None or not subject:
            continue
        note = " ".join(str(data[k]) for k in ("date", "decided_by") if data.get(k))
        result.setdefault(str(subject), {})[ind] = note
    return result


def evaluate_round(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    round_key: str,
    form_id: str | None = None,
    as_of: dt.date | None = None,
    store: bool = True,
) -> RoundResult:
    """Score one round of a ballot form from the database and (with `store`) replace its
    `EvaluationResult` rows. Raises `EvaluationError` for an unknown form or round."""
    forms = ballot_forms(loaded)
    if form_id is None:
        if len(forms) != 1:
            raise EvaluationError(
                "请指明测评表：" + ("、".join(forms) if forms else "活动中没有测评表（ballot）")
            )
        form_id = next(iter(forms))
    if form_id not in forms:
        raise EvaluationError(f"{form_id} 不是测评表（可选：{'、'.join(forms) or '无'}）")
    ev = forms[form_id].evaluation or Evaluation()
    session_cm = db.write_session(engine) if store else db.read_session(engine)
    with session_cm as session:
        campaign = _campaign(session, loaded)
        form = _form_row(session, campaign, form_id)
        rnd = (
            session.scalar(
                select(db.EvaluationRound).where(
                    db.EvaluationRound.form_id == form.id, db.EvaluationRound.key == round_key
                )
            )
            if form
            else None
        )
        if rnd is None:
            known = (
                session.scalars(
                    select(db.EvaluationRound.key).where(db.EvaluationRound.form_id == form.id)
                ).all()
                if form
                else []
            )
            raise EvaluationError(
                f"测评表 {form_id} 中没有轮次“{round_key}”（已有：{'、'.join(known) or '无，请先导入测评票'}）"
            )
        people = {
            pid: (key, name)
            for pid, key, name in session.execute(
                select(db.Person.id, db.Person.key, db.Person.name).where(
                    db.Person.campaign_id == campaign.id
                )
            )
        }
        votes = [
            Vote(
                subject=people[b.subject_id][0],
                grade=b.grade,
                rater_group=b.rater_group,
                ticks=frozenset(k for k, v in (b.indicators or {}).items() if v),
            )
            for b in session.scalars(select(db.Ballot).where(db.Ballot.round_id == rnd.id))
        ]
        result = score_round(
            ev,
            votes,
            round_key=round_key,
            confirmed=confirmations(session, loaded, ev, as_of),
            headcount=rnd.headcount or {},
            names={key: name for key, name in people.values()},
        )
        if store:
            _store(session, rnd, result, {key: pid for pid, (key, _) in people.items()})
    return result


def _store(session: Session, rnd: db.EvaluationRound, result: RoundResult, ids) -> None:
    existing = {
        r.subject_id: r
        for r in session.scalars(
            select(db.EvaluationResult).where(db.EvaluationResult.round_id == rnd.id)
        )
    }
    seen = set()
    for p in result.people:
        sid = ids[p.subject]
        seen.add(sid)
        values = {
            "ballots": p.ballots,
            "denominator": p.denominator,
            "score": p.score,
            "grades": p.votes,
            "indicators": p.indicators,
            "classification": p.classification,
            "vetoed": p.vetoed,
            "computed_at": db.utcnow(),
        }
        row = existing.get(sid)
        if row is None:
            session.add(db.EvaluationResult(round_id=rnd.id, subject_id=sid, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
    for sid, row in existing.items():
        if sid not in seen:
            session.delete(row)


def round_keys(*, engine: Engine, loaded: LoadedCampaign) -> list[tuple[str, str]]:
    """(form id, round key) of every round with ballots."""
    with db.read_session(engine) as session:
        campaign = session.scalar(
            select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id)
        )
        if campaign is None:
            return []
        return [
            (fk, rk)
            for fk, rk in session.execute(
                select(db.Form.key, db.EvaluationRound.key)
                .join(db.EvaluationRound, db.EvaluationRound.form_id == db.Form.id)
                .where(db.Form.campaign_id == campaign.id)
                .order_by(db.Form.key, db.EvaluationRound.key)
            )
        ]


def evaluate_all(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date | None = None, store: bool = True
) -> list[RoundResult]:
    """Score (and with `store`, store) every round of every ballot form (form, round order)."""
    return [
        evaluate_round(
            engine=engine, loaded=loaded, form_id=fk, round_key=rk, as_of=as_of, store=store
        )
        for fk, rk in round_keys(engine=engine, loaded=loaded)
        if fk in ballot_forms(loaded)
    ]


def record_cast(
    *, session: Session, round_id: int, rater: str, rater_group: str | None = None
) -> db.BallotCast:
    """Record that `rater` has voted in the round (never how); a second vote is `DoubleVote`."""
    found = session.scalar(
        select(db.BallotCast).where(
            db.BallotCast.round_id == round_id, db.BallotCast.rater == rater
        )
    )
    if found is not None:
        raise DoubleVote(f"{rater} 已在本轮投过票，不能重复投票")
    cast = db.BallotCast(round_id=round_id, rater=rater, rater_group=rater_group)
    session.add(cast)
    return cast


def result_table(result: RoundResult) -> list[dict[str, Any]]:
    """One row per person for a table artifact or a report."""
    rows = []
    for p in result.people:
        rows.append(
            {
                "被测评人": p.name,
                "票数": p.ballots,
                "有效票": p.valid,
                "得分": p.score if p.score is not None else "—",
                "等次": p.grade or "—",
                "优秀率": f"{p.excellent_rate:.0%}" if p.excellent_rate is not None else "—",
                "称职以上率": f"{p.pass_rate:.0%}" if p.pass_rate is not None else "—",
                "分类": p.classification or "—",
                "理由": p.reason,
            }
        )
    return rows


def report_data(results: list[RoundResult]) -> dict[str, Any]:
    """Plain data for report templates: `evaluation.rounds[i].people[j].score` etc."""
    rounds = [r.as_dict() for r in results]
    classes: Counter[str] = Counter()
    for r in results:
        classes.update({k: v for k, v in r.classes.items() if v})
    return {"rounds": rounds, "classes": dict(classes), "round_count": len(rounds)}
