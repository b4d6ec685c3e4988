"""Whether a measure's rule is met for one owner as of a date, and since when.

A measure's rule, judged for each owner unit on that owner's own data:
- a **target** (`target: {metric, at_least/at_most}`): the metric over the owner's rows — the
  rows of the owner unit and the units under it; a measure with one owner is that owner's
  whole form. A metric grouped by unit is read at the owner's group.
- a **form** without a target: the owner (as above) has submitted to it.
- otherwise: the owner reported it done (措施进展, the UI, the CLI) on or before the date.
A report of completion adds its date and evidence but never overrides a target that is not met.

`since` is the day the rule became met when the data can say so — a count or a sum reaching
its bound on the date of the row that made it, a form first filled on that row's date — else
the reported date, else None (and no date is printed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from . import db
from .anonymity import Suppressed
from .metrics import combine, compute_metrics, depends_on_state, form_ids, metric_kind, unit_parts
from .spec import LoadedCampaign


@dataclass(frozen=True)
class Verdict:
    done: bool
    since: dt.date | None = None
    measured: Any = None  # the target metric's value for the owner (targets only)


class Rules:
    """Judges assignments as of a date, with one query per target metric and per form."""

    def __init__(
        self,
        session: Session,
        loaded: LoadedCampaign,
        campaign_id: int,
        as_of: dt.date,
        owners: set[int] | None = None,
    ):
        """`owners`: the unit ids that will be judged (None: all); for several owners of a
        measure, only their own rows are then read."""
        self.session, self.loaded, self.as_of = session, loaded, as_of
        self.forms = form_ids(session, loaded)
        self.subtrees = subtrees(session, campaign_id, owners)
        self.scope: set[int] | None = None
        if owners is not None:
            self.scope = {u for owner in owners for u in self.subtrees.get(owner, [owner])}
        self._parts: dict[tuple[str, bool, bool], dict[Any, Any]] = {}
        self._rows: dict[tuple[str, bool], dict[int | None, tuple[dt.date | None, int]]] = {}
        self._grouped: dict[str, Any] | None = None
        self._by_unit: dict[tuple[str, bool], dict[Any, dict[Any, float]]] = {}

    def judge(
        self, measure: db.Measure, unit: db.Unit, owners: int, reported: dt.date | None
    ) -> Verdict:
        """The verdict for `unit`'s share of `measure` (`owners`: how many share it)."""
        reported = reported if reported is not None and reported <= self.as_of else None
        target = measure.target or {}
        if target.get("metric") in self.loaded.spec.metrics:
            return self._target(target, unit, owners, reported)
        if measure.form_key and measure.form_key in self.forms:
            first, n = self._submitted(measure.form_key, unit, owners)
            if n:
                since = min((d for d in (first, reported) if d is not None), default=None)
                return Verdict(True, since)
        return Verdict(reported is not None, reported)

    # -- targets

    def _target(self, target: dict, unit: db.Unit, owners: int, reported) -> Verdict:
        metric = self.loaded.spec.metrics[target["metric"]]
        low, high = target.get("at_least"), target.get("at_most")
        if metric.group_by:
            value = self._grouped_value(target["metric"], unit)
        else:
            parts = self._metric_parts(target["metric"], dated=False, whole=owners == 1)
            value = combine(metric_kind(metric), self._mine(parts, unit, owners))
        if value is None or not _within(value, low, high):
            return Verdict(False, measured=value)
        since = None
        if low is not None and metric_kind(metric) in ("count", "sum") and not metric.group_by:
            if not depends_on_state(self.loaded, metric):
                since = self._reached_on(target["metric"], unit, owners, low)
        return Verdict(True, since or reported, measured=value)

    def _metric_parts(self, metric_id: str, dated: bool, whole: bool) -> dict[Any, Any]:
        """Parts per unit of the whole form (`whole`: a measure's only owner), else of the
        units judged."""
        key = (metric_id, dated, whole)
        if key not in self._parts:
            metric = self.loaded.spec.metrics[metric_id]
            self._parts[key] = unit_parts(
                self.session, self.loaded, self.forms, metric, self.as_of, dated=dated,
                unit_ids=None if whole else self.scope,
            )  # fmt: skip
        return self._parts[key]

    def _mine(self, parts: dict[Any, Any], unit: db.Unit, owners: int) -> list[Any]:
        """The parts that are the owner's own (all of them for a measure's only owner)."""
        if owners == 1:
            return list(parts.values())
        return [parts[u] for u in self.subtrees.get(unit.id, [unit.id]) if u in parts]

    def _reached_on(self, metric_id: str, unit: db.Unit, owners: int, low: float):
        """The row date on which the owner's count or sum first reached `low` (None when the
        undated rows alone reach it, or a negative value makes the sum fall)."""
        by_unit = self._dated_by_unit(metric_id, whole=owners == 1)
        by_day: dict[dt.date | None, float] = {}
        for days in self._mine(by_unit, unit, owners):
            for day, value in days.items():
                if value < 0:
                    return None
                by_day[day] = by_day.get(day, 0) + value
        total = 0.0
        for day in sorted(by_day, key=lambda d: (d is not None, d or dt.date.min)):
            total += by_day[day]
            if total >= low:
                return day
        return None

    def _dated_by_unit(self, metric_id: str, whole: bool) -> dict[Any, dict[Any, float]]:
        """The dated parts (see `_metric_parts`) as unit -> day -> value, made once: each
        owner then reads only its own units' days."""
        key = (metric_id, whole)
        if key not in self._by_unit:
            grouped: dict[Any, dict[Any, float]] = {}
            for (u, day), value in self._metric_parts(metric_id, dated=True, whole=whole).items():
                grouped.setdefault(u, {})[day] = value
            self._by_unit[key] = grouped
        return self._by_unit[key]

    def _grouped_value(self, metric_id: str, unit: db.Unit) -> Any:
        if self._grouped is None:
            self._grouped = {
                k: v.value
                for k, v in compute_metrics(
                    engine=self.session.get_bind(), loaded=self.loaded, as_of=self.as_of
                ).items()
            }
        value = self._grouped.get(metric_id)
        found = value.get(unit.name, value.get(unit.key)) if isinstance(value, dict) else None
        return None if isinstance(found, Suppressed) else found  # too few raters: no figure

    # -- forms

    def _submitted(self, form_key: str, unit: db.Unit, owners: int):
        """(first row date, rows) of the owner's rows in the form as of the date."""
        by_unit = self._rows_by_unit(form_key, whole=owners == 1)
        if owners == 1:
            found = list(by_unit.values())
        else:
            found = [by_unit[u] for u in self.subtrees.get(unit.id, [unit.id]) if u in by_unit]
        n = sum(count for _, count in found)
        first = min((d for d, _ in found if d is not None), default=None)
        return first, n

    def _rows_by_unit(
        self, form_key: str, whole: bool
    ) -> dict[int | None, tuple[dt.date | None, int]]:
        key = (form_key, whole)
        if key not in self._rows:
            S = db.Submission
            where = [
                S.form_id == self.forms[form_key],
                S.archived.is_(False),
                or_(S.on_date.is_(None), S.on_date <= self.as_of),
            ]
            if not whole and self.scope is not None:
                where.append(S.unit_id.in_(sorted(self.scope)))
            query = select(S.unit_id, func.min(S.on_date), func.count(S.id)).where(*where)
            rows = self.session.execute(query.group_by(S.unit_id))
            self._rows[key] = {u: (first, n) for u, first, n in rows}
        return self._rows[key]


