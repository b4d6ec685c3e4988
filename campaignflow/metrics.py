"""The campaign's declared metrics, computed in SQL over the submissions (SQLite and PostgreSQL).

`count`, `sum` and `distinct` give a number, or a {group: number} dict with `by`; `rate` gives a
fraction in [0, 1] (None when the base is empty). Only rows dated on or before `as_of` (or undated)
count, so a report for an earlier date is reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from . import db
from .spec import LoadedCampaign
from .spec.models import FormField, Metric


@dataclass(frozen=True)
class MetricValue:
    """A computed metric: its value and how to show it."""

    id: str
    title: str
    value: Any  # int/float, None, or {group: value} (group tuples joined with " / ")
    unit: str | None
    kind: str  # count / sum / distinct / rate


def compute_metrics(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date
) -> dict[str, MetricValue]:
    """Every metric of the campaign as of `as_of`."""
    with db.read_session(engine) as session:
        forms = _form_ids(session, loaded)
        return {
            metric_id: MetricValue(
                id=metric_id,
                title=metric.title or metric_id,
                value=_compute(session, loaded, forms, metric, as_of),
                unit=metric.unit,
                kind=_kind(metric),
            )
            for metric_id, metric in loaded.spec.metrics.items()
        }


def _kind(metric: Metric) -> str:
    return next(k for k in ("count", "sum", "distinct", "rate") if getattr(metric, k) is not None)


def _form_ids(session: Session, loaded: LoadedCampaign) -> dict[str, int]:
    rows = session.execute(
        select(db.Form.key, db.Form.id)
        .join(db.Campaign, db.Campaign.id == db.Form.campaign_id)
        .where(db.Campaign.key == loaded.spec.campaign.id)
    ).all()
    return dict(rows)


def field_expr(name: str, field: FormField):
    """SQL expression of a submission's field value, typed by the field."""
    value = db.Submission.data[name]
    if field.type == "int":
        return value.as_integer()
    if field.type == "number":
        return value.as_float()
    if field.type == "bool":
        return value.as_boolean()
    return value.as_string()


def _condition(name: str, field: FormField, wanted: Any):
    expr = field_expr(name, field)
    values = wanted if isinstance(wanted, list) else [wanted]
    if field.type == "int":
        values = [int(v) for v in values]
    elif field.type == "number":
        values = [float(v) for v in values]
    elif field.type == "bool":
        values = [bool(v) for v in values]
    else:
        values = [str(v) for v in values]
    return expr.in_(values) if len(values) > 1 else expr == values[0]


def _compute(session, loaded, forms, metric: Metric, as_of: dt.date) -> Any:
    stmt, names, rate = _statement(loaded, forms, metric, as_of)
    if not names:
        row = session.execute(stmt).one()
        return _ratio(row[0], row[1]) if rate else _number(row[0])
    return {
        _group_key(r[: len(names)], names): _value(r, names, rate) for r in session.execute(stmt)
    }


def compute_metrics_by_unit(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, units: list[str]
) -> dict[str, dict[str, MetricValue]]:
    """Every metric per unit (by the rows' own unit), for the units given: one GROUP BY query per
    metric. A unit without rows gets 0 (count/sum/distinct), None (rate) or {} (with `by`)."""
    with db.read_session(engine) as session:
        forms = _form_ids(session, loaded)
        ids = dict(
            session.execute(
                select(db.Unit.id, db.Unit.key)
                .join(db.Campaign, db.Campaign.id == db.Unit.campaign_id)
                .where(db.Campaign.key == loaded.spec.campaign.id, db.Unit.key.in_(units))
            ).all()
        )
        out: dict[str, dict[str, MetricValue]] = {key: {} for key in units}
        for metric_id, metric in loaded.spec.metrics.items():
            stmt, names, rate = _statement(
                loaded, forms, metric, as_of, by_unit=db.Submission.unit_id.in_(list(ids))
            )
            values: dict[str, Any] = {}
            for row in session.execute(stmt):
                key = ids.get(row[0])
                if key is None:
                    continue
                if names:
                    group = _group_key(row[1 : 1 + len(names)], names)
                    values.setdefault(key, {})[group] = _value(row[1:], names, rate)
                else:
                    values[key] = _ratio(row[1], row[2]) if rate else _number(row[1])
            empty = {} if names else (None if rate else 0)
            for key in units:
                out[key][metric_id] = MetricValue(
                    id=metric_id,
                    title=metric.title or metric_id,
                    value=values.get(key, empty),
                    unit=metric.unit,
                    kind=_kind(metric),
                )
        return out


def _statement(loaded, forms, metric: Metric, as_of: dt.date, by_unit=None):
    """(SELECT [unit,] groups…, value[, base], group display names, is a rate)."""
    fields = loaded.form_fields(metric.form)
    base = [
        db.Submission.form_id == forms.get(metric.form, -1),
        db.Submission.archived.is_(False),
        or_(db.Submission.on_date.is_(None), db.Submission.on_date <= as_of),
        *(_condition(n, fields[n], v) for n, v in metric.where.items()),
    ]
    groups = [field_expr(n, fields[n]).label(f"g{i}") for i, n in enumerate(metric.group_by)]
    if by_unit is not None:
        base.append(by_unit)
        groups.insert(0, db.Submission.unit_id)
    names = _display_names(loaded, [fields[n] for n in metric.group_by])
    kind = _kind(metric)
    if kind == "count":
        aggs = [func.count(db.Submission.id)]
    elif kind == "sum":
        aggs = [func.coalesce(func.sum(field_expr(metric.field, fields[metric.field])), literal(0))]
    elif kind == "distinct":
        aggs = [func.count(func.distinct(field_expr(metric.field, fields[metric.field])))]
    else:
        hit = and_(*(_condition(n, fields[n], v) for n, v in metric.rate.where.items()))
        aggs = [func.sum(case((hit, 1), else_=0)), func.count(db.Submission.id)]
    stmt = select(*groups, *aggs).where(*base)
    if groups:
        stmt = stmt.group_by(*groups).order_by(*groups)
    return stmt, names, kind == "rate"


def _value(row: tuple, names: list, rate: bool) -> Any:
    """The value of a grouped row (after its group columns)."""
    n = len(names)
    return _ratio(row[n], row[n + 1]) if rate else _number(row[n])


def _display_names(loaded: LoadedCampaign, fields: list[FormField]) -> list[dict[str, str]]:
    """Per group field: stored id -> name shown (units and people by name)."""
    units = {u.id: u.name for u in loaded.units}
    people = {p.id: p.name for p in loaded.people}
    return [units if f.type == "unit" else people if f.type == "person" else {} for f in fields]


def _group_key(values: tuple, names: list[dict[str, str]]) -> str:
    return " / ".join(
        "（空）" if v is None else names[i].get(str(v), str(v)) for i, v in enumerate(values)
    )


def _ratio(hits: Any, count: Any) -> float | None:
    return None if not count else round(float(hits or 0) / float(count), 4)


def _number(value: Any) -> int | float:
    if value is None:
        return 0
    value = float(value)
    return int(value) if value.is_integer() else round(value, 2)
