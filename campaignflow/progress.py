"""Where each measure stands as of a date: assignments (measure × owner unit), done or not.

Nothing here is stored by a run: an assignment is done as of a date when its rule is met by the
data as of that date (`rules`), or — for a measure without a form or target — when its owner
reported it done on or before it (`mark_done`: 措施进展, the UI, the CLI). So a run at a later
date gives the same answer whether or not earlier runs happened, and a measure whose rule no
longer holds (a target "at most 0 open items" with a new open item) is no longer done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from . import db
from .calendar import MemoCalendar
from .errors import CampaignflowError
from .rules import Rules
from .spec import LoadedCampaign


class State(StrEnum):
    """An owner's state of a measure; the value is the label reports print."""

    DONE = "已完成"
    OVERDUE = "逾期"
    RUNNING = "进行中"
    NOT_STARTED = "未开始"


DONE, OVERDUE, RUNNING, NOT_STARTED = State.DONE, State.OVERDUE, State.RUNNING, State.NOT_STARTED


@dataclass(frozen=True)
class AssignmentStatus:
    """One owner unit's share of a measure, as of a date."""

    measure: str
    title: str
    stage: str
    unit: str
    unit_name: str
    due: dt.date | None
    done: bool
    done_on: dt.date | None  # when it became done, when the data or a report says so
    state: str  # 已完成 / 逾期 / 进行中 / 未开始
    workdays_overdue: int
    evidence: list[str]
    milestone: bool = False
    measured: Any = None  # a target measure: the owner's value of the target metric


@dataclass(frozen=True)
class Progress:
    """Done / total assignments of a stage (or the whole campaign)."""

    stage: str | None
    done: int
    total: int
    items: list[AssignmentStatus]

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def overdue(self) -> list[AssignmentStatus]:
        return [i for i in self.items if i.state == OVERDUE]

    @classmethod
    def of(cls, stage: str | None, items: list[AssignmentStatus]) -> Progress:
        return cls(stage=stage, done=sum(i.done for i in items), total=len(items), items=items)


class UnknownMeasure(CampaignflowError, ValueError):
    """A measure or unit named by the user does not exist."""


def _assignment_rows(session: Session, campaign_id: int, units: list[str] | None = None):
    stmt = (
        select(db.Assignment, db.Measure, db.Unit, db.Stage)
        .join(db.Measure, db.Measure.id == db.Assignment.measure_id)
        .join(db.Unit, db.Unit.id == db.Assignment.unit_id)
        .outerjoin(db.Stage, db.Stage.id == db.Measure.stage_id)
        .where(
            db.Measure.campaign_id == campaign_id,
            db.Assignment.archived.is_(False),
            db.Measure.archived.is_(False),
        )
        .order_by(db.Stage.sort_order, db.Measure.sort_order, db.Unit.sort_order)
    )
    if units is not None:
        stmt = stmt.where(db.Unit.key.in_(units))
    return session.execute(stmt).all()


def _owners(session: Session, campaign_id: int) -> dict[int, int]:
    """Measure id -> how many active assignments it has."""
    return dict(
        session.execute(
            select(db.Assignment.measure_id, func.count())
            .join(db.Measure, db.Measure.id == db.Assignment.measure_id)
            .where(db.Measure.campaign_id == campaign_id, db.Assignment.archived.is_(False))
            .group_by(db.Assignment.measure_id)
        ).all()
    )


def statuses(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    as_of: dt.date,
    units: list[str] | None = None,
) -> list[AssignmentStatus]:
    """Every assignment's status as of `as_of`, in stage, measure and unit order (of `units`
    only, when given)."""
    calendar = MemoCalendar(loaded.calendar)
    items: list[AssignmentStatus] = []
    with db.read_session(engine) as session:
        cid = db.campaign_id(session, loaded.spec.campaign.id)
        rows = _assignment_rows(session, cid, units)
        judged = {unit.id for _a, _m, unit, _s in rows} if units is not None else None
        rules = Rules(session, loaded, cid, as_of, owners=judged)
        owners = _owners(session, cid)
        for assignment, measure, unit, stage_row in rows:
            verdict = rules.judge(measure, unit, owners.get(measure.id, 1), assignment.reported_on)
            due = assignment.due_on
            overdue = 0
            if verdict.done:
                state = DONE
            elif due is not None and due < as_of:
                state, overdue = OVERDUE, calendar.workdays_between(due, as_of)
            elif stage_row and stage_row.starts_on and stage_row.starts_on > as_of:
                state = NOT_STARTED
            else:
                state = RUNNING
            items.append(
                AssignmentStatus(
                    measure=measure.key,
                    title=measure.title,
                    stage=stage_row.key if stage_row else "",
                    unit=unit.key,
                    unit_name=unit.name,
                    due=due,
                    done=verdict.done,
                    done_on=verdict.since if verdict.done else None,
                    state=state,
                    workdays_overdue=overdue,
                    evidence=list(assignment.evidence or []),
                    milestone=measure.milestone,
                    measured=verdict.measured,
                )
            )
    return items


def progress_by_stage(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, units: list[str] | None = None
) -> dict[str, Progress]:
    """Each stage's progress as of `as_of` (every stage of the spec, in order), from one
    computation."""
    items = statuses(engine=engine, loaded=loaded, as_of=as_of, units=units)
    return {
        stage.id: Progress.of(stage.id, [i for i in items if i.stage == stage.id])
        for stage in loaded.spec.stages
    }


def overall(parts: dict[str, Progress]) -> Progress:
    """The stages' progress as one."""
    return Progress.of(None, [i for p in parts.values() for i in p.items])


def stage_progress(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    stage: str | None,
    as_of: dt.date,
    units: list[str] | None = None,
) -> Progress:
    """Assignments of one stage (None: all) with their state as of `as_of` (of `units` only,
    when given)."""
    items = statuses(engine=engine, loaded=loaded, as_of=as_of, units=units)
    return Progress.of(stage, [i for i in items if stage is None or i.stage == stage])


def mark_done(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    measure: str,
    unit: str | None,
    on: dt.date,
    evidence: list[str],
    actor: str,
) -> int:
    """Record that a measure (one unit's share, or every owner's) was reported done on `on`,
    with evidence; returns how many assignments changed (0 when it was already so recorded).
    A reported date is a fact; whether the measure counts as done on a date is still decided
    by its rule (`rules`)."""
    with db.write_session(engine) as session:
        cid = db.campaign_id(session, loaded.spec.campaign.id)
        rows = [r for r in _assignment_rows(session, cid) if r[1].key == measure]
        if not rows:
            known = "、".join(m.id for m in loaded.spec.measures)
            raise UnknownMeasure(f"没有措施 {measure}（可选：{known}）")
        if unit is not None:
            rows = [r for r in rows if unit in (r[2].key, r[2].name)]
            if not rows:
                raise UnknownMeasure(f"措施 {measure} 的责任单位中没有 {unit}")
        changed = 0
        for assignment, m, u, _stage in rows:
            merged = sorted(set(assignment.evidence or []) | set(evidence))
            if assignment.reported_on == on and merged == sorted(assignment.evidence or []):
                continue  # already recorded: a re-import changes nothing
            changed += 1
            db.update_audited(
                session=session,
                row=assignment,
                values={"reported_on": on, "evidence": merged},
                entity_key=f"{m.key}@{u.key}",
                actor=actor,
                action="state",
                campaign_id=cid,
            )
        return changed
