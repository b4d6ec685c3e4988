"""Upsert parsed rows as submissions (by natural key), with audit entries for changed rows, and
keep the kind-specific tables (problem, rectification, activity, feedback, ballot) in step."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from .. import db
from ..spec import LoadedCampaign, date_field
from .bulk import BulkInsert, json_text
from .projections import needs_ids, project
from .rows import ParsedRow

STATUS_FIELDS = ("state", "status")
TYPED_COLUMNS = ("unit_id", "person_id", "on_date", "status")  # see SubmissionWriter._columns
NEW_COLUMNS = ("natural_key", "data", "source_row", *TYPED_COLUMNS)  # per new row

_S = db.Submission
_BY_KEYS = (_S.form_id == bindparam("form_id")) & _S.natural_key.in_(
    bindparam("keys", expanding=True)
)
_KNOWN = select(_S.id, _S.natural_key, _S.data, _S.archived).where(_BY_KEYS)
_LAST_ID = select(func.max(_S.id))
_SINCE = select(_S.id, _S.natural_key, _S.form_id).where(_S.id > bindparam("after"))


@dataclass(frozen=True)
class NewSubmission:
    """A submission inserted in bulk: what the projections need of it (the id only when
    `projections.needs_ids` says so)."""

    id: int | None
    natural_key: str


class SubmissionWriter:
    """Writes batches of rows of one form inside the caller's transaction."""

    def __init__(
        self,
        *,
        session: Session,
        loaded: LoadedCampaign,
        form_id: str,
        source: str,
        sheet: str,
        actor: str,
        now: dt.datetime | None = None,
        background: bool = False,
    ) -> None:
        self.session = session
        # background: `write` hands the INSERTs to one worker thread (SQLite works without the
        # GIL, so reading the next batch overlaps them); the caller must `close()` the writer
        # before its transaction ends, also when failing
        self._executor = ThreadPoolExecutor(1, "import-writer") if background else None
        self._pending: Future[None] | None = None
        self.loaded = loaded
        self.source, self.sheet, self.actor = source, sheet, actor
        self.now = now or db.utcnow()
        campaign = session.scalar(
            select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id)
        )
        if campaign is None:
            from .reader import FileRefused

            raise FileRefused(
                f"活动 {loaded.spec.campaign.id} 尚未写入数据库：请先运行 campaignflow sync"
            )
        self.campaign = campaign
        self.form = session.scalar(
            select(db.Form).where(db.Form.campaign_id == campaign.id, db.Form.key == form_id)
        )
        if self.form is None:
            from .reader import FileRefused

            raise FileRefused(f"表单 {form_id} 尚未同步到数据库：请先运行 campaignflow sync")
        self.kind = self.form.kind
        connection = session.connection()  # Core: no ORM row processing for these maps
        self.units: dict[str, int] = dict(
            connection.execute(
                select(db.Unit.key, db.Unit.id).where(db.Unit.campaign_id == campaign.id)
            ).all()
        )
        self.people: dict[str, int] = dict(
            connection.execute(
                select(db.Person.key, db.Person.id).where(db.Person.campaign_id == campaign.id)
            ).all()
        )
        self.fields = loaded.form_fields(form_id)
        self.date_field = date_field(loaded.spec.forms[form_id])
        self._unit_fields = [f for f, spec in self.fields.items() if spec.type == "unit"]
        self._person_fields = [f for f, spec in self.fields.items() if spec.type == "person"]
        self._insert: BulkInsert | None = None
        # keys this writer inserted, while the form had no other submissions: rows of such a
        # form need no look-up unless a key comes again
        no_rows = session.scalar(select(_S.id).where(_S.form_id == self.form.id).limit(1)) is None
        self._written: set[str] | None = set() if no_rows else None
        self._inserted = self._updated = self._unchanged = 0
        self.problem_form: db.Form | None = None
        if self.kind == "rectification":
            self.problem_form = session.scalar(
                select(db.Form).where(
                    db.Form.campaign_id == campaign.id, db.Form.key == self.form.of_form
                )
            )

    def check(self, batch: list[ParsedRow]) -> list[tuple[ParsedRow, str, str]]:
        """Rows referring to what the database does not have: (row, field id, message).

        A rectification measure's 问题编号 must be in its problem form; a ballot's 被测评人 in the
        campaign's people. One query per batch.
        """
        found: list[tuple[ParsedRow, str, str]] = []
        if self.kind == "rectification":
            self._wait()  # the problems may be being written
            codes = {row.values["problem"] for row in batch}
            known = set(
                self.session.scalars(
                    select(db.Problem.code).where(
                        db.Problem.form_id == (self.problem_form.id if self.problem_form else -1),
                        db.Problem.code.in_(codes),
                    )
                )
            )
            title = self.problem_form.title if self.problem_form else (self.form.of_form or "")
            label = self.fields["problem"].label or "问题编号"
            for row in batch:
                code = row.values["problem"]
                if code not in known:
                    found.append(
                        (
                            row,
                            "problem",
                            f"{label} {code} 在{title}中不存在：请先导入{title}，或检查编号",
                        )
                    )
        elif self.kind == "ballot":
            for row in batch:
                subject = row.values.get("subject")
                if subject and subject not in self.people:
                    found.append(
                        (
                            row,
                            "subject",
                            f"被测评人“{subject}”不在人员名单中：请先在活动方案中登记人员",
                        )
                    )
        return found

    def counts(self) -> tuple[int, int, int]:
        return self._inserted, self._updated, self._unchanged

    def _columns(self, values: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
        """(unit_id, person_id, on_date, status) of a row: the submission's typed columns."""
        unit_key = person_key = status = None
        for f in self._unit_fields:
            unit_key = values.get(f)
            if unit_key:
                break
        for f in self._person_fields:
            person_key = values.get(f)
            if person_key:
                break
        for f in STATUS_FIELDS:
            status = values.get(f)
            if status:
                break
        return (
            self.units.get(unit_key) if unit_key else None,
            self.people.get(person_key) if person_key else None,
            values.get(self.date_field) if self.date_field else None,
            status or None,
        )

    def _inserter(self) -> BulkInsert:
        if self._insert is None:
            self._insert = BulkInsert(
                self.session.connection(),
                db.Submission.__table__,
                NEW_COLUMNS,
                {
                    "campaign_id": self.campaign.id,
                    "form_id": self.form.id,
                    "archived": False,
                    "source_file": self.source,
                    "source_sheet": self.sheet,
                    "created_at": self.now,
                    "updated_at": self.now,
                },
                raw_json=("data",),
            )
        return self._insert

    def write(self, batch: list[ParsedRow]) -> None:
        """Insert new rows, update changed ones (audit-logged), skip identical ones.

        With `background`, the new rows are inserted (and projected) by a worker thread while
        the caller goes on reading; the next call that needs the database waits for it."""
        if not batch:
            return
        keys = [row.key for row in batch]
        known: dict[str, tuple[int, Any, bool]] = {}
        if self._written is None or not self._written.isdisjoint(keys):
            self._wait()
            self.session.flush()  # Core query: no autoflush
            known = {
                key: (id_, data, archived)
                for id_, key, data, archived in self.session.connection().execute(
                    _KNOWN, {"form_id": self.form.id, "keys": keys}
                )
            }
        touched: list[tuple[Any, dict[str, Any]]] = []
        new_rows: list[tuple[Any, ...]] = []
        new_values: list[tuple[str, dict[str, Any]]] = []
        changed: list[tuple[ParsedRow, dict[str, Any]]] = []
        anonymous = self.kind == "ballot"  # a ballot's row number could tell who filled it
        columns = self._columns
        for row in batch:
            found = known.get(row.key) if known else None
            if found is None:
                new_rows.append(
                    (
                        row.key,
                        json_text(row.values),
                        None if anonymous else row.row,
                        *columns(row.values),
                    )
                )
                new_values.append((row.key, row.values))
                continue
            data = db.jsonable(row.values)
            if found[1] != data or found[2]:
                changed.append((row, data))
            else:
                self._unchanged += 1
        self._wait()
        if changed:
            touched.extend(self._update(changed, known))
        self._inserted += len(new_rows)
        if self._written is not None:
            self._written.update(key for key, _ in new_values)
        if self._executor is not None:
            self._pending = self._executor.submit(self._store, new_rows, new_values, touched)
        else:
            self._store(new_rows, new_values, touched)

    def _update(
        self, changed: list[tuple[ParsedRow, dict[str, Any]]], known: dict[str, tuple]
    ) -> list[tuple[Any, dict[str, Any]]]:
        """Set the changed rows' new values, each change audited."""
        S = db.Submission
        anonymous = self.kind == "ballot"
        current_by_id = {
            s.id: s
            for s in self.session.scalars(
                select(S).where(S.id.in_([known[row.key][0] for row, _ in changed]))
            )
        }
        touched = []
        for row, data in changed:
            current = current_by_id[known[row.key][0]]
            before = {k: v for k, v in current.data.items() if data.get(k) != v}
            after = {k: v for k, v in data.items() if current.data.get(k) != v}
            db.record_change(
                session=self.session,
                entity="submission",
                entity_key=f"{self.form.key}:{row.key}",
                action="update",
                before=before,
                after=after,
                actor=self.actor,
                campaign_id=self.campaign.id,
                at=self.now,
            )
            current.data = data
            current.archived = False
            current.source_file, current.source_sheet = self.source, self.sheet
            current.source_row = None if anonymous else row.row
            current.updated_at = self.now
            for name, value in zip(TYPED_COLUMNS, self._columns(row.values), strict=True):
                setattr(current, name, value)
            self._updated += 1
            touched.append((current, row.values))
        return touched

    def _store(
        self,
        new_rows: list[tuple[Any, ...]],
        new_values: list[tuple[str, dict[str, Any]]],
        touched: list[tuple[Any, dict[str, Any]]],
    ) -> None:
        """INSERT the new rows (one executemany), then keep the kind's table in step."""
        self.session.flush()
        if new_rows:
            connection = self.session.connection()
            after = connection.execute(_LAST_ID).scalar() or 0
            self._inserter().execute(new_rows)
            if needs_ids(self.kind):
                ids = self._new_ids(connection, after)
                touched.extend((NewSubmission(ids[key], key), values) for key, values in new_values)
            else:
                touched.extend((NewSubmission(None, key), values) for key, values in new_values)
        project(
            session=self.session,
            kind=self.kind,
            form=self.form,
            campaign_id=self.campaign.id,
            rows=touched,
            units=self.units,
            people=self.people,
        )

    def _wait(self) -> None:
        """Wait for the background write, if one is running (its error is raised here)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the background write and stop the worker (call before the transaction
        ends, also on errors: the worker uses the session)."""
        try:
            self._wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown()
                self._executor = None

    def _new_ids(self, connection: Any, after: int) -> dict[str, int]:
        """natural key -> id of the rows just inserted (nothing was RETURNed).

        They are the form's rows with an id above the largest before the INSERT (a range scan
        of the primary key; on PostgreSQL rows other writers committed meanwhile may be among
        them, but they cannot share our natural keys: the unique constraint would have refused
        ours)."""
        form_id = self.form.id
        return {
            key: id_
            for id_, key, form in connection.execute(_SINCE, {"after": after})
            if form == form_id
        }

    def finish(self) -> None:
        self.close()
        self.session.flush()
