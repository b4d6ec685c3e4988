"""A row's state as of a date: its state field read back to what it was on that day.

A rectification measure stored as 已完成 with 销号日期 2023-06-20 was 整改中 on 2023-06-15; one
stored as 巩固 with 巩固复查日期 2023-06-28 was 已完成 on 2023-06-25 (see
`spec.kinds.DATED_STATES`). A state with no date to read it back by is taken as it stands. The
same rule runs in Python (`state_as_of`) and in SQL (`state_sql`), so a count in SQL and a list
in Python say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import and_, case, literal

from .spec.kinds import DATED_STATES


def state_field(kind: str) -> str | None:
    """The field whose value a date can read back, for forms of `kind` (None: none)."""
    rule = DATED_STATES.get(kind)
    return rule[0] if rule else None


def _day(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def state_as_of(kind: str, values: Mapping[str, Any], as_of: dt.date) -> Any:
    """The state field of a row of `kind` (`values`: field -> value) as it was on `as_of`."""
    rule = DATED_STATES.get(kind)
    if rule is None:
        return None
    field, steps = rule
    state = values.get(field)
    for states, date_field, before in steps:
        day = _day(values.get(date_field))
        if state in states and day is not None and day > as_of:
            state = before
    return state


def state_sql(kind: str, column: Callable[[str], Any], as_of: Any) -> Any:
    """`state_as_of` as a SQL expression; `column(field)` gives a field's expression and `as_of`
    is compared with the date fields (a date for date columns, ISO text for JSON values)."""
    field, steps = DATED_STATES[kind]
    expr = column(field)
    for states, date_field, before in steps:
        expr = case(
            (and_(expr.in_(states), column(date_field) > as_of), literal(before)), else_=expr
        )
    return expr
