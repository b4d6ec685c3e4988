"""Evaluation rounds in the database: loading ballots and confirmations, storing results."""

from __future__ import annotations

import datetime as dt
import functools
import json

from sqlalchemy import Engine, Text, cast, select
from sqlalchemy.orm import Session

from .. import db
from ..spec import LoadedCampaign
from ..spec.models import Evaluation, Form
from .models import DoubleVote, EvaluationError, RoundResult, Vote
from .scoring import score_round


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
    return db.find_campaign(session, loaded.spec.campaign.id)


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
        B = db.Ballot  # its columns only: no ORM object per ballot
        ticked = functools.cache(_ticks)  # a round's ballots repeat a few texts: decoded once
        votes = [
            Vote(
                subject=people[subject_id][0],
                grade=grade,
                rater_group=rater_group,
                ticks=ticked(indicators),
            )
            for subject_id, grade, rater_group, indicators in session.execute(
                select(B.subject_id, B.grade, B.rater_group, cast(B.indicators, Text)).where(
                    B.round_id == rnd.id
                )
            )
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


def _ticks(text: str | None) -> frozenset[str]:
    """The indicator ids a ballot's marks (their JSON text) tick."""
    marks = json.loads(text) if text else None
    return frozenset(k for k, v in (marks or {}).items() if v)


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
        campaign = _campaign(session, loaded)
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