def _within(value: Any, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def subtrees(
    session: Session, campaign_id: int, roots: Iterable[int] | None = None
) -> dict[int, list[int]]:
    """Unit id -> the ids of the unit and every unit under it, in id order: of every unit, or
    of `roots` only, walked down in SQL (a chunk of branch reports asks for its 50, and reads
    their subtrees, not a province's 10,000 units)."""
    if roots is not None:
        return _subtrees_of(session, campaign_id, sorted(set(roots)))
    parents = dict(
        session.execute(
            select(db.Unit.id, db.Unit.parent_id).where(db.Unit.campaign_id == campaign_id)
        ).all()
    )
    children: dict[int, list[int]] = {}
    for uid, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(uid)
    result: dict[int, list[int]] = {}
    for root in parents:
        found, todo = {root}, [root]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        result[root] = sorted(found)
    return result


def _subtrees_of(session: Session, campaign_id: int, roots: list[int]) -> dict[int, list[int]]:
    """`subtrees` of the given roots (those of the campaign), by a recursive query (UNION, not
    UNION ALL: a unit reached twice is kept once)."""
    unit = db.Unit.__table__
    tree = (
        select(unit.c.id.label("root"), unit.c.id.label("id"))
        .where(unit.c.campaign_id == campaign_id, unit.c.id.in_(roots))
        .cte("tree", recursive=True)
    )
    child = unit.alias("child")
    tree = tree.union(
        select(tree.c.root, child.c.id).join(
            child, and_(child.c.parent_id == tree.c.id, child.c.campaign_id == campaign_id)
        )
    )
    result: dict[int, list[int]] = {}
    for root, uid in session.execute(select(tree.c.root, tree.c.id)):
        result.setdefault(root, []).append(uid)
    return {root: sorted(result[root]) for root in roots if root in result}
