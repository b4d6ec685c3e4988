"""The campaign's declared metrics, computed in SQL over the active rows (SQLite and PostgreSQL).

`count`, `sum` and `distinct` give a number (`days`: the days an activity form's rows cover, in
all; `span`: the longest one's, from 日期 to 结束日期), or a {group: number} dict with `by`; `rate` gives a
fraction in [0, 1] (None when the base is empty), unrounded: figures are rounded once, where
they are printed (`reports.filters.percent`, half up). Only rows dated on or before `as_of` (or
undated) count, and a state field is read as of `as_of` (`asof`: a measure 销号 after the date
was 整改中 then), so a report for an earlier date is right for that date. Withdrawn rows never
count. Groups come in the declared order of their field's choices, zeros included (units and
people in the spec's order), then any other value met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from . import db
from .anonymity import Suppressed, floor_of, is_answer, too_few
from .asof import state_field, state_sql
from .metric_values import grouped, number, ratio, row_value
from .spec import LoadedCampaign
from .spec.models import METRIC_KINDS, FormField, Metric


@dataclass(frozen=True)
class MetricValue:
    """A computed metric: its value and how to show it."""

    id: str
    title: str
    value: Any  # int/float, None, or {group: value} (group tuples joined with " / ")
    unit: str | None
    kind: str  # count / sum / distinct / rate
    definition: str = ""  # how a rate is computed, said where it is printed


def definition(loaded: LoadedCampaign, metric: Metric) -> str:
    """A rate's definition in words: `满意度为“满意”的 ÷ 办理状态为“已办结、已回复”的群众评议留言`."""
    if metric.rate is None:
        return ""
    title = loaded.spec.forms[metric.rate.form].title
    fields = loaded.form_fields(metric.rate.form)

    def said(where: dict[str, Any]) -> str:
        parts = []
        for name, wanted in where.items():
            label = fields[name].label or name
            values = wanted if isinstance(wanted, list) else [wanted]
            shown = "、".join("是" if v is True else "否" if v is False else str(v) for v in values)
            parts.append(f"{label}为“{shown}”")
        return "且".join(parts)

    base = said(metric.where)
    base = f"{base}的{title}" if base else f"全部{title}"
    hit = said(metric.rate.where)
    return f"{metric.title or '比率'} = 其中{hit}的 ÷ {base}"


def compute_metrics(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date
) -> dict[str, MetricValue]:
    """Every metric of the campaign as of `as_of`."""
    with db.read_session(engine) as session:
        forms = form_ids(session, loaded)
        return {
            metric_id: _value_of(loaded, metric_id, _compute(session, loaded, forms, metric, as_of))
            for metric_id, metric in loaded.spec.metrics.items()
        }


def _value_of(loaded: LoadedCampaign, metric_id: str, value: Any) -> MetricValue:
    metric = loaded.spec.metrics[metric_id]
    return MetricValue(
        id=metric_id,
        title=metric.title or metric_id,
        value=value,
        unit=metric.unit,
        kind=metric_kind(metric),
        definition=definition(loaded, metric),
    )


def metric_kind(metric: Metric) -> str:
    return next(k for k in METRIC_KINDS if getattr(metric, k) is not None)


class _DaySpan(FunctionElement):
    """Days an activity row covers: its end date (default: its date) minus its date, plus one;
    one day when the end comes before the start."""

    type = Integer()
    inherit_cache = True


@compiles(_DaySpan, "sqlite")
def _day_span_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    days = f"CAST(julianday({end}) - julianday({start}) AS INTEGER) + 1"
    return f"MAX({days}, 1)"


@compiles(_DaySpan, "postgresql")
def _day_span_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"GREATEST(CAST({end} AS DATE) - CAST({start} AS DATE) + 1, 1)"


def _day_span():
    start = db.Submission.data["date"].as_string()
    return _DaySpan(start, func.coalesce(db.Submission.data["end_date"].as_string(), start))


def form_ids(session: Session, loaded: LoadedCampaign) -> dict[str, int]:
    """Form key -> id of the campaign's forms."""
    cid = db.campaign_id(session, loaded.spec.campaign.id)
    return dict(
        session.execute(select(db.Form.key, db.Form.id).where(db.Form.campaign_id == cid)).all()
    )


def field_expr(name: str, field: FormField, kind: str | None = None, as_of: dt.date | None = None):
    """SQL expression of a submission's field value, typed by the field; a form `kind`'s state
    field, with `as_of`, is its state as of that day."""
    if kind is not None and as_of is not None and name == state_field(kind):
        iso = as_of.isoformat()
        return state_sql(kind, lambda n: db.Submission.data[n].as_string(), iso)
    value = db.Submission.data[name]
    if field.type == "int":
        return value.as_integer()
    if field.type == "number":
        return value.as_float()
    if field.type == "bool":
        return value.as_boolean()
    return value.as_string()


