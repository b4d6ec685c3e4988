"""对账: counts over a campaign's problems and rectification measures as of a date, in SQL.

The one definition of each ledger figure (reports, artifacts, charts and the ledger export all
read these):

- **问题** (`problems`): problems of active submissions found on or before the date (undated
  ones always); their measures are the **整改措施** (`measures`).
- A measure's state is its state as of the date (`asof.state_as_of`: one 销号 after the date
  was still 整改中). **已销号** (`measures_closed`): 已完成 or 巩固; **长期坚持**
  (`measures_standing`); **未完成** (`measures_open`): 未启动 or 整改中.
- **整改措施销号率** (`closure_rate`) = 已销号 ÷ 整改措施.
- A problem is **整改完成** (`problems_closed`) when it has a measure and every one of its
  measures is 已销号 or 长期坚持; **问题整改完成率** (`problem_closure_rate`) = 整改完成的问题 ÷ 问题.
- **逾期** (`overdue`): a measure neither 已销号 nor 长期坚持 whose 整改时限 is before the date.

Breakdowns keep the declared order (states, the problem forms' choices, units as in the spec)
and show zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from .. import db
from ..asof import state_sql
from ..plain import plain
from ..spec import LoadedCampaign
from ..spec.kinds import PROBLEM_SOURCES
from .states import CLOSED_STATES, IN_PROGRESS, NOT_STARTED, STANDING_STATE, STATES

FINISHED_STATES = (*CLOSED_STATES, STANDING_STATE)  # a problem is 整改完成 when all its are
OPEN_STATES = (NOT_STARTED, IN_PROGRESS)
UNSET = "（未填）"
NO_UNIT = "（未指定）"

DEFINITIONS = {
    "closure_rate": "整改措施销号率 = 已销号措施 ÷ 整改措施",
    "problem_closure_rate": (
        "问题整改完成率 = 整改完成的问题 ÷ 问题总数（问题的全部整改措施已销号或长期坚持即为整改完成）"
    ),
}


@dataclass
class Reconciliation:
    """对账: what is open, overdue, closed without evidence; by state, source, category and unit."""

    problems: int = 0
    problems_closed: int = 0
    measures: int = 0
    measures_closed: int = 0
    measures_standing: int = 0
    measures_open: int = 0
    overdue: list[dict] = field(default_factory=list)
    closed_without_evidence: list[dict] = field(default_factory=list)
    by_state: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    open_by_unit: dict[str, int] = field(default_factory=dict)  # unit -> problems not 整改完成
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> problems/closed/…
    measures_per_problem: dict[str, int] = field(default_factory=dict)  # problem code -> measures
    problems_without_measures: list[str] = field(default_factory=list)
    open_problems: list[str] = field(default_factory=list)  # codes of problems not 整改完成

    @property
    def closure_rate(self) -> float | None:
        """整改措施销号率 = 已销号 ÷ 整改措施 (None without measures)."""
        return self.measures_closed / self.measures if self.measures else None

    @property
    def problem_closure_rate(self) -> float | None:
        """问题整改完成率 = 整改完成的问题 ÷ 问题 (None without problems)."""
        return self.problems_closed / self.problems if self.problems else None

    def as_dict(self) -> dict:
        """Plain data for report templates (rates and their definitions included)."""
        return {
            **plain(self),
            "closure_rate": self.closure_rate,
            "problem_closure_rate": self.problem_closure_rate,
            "definitions": dict(DEFINITIONS),
            "overdue_count": len(self.overdue),
            "closed_without_evidence_count": len(self.closed_without_evidence),
            "mean_measures_per_problem": (
                round(self.measures / self.problems, 2) if self.problems else None
            ),
        }


def reconcile(*, engine: Engine, loaded: LoadedCampaign, as_of: dt.date) -> Reconciliation:
    """对账 of the whole campaign as of `as_of` (see the module doc for each figure)."""
    with db.read_session(engine) as session:
        return _reconcile(session, loaded, as_of, None)[None]


def reconcile_by_unit(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, units: list[str]
) -> dict[str, Reconciliation]:
    """对账 of each unit given: its own problems (by the problem's unit) and their measures."""
    with db.read_session(engine) as session:
        found = _reconcile(session, loaded, as_of, units)
    return {key: found.get(key) or _empty(loaded) for key in units}


def measure_state(as_of: dt.date):
    """SQL: a rectification's state as of `as_of` (from its ledger row's columns)."""
    return state_sql("rectification", lambda name: getattr(db.Rectification, name), as_of)


def _known(as_of: dt.date):
    return or_(db.Problem.found_on.is_(None), db.Problem.found_on <= as_of)


def _reconcile(
    session: Session, loaded: LoadedCampaign, as_of: dt.date, units: list[str] | None
) -> dict[str | None, Reconciliation]:
    """Reconciliations keyed by unit key (by the problem's unit), or {None: whole campaign}."""
    cid = db.campaign_id(session, loaded.spec.campaign.id)
    unit_rows = _unit_rows(session, cid, units)
    names = {id_: name for id_, _key, name in unit_rows}
    keys = {id_: key for id_, key, _name in unit_rows}
    problem_where = [db.Problem.campaign_id == cid, _known(as_of)]
    group = literal(None).label("g")
    if units is not None:
        chunk = set(units)
        wanted = [id_ for id_, key, _ in unit_rows if key in chunk]
        problem_where.append(db.Problem.unit_id.in_(wanted))
        group = db.Problem.unit_id.label("g")
    state = measure_state(as_of).label("state")
    measures = (
        select(
            group,
            db.Rectification.problem_id,
            db.Rectification.owner_unit_id,
            db.Rectification.code,
            db.Rectification.measure,
            db.Rectification.due_on,
            db.Rectification.evidence,
            state,
        )
        .join(db.Problem, db.Problem.id == db.Rectification.problem_id)
        .where(*problem_where)
        .cte("m")
    )
    finished = measures.c.state.in_(FINISHED_STATES)
    closed = measures.c.state.in_(CLOSED_STATES)
    late = and_(~finished, measures.c.due_on.is_not(None), measures.c.due_on < as_of)
    out: dict[Any, Reconciliation] = {}

    def of(g: Any) -> Reconciliation:
        key = keys.get(g) if units is not None else None
        if key not in out:
            out[key] = _empty(loaded)
        return out[key]

    # measures by state, and by owner unit
    for g, st, n in session.execute(
        select(measures.c.g, measures.c.state, func.count()).group_by(
            measures.c.g, measures.c.state
        )
    ):
        r = of(g)
        r.by_state[st] = r.by_state.get(st, 0) + n
        r.measures += n
        r.measures_closed += n if st in CLOSED_STATES else 0
        r.measures_standing += n if st == STANDING_STATE else 0
        r.measures_open += n if st in OPEN_STATES else 0
    for g, owner, n, n_closed, n_late in session.execute(
        select(
            measures.c.g,
            measures.c.owner_unit_id,
            func.count(),
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        ).group_by(measures.c.g, measures.c.owner_unit_id)
    ):
        row = _unit_row(of(g), names.get(owner, NO_UNIT))
        row["measures"] += n
        row["measures_closed"] += int(n_closed or 0)
        row["overdue"] += int(n_late or 0)
    # the lists: overdue, and 销号 without evidence
    listed = (
        select(
            measures.c.g,
            measures.c.code,
            measures.c.measure,
            measures.c.owner_unit_id,
            measures.c.due_on,
            measures.c.state,
            late.label("late"),
        )
        .where(or_(late, and_(closed, func.coalesce(func.trim(measures.c.evidence), "") == "")))
        .order_by(measures.c.code)
    )
    for g, code, text, owner, due, st, is_late in session.execute(listed):
        item = {"code": code, "measure": text, "unit": names.get(owner, ""), "due": due,
                "state": st}  # fmt: skip
        (of(g).overdue if is_late else of(g).closed_without_evidence).append(item)
    # problems: closed when every measure is finished
    per_problem = (
        select(
            measures.c.problem_id,
            func.count().label("n"),
            func.sum(case((finished, 1), else_=0)).label("f"),
        )
        .group_by(measures.c.problem_id)
        .subquery()
    )
    n = func.coalesce(per_problem.c.n, 0)
    done = and_(n > 0, per_problem.c.f == n)
    problems = session.execute(
        select(
            group,
            db.Problem.code,
            db.Problem.unit_id,
            db.Problem.source,
            db.Problem.category,
            n,
            case((done, 1), else_=0),
        )
        .outerjoin(per_problem, per_problem.c.problem_id == db.Problem.id)
        .where(*problem_where)
        .order_by(db.Problem.code)
    ).all()
    for g, code, unit, source, category, count, is_done in problems:
        r = of(g)
        r.problems += 1
        r.problems_closed += is_done
        r.measures_per_problem[code] = count
        if not count:
            r.problems_without_measures.append(code)
        name = names.get(unit, NO_UNIT)
        row = _unit_row(r, name)
        row["problems"] += 1
        row["problems_closed"] += is_done
        if not is_done:
            r.open_by_unit[name] = r.open_by_unit.get(name, 0) + 1
            r.open_problems.append(code)
        key = source or UNSET
        r.by_source[key] = r.by_source.get(key, 0) + 1
        key = category or UNSET
        r.by_category[key] = r.by_category.get(key, 0) + 1
    rank = {name: i for i, (_id, _key, name) in enumerate(unit_rows)}
    for r in out.values():
        _order(r, rank)
    if not out and units is None:
        out[None] = _empty(loaded)
    return out


def _unit_rows(session: Session, cid: int, units: list[str] | None) -> list[Any]:
    """(id, key, name) of the campaign's units in spec order: all of them, or for `units` (a
    chunk of branch reports) those units, the owners of their problems' measures and every unit
    sharing a name with one of these — what the names and their order (`_order`, by the place
    of a name's last unit) need, not a province's 10,000 units per chunk."""
    U = db.Unit
    where = [U.campaign_id == cid]
    if units is not None:
        wanted = select(U.id).where(U.campaign_id == cid, U.key.in_(units))
        owners = (
            select(db.Rectification.owner_unit_id)
            .join(db.Problem, db.Problem.id == db.Rectification.problem_id)
            .where(db.Problem.campaign_id == cid, db.Problem.unit_id.in_(wanted))
        )
        involved = or_(U.id.in_(wanted), U.id.in_(owners))
        where.append(
            or_(involved, U.name.in_(select(U.name).where(U.campaign_id == cid, involved)))
        )
    return session.execute(
        select(U.id, U.key, U.name).where(*where).order_by(U.sort_order, U.id)
    ).all()


def _empty(loaded: LoadedCampaign) -> Reconciliation:
    """A reconciliation with every declared state, source and category at zero."""
    sources, categories = _declared(loaded)
    return Reconciliation(
        by_state=dict.fromkeys(STATES, 0),
        by_source=dict.fromkeys(sources, 0),
        by_category=dict.fromkeys(categories, 0),
    )


def _declared(loaded: LoadedCampaign) -> tuple[list[str], list[str]]:
    """The choices of the problem forms' source and category fields, in declared order."""
    sources: dict[str, None] = {}
    categories: dict[str, None] = {}
    for form_id, form in loaded.spec.forms.items():
        if form.kind != "problem":
            continue
        fields = loaded.form_fields(form_id)
        for name, target in (("source", sources), ("category", categories)):
            spec = fields.get(name)
            if spec is not None and spec.type == "choice":
                target.update(dict.fromkeys(spec.choices or ()))
    if not sources:
        sources = dict.fromkeys(PROBLEM_SOURCES)
    return list(sources), list(categories)


def _unit_row(r: Reconciliation, name: str) -> dict[str, int]:
    keys = ("problems", "problems_closed", "measures", "measures_closed", "overdue")
    return r.by_unit.setdefault(name, dict.fromkeys(keys, 0))


def _order(r: Reconciliation, rank: dict[str, int]) -> None:
    """Units in spec order (`rank`: name -> place; then 未指定). The other breakdowns already
    hold the declared values first (from `_empty`), then others as met; （未填） goes last."""

    def by_unit(item: tuple[str, Any]) -> tuple:
        return (rank.get(item[0], len(rank)), item[0])

    r.by_unit = dict(sorted(r.by_unit.items(), key=by_unit))
    r.open_by_unit = dict(sorted(r.open_by_unit.items(), key=by_unit))
    for counts in (r.by_state, r.by_source, r.by_category):
        if UNSET in counts:
            counts[UNSET] = counts.pop(UNSET)


def reconciliation_table(result: Reconciliation) -> list[dict]:
    """对账 as rows for a table artifact: per unit, problems/closed, measures/closed, overdue."""
    rows = [
        {
            "责任单位": unit,
            "问题": c["problems"],
            "整改完成的问题": c["problems_closed"],
            "整改措施": c["measures"],
            "已销号措施": c["measures_closed"],
            "逾期措施": c["overdue"],
        }
        for unit, c in result.by_unit.items()
    ]
    rows.append(
        {
            "责任单位": "合计",
            "问题": result.problems,
            "整改完成的问题": result.problems_closed,
            "整改措施": result.measures,
            "已销号措施": result.measures_closed,
            "逾期措施": len(result.overdue),
        }
    )
    return rows
