"""Fast multi-row INSERT for imports: one compiled statement, few driver calls.

The ORM's bulk INSERT (and Core's) process every parameter of every row through SQLAlchemy.
Here the statement is compiled once for the connection's dialect, the values that are the same
for every row (campaign, form, source file, timestamps, column defaults) are bound once, and only
the per-row values go through their type's bind processor. Rows go to the driver inside the
caller's transaction; nothing is RETURNed (callers that need the new ids look them up).

On SQLite the rows go as multi-row `INSERT … VALUES (…), (…)` statements of `ROWS_PER_STATEMENT`
rows, not one `executemany`: the driver releases the GIL around every `sqlite3_step`, which
`executemany` calls once per row, and a thread that gives the GIL up 100,000 times waits for it
100,000 times while another thread runs Python (an import's writer thread beside its reader: a
100,000-row insert took 675 s instead of 2 s). One step per 500 rows keeps the writer off that
convoy, and is faster by itself (1.4 s against 2.0 s for the same rows here).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

from sqlalchemy import Connection, Date, Table, bindparam

ROWS_PER_STATEMENT = 500
MAX_VARIABLES = 32766  # SQLite's default limit since 3.32 (a build may allow more, not less)


def _iso(value: Any) -> Any:
    try:
        return value.isoformat()  # date, datetime
    except AttributeError:
        raise TypeError(f"{type(value).__name__} is not JSON serializable") from None


# the same text as `db.jsonable` + the engine's serializer (dates as ISO strings, tuples as
# lists, Chinese unescaped), in one pass of the C encoder made once (json.dumps makes one a call)
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_iso)
_C_ENCODE = (
    c_make_encoder(None, _iso, encode_basestring, None, ": ", ", ", False, False, True)
    if c_make_encoder is not None
    else None
)


def json_text(value: Any) -> str:
    """`value` as the JSON text the engine's serializer would store for `jsonable(value)`."""
    if _C_ENCODE is None:  # pragma: no cover - CPython has the C encoder
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


# json.dumps(value, sort_keys=True, default=str, ensure_ascii=False): the text a row's content
# key is made of (`rows.row_key`), by one C encoder made once (json.dumps makes one a call)
_C_ENCODE_SORTED = (
    c_make_encoder(None, str, encode_basestring, None, ": ", ", ", True, False, True)
    if c_make_encoder is not None
    else None
)


def sorted_json_text(value: dict[str, Any]) -> str:
    """`json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)`, faster."""
    if _C_ENCODE_SORTED is None:  # pragma: no cover - CPython has the C encoder
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return "".join(_C_ENCODE_SORTED(value, 0))


class BulkInsert:
    """INSERT INTO `table` of rows given as tuples of the `variable` columns' values.

    `constant` columns get the same value in every row; columns with a Python-side default that
    are in neither get that default (evaluated once). `raw_json` names JSON columns whose values
    are already JSON text (see `json_text`): they are passed as they are.
    """

    def __init__(
        self,
        connection: Connection,
        table: Table,
        variable: Sequence[str],
        constant: dict[str, Any],
        raw_json: Iterable[str] = (),
    ) -> None:
        self.connection = connection
        dialect = connection.dialect
        constant = dict(constant)
        for column in table.columns:
            name = column.key
            if name in constant or name in variable or column.default is None:
                continue
            default = column.default
            if default.is_scalar:
                constant[name] = default.arg
            elif default.is_callable:
                constant[name] = default.arg(None)
        names = [*variable, *constant]
        statement = table.insert().values(
            {name: bindparam(name, type_=table.c[name].type) for name in names}
        )
        compiled = statement.compile(dialect=dialect, for_executemany=True)
        self.sql = compiled.string
        raw = set(raw_json)

        def processor(name: str) -> Callable[[Any], Any] | None:
            if name in raw:
                return None
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None and isinstance(table.c[name].type, Date):
                # SQLite stores dates as ISO text: the C method does the same, faster
                probes = (dt.date(2023, 3, 15), dt.date(999, 1, 2))
                if all(process(p) == p.isoformat() for p in probes):
                    return dt.date.isoformat
            return process

        order = list(compiled.positiontup or []) if dialect.positional else list(compiled.binds)
        missing = set(order) - set(names)
        if missing:  # pragma: no cover - every bound column is given or defaulted above
            raise ValueError(f"no value for {sorted(missing)} in INSERT INTO {table.name}")
        self._build = _row_builder(
            order,
            {name: i for i, name in enumerate(variable)},
            {name: processor(name) for name in names},
            constant,
            named=not dialect.positional,
        )
        # multi-row statements where the driver takes positional "?" marks (SQLite)
        self._multi = dialect.name == "sqlite" and dialect.paramstyle == "qmark"
        self._per_statement = max(1, min(ROWS_PER_STATEMENT, MAX_VARIABLES // max(len(order), 1)))
        self._statements: dict[int, str] = {}

    def execute(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert `rows` (tuples in the order of `variable`)."""
        if not rows:
            return
        if not self._multi:
            self.connection.exec_driver_sql(self.sql, list(map(self._build, rows)))
            return
        per, build = self._per_statement, self._build
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            params = tuple(chain.from_iterable(map(build, chunk)))
            self.connection.exec_driver_sql(self._statement(len(chunk)), params)

    def _statement(self, n: int) -> str:
        """The INSERT of `n` rows: the compiled statement's VALUES group `n` times."""
        sql = self._statements.get(n)
        if sql is None:
            head, values, group = self.sql.rpartition(" VALUES ")
            if not values:  # pragma: no cover - an INSERT compiles with its VALUES
                raise ValueError(f"no VALUES in {self.sql!r}")
            sql = self._statements[n] = f"{head} VALUES {', '.join([group] * n)}"
        return sql


def _row_builder(
    order: list[str],
    variable: dict[str, int],
    processors: dict[str, Callable[[Any], Any] | None],
    constant: dict[str, Any],
    *,
    named: bool,
) -> Callable[[tuple[Any, ...]], Any]:
    """A function from a row of variable values to the driver's parameters (a tuple in `order`,
    or a dict when `named`): variable values through their bind processors (None stays None),
    constants processed once. Generated, so that a row costs one call."""
    scope: dict[str, Any] = {}
    parts = []
    for n, name in enumerate(order):
        process = processors[name]
        if name in variable:
            value = f"r[{variable[name]}]"
            if process is not None:
                scope[f"p{n}"] = process
                value = f"(None if {value} is None else p{n}({value}))"
        else:
            given = constant[name]
            scope[f"c{n}"] = given if process is None or given is None else process(given)
            value = f"c{n}"
        parts.append(f"{name!r}: {value}" if named else value)
    joined = ", ".join(parts)
    body = f"{{{joined}}}" if named else f"({joined},)"
    return eval(f"lambda r: {body}", scope)  # noqa: S307 - built from column names above
