"""The 问题 → 整改 ledger: the measures' state machine (销号, 巩固, reopening) and 对账.

States of a rectification measure and the transitions allowed (anything else is
`IllegalTransition`, with a message saying what is possible):

    未启动 → 整改中 (start) | 已完成 (close) | 长期坚持 (standing)
    整改中 → 已完成 (close) | 长期坚持 (standing)
    已完成 → 巩固 (consolidate, on or after its review date 巩固复查日期) | 整改中 (reopen)
    巩固   → 整改中 (reopen)
    长期坚持 → 整改中 (reopen)

销号 (close) needs evidence (text, or a file that exists) and a reviewer who is not the measure's
责任人. Reopening needs a reason. Every change is audit-logged (`audit_log`, action `state`).
A problem is closed when all its measures are 已完成/巩固/长期坚持 (and it has at least one),
consolidated when all are 巩固/长期坚持 (at least one 巩固); reopening a measure reopens it.

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from . import db
from .spec import LoadedCampaign

CLOSED_STATES = ("已完成", "巩固")
STANDING_STATE = "长期坚持"
NOT_STARTED, IN_PROGRESS, DONE, CONSOLIDATED = "未启动", "整改中", "已完成", "巩固"
STATES = (NOT_STARTED, IN_PROGRESS, DONE, CONSOLIDATED, STANDING_STATE)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    NOT_STARTED: (IN_PROGRESS, DONE, STANDING_STATE),
    IN_PROGRESS: (DONE, STANDING_STATE),
    DONE: (CONSOLIDATED, IN_PROGRESS),
    CONSOLIDATED: (IN_PROGRESS,),
    STANDING_STATE: (IN_PROGRESS,),
}
SOURCES = ("自己找", "领导点", "互相提", "巡察", "审计", "群众评议")


@dataclass
class Reconciliation:
    """对账: what is open, overdue, closed without evidence; by state, source, category and unit."""

    problems: int = 0
    problems_closed: int = 0
    measures: int = 0
    measures_closed: int = 0
    overdue: list[dict] = field(default_factory=list)
    closed_without_evidence: list[dict] = field(default_factory=list)
    by_state: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    open_by_unit: dict[str, int] = field(default_factory=dict)

    @property
    def closure_rate(self) -> float | None:
        return round(self.problems_closed / self.problems, 4) if self.problems else None


def reconcile(*, engine: Engine, loaded: LoadedCampaign, as_of: dt.date) -> Reconciliation:
    """Counts over the campaign's problems and rectification measures known on `as_of`."""
    result = Reconciliation()
    with db.read_session(engine) as session:
        campaign = session.scalar(select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id))
        if campaign is None:
            return result
        units = dict(session.execute(select(db.Unit.id, db.Unit.name).where(db.Unit.campaign_id == campaign.id)).all())
        problems = session.scalars(select(db.Problem).where(db.Problem.campaign_id == campaign.id)).all()
        problems = [p for p in problems if p.found_on is None or p.found_on <= as_of]
        measures = session.scalars(
            select(db.Rectification).where(db.Rectification.campaign_id == campaign.id)
        ).all()
    by_problem: dict[int, list[db.Rectification]] = {}
    states: Counter[str] = Counter()
    for m in measures:
        state = _state_as_of(m, as_of)
        states[state] += 1
        by_problem.setdefault(m.problem_id, []).append(m)
        row = {"code": m.code, "measure": m.measure, "unit": units.get(m.owner_unit_id, ""), "due": m.due_on, "state": state}
        if state not in CLOSED_STATES and state != STANDING_STATE and m.due_on and m.due_on < as_of:
            result.overdue.append(row)
        if state in CLOSED_STATES and not (m.evidence or "").strip():
            result.closed_without_evidence.append(row)
    result.measures = len(measures)
    result.measures_closed = sum(states[s] for s in CLOSED_STATES)
    result.by_state = dict(states)
    open_units: Counter[str] = Counter()
    for p in problems:
        own = by_problem.get(p.id, [])
        closed = bool(own) and all(_state_as_of(m, as_of) in (*CLOSED_STATES, STANDING_STATE) for m in own)
        result.problems_closed += closed
        if not closed:
            open_units[units.get(p.unit_id, "（未指定）")] += 1
    result.problems = len(problems)
    result.by_source = dict(Counter(p.source or "（未填）" for p in problems))
    result.by_category = dict(Counter(p.category or "（未填）" for p in problems))
    result.open_by_unit = dict(sorted(open_units.items()))
    return result


def _state_as_of(m: db.Rectification, as_of: dt.date) -> str:
    """A measure closed after `as_of` was still 整改中 then."""
    if m.state in CLOSED_STATES and m.closed_on and m.closed_on > as_of:
        return "整改中"
    return m.state