def _typed(field: FormField, wanted: Any) -> list[Any]:
    values = wanted if isinstance(wanted, list) else [wanted]
    if field.type == "int":
        return [int(v) for v in values]
    if field.type == "number":
        return [float(v) for v in values]
    if field.type == "bool":
        return [bool(v) for v in values]
    return [str(v) for v in values]


def _condition(expr, field: FormField, wanted: Any):
    values = _typed(field, wanted)
    return expr.in_(values) if len(values) > 1 else expr == values[0]


@dataclass(frozen=True)
class MetricQuery:
    """What a metric's statement needs, decided once per metric."""

    metric: Metric
    kind: str  # count / sum / distinct / rate
    fields: dict[str, FormField]
    base: list[Any]  # WHERE
    groups: list[Any]  # the `by` expressions
    value: Any  # the summed/distinct expression (sum, distinct)
    hit: Any  # the rate's condition
    floor: int | None = None  # a ballot form's anonymity floor (anonymity.py); None otherwise
    pool_base: list[Any] | None = None  # WHERE without the conditions on the raters' answers
    who: list[int] | None = None  # positions of the groups that say who voted (not answers)


def _query(
    loaded: LoadedCampaign, forms: dict[str, int], metric: Metric, as_of: dt.date
) -> MetricQuery:
    form = loaded.spec.forms[metric.form]
    fields = loaded.form_fields(metric.form)

    def expr(name: str):
        return field_expr(name, fields[name], form.kind, as_of)

    rows = [
        db.Submission.form_id == forms.get(metric.form, -1),
        db.Submission.archived.is_(False),
        or_(db.Submission.on_date.is_(None), db.Submission.on_date <= as_of),
    ]
    base = [*rows, *(_condition(expr(n), fields[n], v) for n, v in metric.where.items())]
    floor = floor_of(form)
    kind = metric_kind(metric)
    hit = None
    if kind == "rate":
        hit = and_(*(_condition(expr(n), fields[n], v) for n, v in metric.rate.where.items()))
    return MetricQuery(
        metric=metric,
        kind=kind,
        fields=fields,
        base=base,
        groups=[expr(n).label(f"g{i}") for i, n in enumerate(metric.group_by)],
        value=_day_span()
        if kind in ("days", "span")
        else expr(metric.field)
        if metric.field
        else None,
        hit=hit,
        floor=floor,
        pool_base=None
        if floor is None
        else [
            *rows,
            *(
                _condition(expr(n), fields[n], v)
                for n, v in metric.where.items()
                if not is_answer(n)
            ),
        ],
        who=None
        if floor is None
        else [i for i, n in enumerate(metric.group_by) if not is_answer(n)],
    )


def _pools(
    session: Session, q: MetricQuery, by_unit: Any = None, unit_ids: list[int] | None = None
) -> dict[tuple, int]:
    """Ballots per pool of raters: (unit id?, who-groups…) -> count (anonymity.py); with
    `unit_ids`, of those units' rows only."""
    who = [q.groups[i] for i in q.who or []]
    keys = ([by_unit] if by_unit is not None else []) + who
    stmt = select(*keys, func.count(db.Submission.id)).where(*q.pool_base)
    if unit_ids is not None:
        stmt = stmt.where(db.Submission.unit_id.in_(unit_ids))
    if keys:
        stmt = stmt.group_by(*keys)
    return {tuple(r[:-1]): r[-1] for r in session.execute(stmt)}


def _aggregates(q: MetricQuery) -> list[Any]:
    if q.kind == "count":
        return [func.count(db.Submission.id)]
    if q.kind in ("sum", "days"):
        return [func.coalesce(func.sum(q.value), literal(0))]
    if q.kind == "span":
        return [func.coalesce(func.max(q.value), literal(0))]
    if q.kind == "distinct":
        return [func.count(func.distinct(q.value))]
    return [func.sum(case((q.hit, 1), else_=0)), func.count(db.Submission.id)]


def _compute(session, loaded, forms, metric: Metric, as_of: dt.date) -> Any:
    q = _query(loaded, forms, metric, as_of)
    pools = _pools(session, q) if q.floor is not None else None
    stmt = select(*q.groups, *_aggregates(q)).where(*q.base)
    if not q.groups:
        if pools is not None and too_few(pools.get((), 0), q.floor):
            return Suppressed(q.floor)
        row = session.execute(stmt).one()
        return ratio(row[0], row[1]) if q.kind == "rate" else number(row[0])
    stmt = stmt.group_by(*q.groups)
    found = {
        tuple(r[: len(q.groups)]): row_value(r[len(q.groups) :], q.kind)
        for r in session.execute(stmt)
    }
    return grouped(loaded, q, found, pools)


