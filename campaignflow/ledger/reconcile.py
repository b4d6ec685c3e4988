"""对账: counts over a campaign's problems and rectification measures on a date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from .. import db
from ..spec import LoadedCampaign
from .states import CLOSED_STATES, STANDING_STATE, STATES


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
    by_unit: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # unit -> problems/closed/measures…
    measures_per_problem: dict[str, int] = field(default_factory=dict)  # problem code -> measures
    problems_without_measures: list[str] = field(default_factory=list)

    @property
    def closure_rate(self) -> float | None:
        return round(self.problems_closed / self.problems, 4) if self.problems else None

    @property
    def measure_closure_rate(self) -> float | None:
        return round(self.measures_closed / self.measures, 4) if self.measures else None

    def as_dict(self) -> dict:
        """Plain data for report templates (rates included)."""
        import dataclasses

        return {
            **dataclasses.asdict(self),
            "closure_rate": self.closure_rate,
            "measure_closure_rate": self.measure_closure_rate,
            "overdue_count": len(self.overdue),
            "closed_without_evidence_count": len(self.closed_without_evidence),
            "mean_measures_per_problem": (
                round(self.measures / self.problems, 2) if self.problems else None
            ),
        }


def reconcile(*, engine: Engine, loaded: LoadedCampaign, as_of: dt.date) -> Reconciliation:
    """Counts over the campaign's problems and rectification measures known on `as_of`.

    Measures of problems found after `as_of` are left out with their problems; a measure closed
    after `as_of` counts as 整改中.
    """
    with db.read_session(engine) as session:
        campaign = session.scalar(
            select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id)
        )
        if campaign is None:
            return Reconciliation()
        units = _unit_names(session, campaign.id)
        problems = session.scalars(
            select(db.Problem).where(db.Problem.campaign_id == campaign.id)
        ).all()
        measures = session.scalars(
            select(db.Rectification).where(db.Rectification.campaign_id == campaign.id)
        ).all()
    return _tally(problems, measures, units, as_of)


def reconcile_by_unit(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, units: list[str]
) -> dict[str, Reconciliation]:
    """对账 of each unit given: its own problems (by the problem's unit) and their measures."""
    out = {key: Reconciliation() for key in units}
    with db.read_session(engine) as session:
        campaign = session.scalar(
            select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id)
        )
        if campaign is None:
            return out
        names = _unit_names(session, campaign.id)
        keys = dict(
            session.execute(
                select(db.Unit.id, db.Unit.key).where(
                    db.Unit.campaign_id == campaign.id, db.Unit.key.in_(units)
                )
            ).all()
        )
        problems = session.scalars(
            select(db.Problem).where(
                db.Problem.campaign_id == campaign.id, db.Problem.unit_id.in_(list(keys))
            )
        ).all()
        measures = session.scalars(
            select(db.Rectification)
            .join(db.Problem, db.Problem.id == db.Rectification.problem_id)
            .where(db.Problem.campaign_id == campaign.id, db.Problem.unit_id.in_(list(keys)))
        ).all()
    unit_of = {p.id: keys[p.unit_id] for p in problems}
    own_problems: dict[str, list] = {key: [] for key in units}
    own_measures: dict[str, list] = {key: [] for key in units}
    for p in problems:
        own_problems[keys[p.unit_id]].append(p)
    for m in measures:
        own_measures[unit_of[m.problem_id]].append(m)
    for key in units:
        out[key] = _tally(own_problems[key], own_measures[key], names, as_of)
    return out


def _unit_names(session, campaign_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            select(db.Unit.id, db.Unit.name).where(db.Unit.campaign_id == campaign_id)
        ).all()
    )


def _tally(problems, measures, units: dict[int, str], as_of: dt.date) -> Reconciliation:
    """The counts over the given problems and measures (those known on `as_of`)."""
    result = Reconciliation()
    problems = [p for p in problems if p.found_on is None or p.found_on <= as_of]
    known = {p.id for p in problems}
    measures = [m for m in measures if m.problem_id in known]
    by_problem: dict[int, list[db.Rectification]] = {}
    states: Counter[str] = Counter()
    unit_rows: dict[str, Counter[str]] = {}
    for m in measures:
        state = _state_as_of(m, as_of)
        states[state] += 1
        by_problem.setdefault(m.problem_id, []).append(m)
        unit = units.get(m.owner_unit_id, "（未指定）")
        unit_rows.setdefault(unit, Counter())["measures"] += 1
        row = {
            "code": m.code,
            "measure": m.measure,
            "unit": units.get(m.owner_unit_id, ""),
            "due": m.due_on,
            "state": state,
        }
        if state not in CLOSED_STATES and state != STANDING_STATE and m.due_on and m.due_on < as_of:
            result.overdue.append(row)
            unit_rows[unit]["overdue"] += 1
        if state in CLOSED_STATES:
            unit_rows[unit]["measures_closed"] += 1
            if not (m.evidence or "").strip():
                result.closed_without_evidence.append(row)
    result.measures = len(measures)
    result.measures_closed = sum(states[s] for s in CLOSED_STATES)
    result.by_state = {s: states[s] for s in STATES if states[s]} | {
        s: n for s, n in states.items() if s not in STATES
    }
    open_units: Counter[str] = Counter()
    for p in problems:
        own = by_problem.get(p.id, [])
        closed = bool(own) and all(
            _state_as_of(m, as_of) in (*CLOSED_STATES, STANDING_STATE) for m in own
        )
        result.problems_closed += closed
        unit = units.get(p.unit_id, "（未指定）")
        unit_rows.setdefault(unit, Counter())["problems"] += 1
        result.measures_per_problem[p.code] = len(own)
        if not own:
            result.problems_without_measures.append(p.code)
        if closed:
            unit_rows[unit]["problems_closed"] += 1
        else:
            open_units[unit] += 1
    result.problems = len(problems)
    result.by_source = dict(Counter(p.source or "（未填）" for p in problems))
    result.by_category = dict(Counter(p.category or "（未填）" for p in problems))
    result.open_by_unit = dict(sorted(open_units.items()))
    keys = ("problems", "problems_closed", "measures", "measures_closed", "overdue")
    result.by_unit = {u: {k: c[k] for k in keys} for u, c in sorted(unit_rows.items())}
    return result


def _state_as_of(m: db.Rectification, as_of: dt.date) -> str:
    """A measure closed after `as_of` was still 整改中 then."""
    if m.state in CLOSED_STATES and m.closed_on and m.closed_on > as_of:
        return "整改中"
    return m.state


def reconciliation_table(result: Reconciliation) -> list[dict]:
    """对账 as rows for a table artifact: per unit, problems/closed, measures/closed, overdue."""
    rows = [
        {
            "责任单位": unit,
            "问题": c["problems"],
            "已销号问题": c["problems_closed"],
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
            "已销号问题": result.problems_closed,
            "整改措施": result.measures,
            "已销号措施": result.measures_closed,
            "逾期措施": len(result.overdue),
        }
    )
    return rows
