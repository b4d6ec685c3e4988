"""Keep the kind-specific tables in step with submissions (same transaction, upsert by key).

Submissions hold every value; these tables give the ledger, activity and evaluation code typed
columns to work with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import db
from ..errors import CampaignflowError
from ..spec.models import FormField
from .bulk import BulkInsert, json_text

Rows = list[tuple[db.Submission, dict[str, Any]]]


def project(
    *,
    session: Session,
    kind: str,
    form: db.Form,
    campaign_id: int,
    rows: Rows,
    units: dict[str, int],
    people: dict[str, int],
    problems: dict[str, tuple[int, Any]] | None = None,
) -> None:
    """Upsert the kind's table rows for the given (submission, values) pairs.

    `problems` (measures only): 问题编号 -> (problem id, 发现日期) of the rows' problems, when
    the caller has read them (the measures' submissions then already carry their dates)."""
    if not rows:
        return
    if kind == "rectification":
        _rectification(session, form, campaign_id, rows, units, people, problems)
        return
    handler = _HANDLERS.get(kind)
    if handler is not None:
        handler(session, form, campaign_id, rows, units, people)


def typed_values(fields: dict[str, FormField], data: dict[str, Any] | None) -> dict[str, Any]:
    """A stored row's values (JSON: dates as ISO text) typed as an import gives them."""
    values = dict(data or {})
    for name, spec in fields.items():
        value = values.get(name)
        if spec.type == "date" and isinstance(value, str) and value:
            values[name] = dt.date.fromisoformat(value)
    return values


def needs_ids(kind: str) -> bool:
    """Whether the kind's table refers to new submissions by id (a ballot uses the natural key)."""
    return kind in _HANDLERS and kind != "ballot"


def _by_submission(session: Session, model: Any, rows: Rows) -> dict[int, Any]:
    ids = [s.id for s, _ in rows if isinstance(s, db.Submission)]  # bulk-inserted ones are new
    if not ids:
        return {}
    return {
        r.submission_id: r
        for r in session.scalars(select(model).where(model.submission_id.in_(ids)))
    }


def _upsert(
    session: Session,
    model: Any,
    rows: Rows,
    constant: dict[str, Any],
    variable: tuple[str, ...],
    build: Callable[[dict[str, Any]], tuple[Any, ...]],
) -> None:
    """Update the rows of changed submissions; insert those of new ones in one `executemany`.

    Every row gets the `constant` columns and the `variable` ones `build(values)` gives, in order.
    """
    existing = _by_submission(session, model, rows)
    new: list[tuple[Any, ...]] = []
    for submission, values in rows:
        columns = build(values)
        row = existing.get(submission.id) if existing else None
        if row is None:
            new.append((submission.id, *columns))
        else:
            for name, value in (*constant.items(), *zip(variable, columns, strict=True)):
                setattr(row, name, value)
    if new:
        insert_rows(session, model, ("submission_id", *variable), constant, new)


def insert_rows(
    session: Session,
    model: Any,
    variable: tuple[str, ...],
    constant: dict[str, Any],
    rows: list[tuple[Any, ...]],
    raw_json: tuple[str, ...] = (),
) -> None:
    """INSERT `rows` (tuples of the `variable` columns) into `model`'s table, in bulk; the
    `raw_json` columns' values are given as JSON text (`bulk.json_text`)."""
    session.flush()  # pending ORM changes first, as an ORM statement would
    BulkInsert(session.connection(), model.__table__, variable, constant, raw_json).execute(rows)


def _activity(session, form, campaign_id, rows, units, people) -> None:
    _upsert(
        session,
        db.Activity,
        rows,
        {"campaign_id": campaign_id},
        ("unit_id", "type", "title", "held_on", "attendees", "speaker"),
        lambda v: (
            units[v["unit"]],
            v["type"],
            v["title"],
            v["date"],
            v.get("attendees"),
            v.get("speaker"),
        ),
    )


def _problem(session, form, campaign_id, rows, units, people) -> None:
    _upsert(
        session,
        db.Problem,
        rows,
        {"campaign_id": campaign_id, "form_id": form.id},
        ("code", "unit_id", "source", "category", "description", "found_on"),
        lambda v: (
            v["code"],
            units.get(v.get("unit") or ""),
            v.get("source"),
            v.get("category"),
            v["description"],
            v.get("found_on"),
        ),
    )
    _redate_measures(session, [s.id for s, _ in rows if isinstance(s, db.Submission)])


def _redate_measures(session: Session, problem_submissions: list[int]) -> None:
    """After the problems' rows are updated, their measures' rows take the new 发现日期 (a measure
    dates from its problem)."""
    if not problem_submissions:
        return
    session.flush()
    fixes = (
        select(db.Rectification.submission_id)
        .join(db.Problem, db.Problem.id == db.Rectification.problem_id)
        .where(db.Problem.submission_id.in_(problem_submissions))
    )
    session.execute(
        update(db.Submission)
        .where(db.Submission.id.in_(fixes))
        .values(on_date=_problem_found_on())
        .execution_options(synchronize_session=False)
    )


def _problem_found_on():
    """The 发现日期 of a measure row's problem (correlated to `submission`)."""
    problem = db.Problem.__table__
    return (
        select(problem.c.found_on)
        .join(db.Rectification.__table__, db.Rectification.problem_id == problem.c.id)
        .where(db.Rectification.submission_id == db.Submission.id)
        .scalar_subquery()
    )


def _rectification(session, form, campaign_id, rows, units, people, given=None) -> None:
    codes = {v["problem"] for _, v in rows}
    if given is not None:
        problems = {code: given[code][0] for code in codes if code in given}
    else:
        problem_form = session.scalar(
            select(db.Form).where(db.Form.campaign_id == campaign_id, db.Form.key == form.of_form)
        )
        problems = dict(
            session.execute(
                select(db.Problem.code, db.Problem.id).where(
                    db.Problem.form_id == (problem_form.id if problem_form else -1),
                    db.Problem.code.in_(codes),
                )
            ).all()
        )
    missing = sorted(c for c in codes if c not in problems)
    if missing:  # checked per batch by SubmissionWriter.check before writing: not reached
        raise UnknownProblem(missing, form.of_form or "")
    _upsert(
        session,
        db.Rectification,
        rows,
        {"campaign_id": campaign_id, "form_id": form.id},
        (
            "problem_id",
            "code",
            "measure",
            "owner_unit_id",
            "owner_person",
            "leader",
            "due_on",
            "state",
            "progress",
            "evidence",
            "reviewer",
            "closed_on",
            "review_on",
            "note",
        ),
        lambda v: (
            problems[v["problem"]],
            v["code"],
            v["measure"],
            units.get(v.get("owner") or ""),
            v.get("owner_person"),
            v.get("leader"),
            v.get("due"),
            v["state"],
            v.get("progress"),
            v.get("evidence"),
            v.get("reviewer"),
            v.get("closed_on"),
            v.get("review_on"),
            v.get("note"),
        ),
    )
    if given is not None:
        return  # the caller dated the measures' submissions from `given`
    # a rectification measure has no date of its own: it dates from its problem (one UPDATE)
    session.flush()
    S = db.Submission
    session.execute(
        update(S)
        .where(S.id.in_([submission.id for submission, _ in rows]))
        .values(on_date=func.coalesce(_problem_found_on(), S.on_date))
        .execution_options(synchronize_session=False)
    )


def _feedback(session, form, campaign_id, rows, units, people) -> None:
    _upsert(
        session,
        db.FeedbackItem,
        rows,
        {"campaign_id": campaign_id, "form_id": form.id},
        (
            "code",
            "received_on",
            "channel",
            "content",
            "unit_id",
            "status",
            "replied_on",
            "satisfaction",
        ),
        lambda v: (
            v["code"],
            v["received_on"],
            v.get("channel"),
            v["content"],
            units.get(v.get("unit") or ""),
            v["status"],
            v.get("replied_on"),
            v.get("satisfaction"),
        ),
    )


def _ballot(session, form, campaign_id, rows, units, people) -> None:
    """Rounds created as met; the batch's existing ballots loaded in one query."""
    rounds: dict[str, db.EvaluationRound] = {
        r.key: r
        for r in session.scalars(
            select(db.EvaluationRound).where(db.EvaluationRound.form_id == form.id)
        )
    }
    missing_rounds = {v["round"] for _, v in rows} - set(rounds)
    for key in sorted(missing_rounds):
        rounds[key] = db.EvaluationRound(
            campaign_id=campaign_id, form_id=form.id, key=key, title=key, headcount={}
        )
        session.add(rounds[key])
    if missing_rounds:
        session.flush()
    indicator_ids = [
        ind["id"]
        for cat in ((form.definition.get("evaluation") or {}).get("categories") or [])
        for ind in cat.get("indicators", [])
    ]
    unknown = sorted({v["subject"] for _, v in rows if v["subject"] not in people})
    if unknown:  # checked per batch by SubmissionWriter.check before writing: not reached
        raise UnknownProblem(unknown, "people", what="被测评人")
    round_ids = {rounds[v["round"]].id for _, v in rows}
    existing = {
        (b.round_id, b.paper_key, b.subject_id): b
        for b in session.scalars(
            select(db.Ballot).where(
                db.Ballot.round_id.in_(round_ids),
                db.Ballot.paper_key.in_([s.natural_key for s, _ in rows]),
            )
        )
    }
    new: list[tuple[Any, ...]] = []
    for submission, values in rows:
        round_id = rounds[values["round"]].id
        subject = people[values["subject"]]
        rater_group, grade = values.get("rater_group"), values["grade"]
        indicators = {i: bool(values.get(i)) for i in indicator_ids}
        ballot = existing.get((round_id, submission.natural_key, subject))
        if ballot is None:
            new.append(
                (
                    round_id,
                    submission.natural_key,
                    subject,
                    rater_group,
                    grade,
                    json_text(indicators),
                )
            )
        else:
            ballot.rater_group, ballot.grade, ballot.indicators = rater_group, grade, indicators
    if new:
        insert_rows(
            session,
            db.Ballot,
            ("round_id", "paper_key", "subject_id", "rater_group", "grade", "indicators"),
            {},
            new,
            raw_json=("indicators",),
        )


class UnknownProblem(CampaignflowError, ValueError):
    """Rows refer to problems (or people) that do not exist."""

    def __init__(self, codes: list[str], form: str, what: str = "问题编号") -> None:
        shown = "、".join(codes[:10]) + ("……" if len(codes) > 10 else "")
        super().__init__(f"{what} {shown} 在 {form} 中不存在：请先导入对应的数据")
        self.codes = codes


def tables_of(kind: str) -> list[str]:
    """The tables a kind's projection writes rows into (beside `submission`)."""
    return [model.__tablename__ for model in _TABLES.get(kind, ())]


_TABLES = {
    "activity": (db.Activity,),
    "problem": (db.Problem,),
    "rectification": (db.Rectification,),
    "feedback": (db.FeedbackItem,),
    "ballot": (db.Ballot,),
}
_HANDLERS = {  # (the measures' one, _rectification, is called by `project` with its problems)
    "activity": _activity,
    "problem": _problem,
    "rectification": _rectification,
    "feedback": _feedback,
    "ballot": _ballot,
}