def compute_metrics_by_unit(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, units: list[str]
) -> dict[str, dict[str, MetricValue]]:
    """Every metric per unit (by the rows' own unit), for the units given: one GROUP BY query per
    metric. A unit without rows gets 0 (count/sum/distinct), None (rate), or its groups at 0."""
    with db.read_session(engine) as session:
        forms = form_ids(session, loaded)
        cid = db.campaign_id(session, loaded.spec.campaign.id)
        ids = dict(
            session.execute(
                select(db.Unit.id, db.Unit.key).where(
                    db.Unit.campaign_id == cid, db.Unit.key.in_(units)
                )
            ).all()
        )
        out: dict[str, dict[str, MetricValue]] = {key: {} for key in units}
        for metric_id, metric in loaded.spec.metrics.items():
            q = _query(loaded, forms, metric, as_of)
            n = len(q.groups)
            pools: dict[int, dict[tuple, int]] | None = None
            if q.floor is not None:  # each unit's pools of raters, of the chunk's units only
                pools = {uid: {} for uid in ids}
                for k, v in _pools(session, q, db.Submission.unit_id, list(ids)).items():
                    pools[k[0]][k[1:]] = v
            stmt = (
                select(db.Submission.unit_id, *q.groups, *_aggregates(q))
                .where(*q.base, db.Submission.unit_id.in_(list(ids)))
                .group_by(db.Submission.unit_id, *q.groups)
            )
            found: dict[str, dict[tuple, Any]] = {}
            for row in session.execute(stmt):
                key = ids.get(row[0])
                if key is not None:
                    found.setdefault(key, {})[tuple(row[1 : 1 + n])] = row_value(
                        row[1 + n :], q.kind
                    )
            by_key = {k: i for i, k in ids.items()}
            for key in units:
                mine = found.get(key, {})
                unit_pools = None if pools is None else pools.get(by_key.get(key), {})
                if n:
                    value = grouped(loaded, q, mine, unit_pools)
                elif unit_pools is not None and too_few(unit_pools.get((), 0), q.floor):
                    value = Suppressed(q.floor)
                elif mine:
                    value = mine[()]
                else:
                    value = None if q.kind == "rate" else 0
                out[key][metric_id] = _value_of(loaded, metric_id, value)
        return out


# ---------------------------------------------------------------- per owner (targets)


def unit_parts(
    session: Session,
    loaded: LoadedCampaign,
    forms: dict[str, int],
    metric: Metric,
    as_of: dt.date,
    dated: bool = False,
    unit_ids: Iterable[int] | None = None,
) -> dict[Any, Any]:
    """The metric's additive parts per unit id (None: rows of no unit) — or, with `dated`, per
    (unit id, row date) — for judging each owner on its own rows: count/sum → a number, rate →
    (hits, rows), distinct → the set of values; of the rows of `unit_ids` only, when given.
    Ungrouped metrics only."""
    q = _query(loaded, forms, metric, as_of)
    if unit_ids is not None:
        q.base.append(db.Submission.unit_id.in_(sorted(unit_ids)))
    keys = [db.Submission.unit_id] + ([db.Submission.on_date] if dated else [])
    if q.kind == "distinct":
        stmt = select(*keys, q.value).where(*q.base).distinct()
        parts: dict[Any, Any] = {}
        for *key, value in session.execute(stmt):
            if value is not None:
                parts.setdefault(key[0] if not dated else tuple(key), set()).add(value)
        return parts
    stmt = select(*keys, *_aggregates(q)).where(*q.base).group_by(*keys)
    out = {}
    for row in session.execute(stmt):
        key = row[0] if not dated else (row[0], row[1])
        rest = row[len(keys) :]
        out[key] = (int(rest[0] or 0), int(rest[1] or 0)) if q.kind == "rate" else number(rest[0])
    return out


def combine(kind: str, parts: Iterable[Any]) -> Any:
    """One value from the parts of several units (see `unit_parts`)."""
    parts = list(parts)
    if kind == "rate":
        hits = sum(h for h, _ in parts)
        rows = sum(n for _, n in parts)
        return ratio(hits, rows)
    if kind == "distinct":
        return len(set().union(*parts)) if parts else 0
    if kind == "span":
        return number(max(parts)) if parts else 0
    return number(sum(parts)) if parts else 0


def depends_on_state(loaded: LoadedCampaign, metric: Metric) -> bool:
    """Whether the metric reads a state as of the date (its value can fall as well as rise)."""
    kind = loaded.spec.forms[metric.form].kind
    name = state_field(kind)
    rate_where = metric.rate.where if metric.rate else {}
    return name is not None and (
        name in metric.where or name in rate_where or name in metric.group_by
    )
