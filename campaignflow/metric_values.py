"""A metric's values as shown: a row's value after its group columns, groups in declared order
with zeros, suppressed pools of raters (anonymity.py), rates and numbers unrounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .anonymity import Suppressed, too_few

if TYPE_CHECKING:
    from .metrics import MetricQuery
    from .spec import LoadedCampaign
    from .spec.models import FormField

NO_VALUE = "（空）"


def pool_key(q: MetricQuery, key: tuple, unit: Any = None) -> tuple:
    return ((unit,) if unit is not None else ()) + tuple(key[i] for i in q.who or [])


def row_value(rest: tuple, kind: str) -> Any:
    """The value of a row after its group columns."""
    return ratio(rest[0], rest[1]) if kind == "rate" else number(rest[0])


def grouped(
    loaded: LoadedCampaign, q: MetricQuery, found: dict[tuple, Any], pools: dict | None = None
) -> dict[str, Any]:
    """{shown group: value} in declared order: every combination of the groups' declared
    choices (zeros included), then the other values met in the data. With `pools` (a ballot
    form), a group whose raters are fewer than the floor is Suppressed, zeros included."""
    specs = [q.fields[n] for n in q.metric.group_by]
    declared = [_declared(loaded, spec) for spec in specs]
    names = [_names(loaded, spec) for spec in specs]
    empty = None if q.kind == "rate" else 0
    ordered: dict[tuple, Any] = {}
    if all(d is not None and d.zeros for d in declared):
        for combo in _product([d.values for d in declared]):
            ordered[combo] = found.get(combo, empty)

    def rank(key: tuple) -> tuple:
        out = []
        for i, v in enumerate(key):
            order = declared[i].values if declared[i] is not None else []
            out.append((0, order.index(v)) if v in order else (1 if v is not None else 2, str(v)))
        return tuple(out)

    for key in sorted((k for k in found if k not in ordered), key=rank):
        ordered[key] = found[key]
    if pools is not None:
        for key in ordered:
            if too_few(pools.get(pool_key(q, key), 0), q.floor):
                ordered[key] = Suppressed(q.floor)
    return {_group_key(k, names): v for k, v in ordered.items()}


@dataclass(frozen=True)
class _Declared:
    values: list[Any]
    zeros: bool  # every value shown, with 0 when there is no row


def _declared(loaded: LoadedCampaign, spec: FormField) -> _Declared | None:
    if spec.type == "choice":
        return _Declared(list(spec.choices or ()), True)
    if spec.type == "bool":
        return _Declared([True, False], True)
    if spec.type == "unit":
        return _Declared([u.id for u in loaded.units], False)
    if spec.type == "person":
        return _Declared([p.id for p in loaded.people], False)
    return None


def _names(loaded: LoadedCampaign, spec: FormField) -> dict[str, str]:
    """Stored id -> name shown (units and people by name, yes/no in Chinese)."""
    if spec.type == "unit":
        return {u.id: u.name for u in loaded.units}
    if spec.type == "person":
        return {p.id: p.name for p in loaded.people}
    if spec.type == "bool":
        return {"True": "是", "False": "否"}
    return {}


def _product(lists: list[list[Any]]) -> list[tuple]:
    combos: list[tuple] = [()]
    for values in lists:
        combos = [(*c, v) for c in combos for v in values]
    return combos


def _group_key(values: tuple, names: list[dict[str, str]]) -> str:
    return " / ".join(
        NO_VALUE if v is None else names[i].get(str(v), str(v)) for i, v in enumerate(values)
    )


SUM_DIGITS = 9  # far below any printed figure, far above a float's error over a campaign's rows


def ratio(hits: Any, count: Any) -> float | None:
    """hits ÷ count, unrounded (None when count is 0)."""
    return None if not count else float(hits or 0) / float(count)


def number(value: Any) -> int | float:
    """A sum as a number: whole numbers as int; others unrounded (figures.py rounds them, once,
    where printed) but for the binary noise of adding decimals (0.1 + 0.2 is 0.3)."""
    if value is None:
        return 0
    value = round(float(value), SUM_DIGITS)
    return int(value) if value.is_integer() else value
