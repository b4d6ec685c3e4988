"""Write one filing (填报): upsert its rows by natural key, audit the changed ones, keep the
kind-specific tables (problem, rectification, activity, feedback, ballot) in step, and — for a
replacing filing — withdraw the rows of its scope it does not carry (see `lifecycle`).

The scope of a filing is who sent it: the 填报单位 given for the file, else the units its rows
name (rows naming no unit: the form's rows of no unit)."""

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
from .indexes import set_aside_for
from .lifecycle import MODE_LABELS, Withdrawn, scope_text, withdraw_rows
from .projections import needs_ids, project, tables_of
from .rows import ParsedRow

STATUS_FIELDS = ("state", "status")
# see SubmissionWriter._columns
TYPED_COLUMNS = ("unit_id", "person_id", "on_date", "status", "scope_unit_id")
NEW_COLUMNS = ("natural_key", "data", "source_row", *TYPED_COLUMNS)  # per new row
MODES = ("replace", "append")

_S = db.Submission
_BY_KEYS = (_S.form_id == bindparam("form_id")) & _S.natural_key.in_(
    bindparam("keys", expanding=True)
)
_KNOWN = select(_S.id, _S.natural_key, _S.data, _S.archived, _S.scope_unit_id).where(_BY_KEYS)
_LAST_ID = select(func.max(_S.id))
_SINCE = select(_S.id, _S.natural_key, _S.form_id).where(_S.id > bindparam("after"))


@dataclass(frozen=True)
class NewSubmission:
    """A submission inserted in bulk: what the projections need of it (the id only when
    `projections.needs_ids` says so)."""

    id: int | None
    natural_key: str


class SubmissionWriter:
    """Writes one filing of one form, in batches, inside the caller's transaction.

    `mode` "replace" (the filing is its scope's whole data: what it leaves out is withdrawn at
    `finish`) or "append" (adds and updates only); `unit` the 填报单位 (a unit key), when the
    file is one unit's; `channel` how it came (文件导入, 收件箱, 界面录入, 问卷星).
    """

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
        mode: str = "append",
        channel: str = "文件导入",
        unit: str | None = None,
        incoming: int | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown filing mode {mode!r}")
        self.session = session
        # background: `write` hands the INSERTs to one worker thread (SQLite works without the
        # GIL, so reading the next batch overlaps them); the caller must `close()` the writer
        # before its transaction ends, also when failing
        self._executor = ThreadPoolExecutor(1, "import-writer") if background else None
        self._pending: Future[None] | None = None
        self.loaded = loaded
        self.source, self.sheet, self.actor = source, sheet, actor
        self.now = now or db.utcnow()
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        self.campaign = campaign
        self.form = session.scalar(
            select(db.Form).where(db.Form.campaign_id == campaign.id, db.Form.key == form_id)
        )
        if self.form is None:
            from .reader import FileRefused

            raise FileRefused(f"表单 {form_id} 尚未同步到数据库：请先运行 campaignflow sync")
        self.kind = self.form.kind
        connection = session.connection()  # Core: no ORM row processing for these maps
        self.units: dict[str, int] = db.key_map(connection, db.Unit.key, db.Unit.id, campaign.id)
        self.people: dict[str, int] = db.key_map(
            connection, db.Person.key, db.Person.id, campaign.id
        )
        self.mode = mode
        self.unit_key = unit
        if unit is not None and unit not in self.units:
            from .reader import FileRefused

            raise FileRefused(f"填报单位 {unit} 不在活动的组织中：请写单位编号或名称（见 units）")
        self.scope_unit = self.units[unit] if unit is not None else None
        self._within = set(loaded.subtree(unit)) if unit is not None else None
        self.scopes: set[int | None] = set()
        self.carried: set[str] = set()  # every key the filing carries
        self.recorded = True  # False when it changed nothing (and left no filing row)
        self.withdrawn = Withdrawn()
        self.filing = db.Filing(
            campaign_id=campaign.id,
            form_id=self.form.id,
            mode=mode,
            channel=channel,
            source=source,
            scope=None,
            actor=actor,
            at=self.now,
        )
        session.add(self.filing)
        session.flush()
        self.fields = loaded.form_fields(form_id)
        self.date_field = date_field(loaded.spec.forms[form_id])
        self._unit_fields = [f for f, spec in self.fields.items() if spec.type == "unit"]
        self._person_fields = [f for f, spec in self.fields.items() if spec.type == "person"]
        self._insert: BulkInsert | None = None
        # keys this writer inserted, while the form had no other submissions: rows of such a
        # form need no look-up unless a key comes again
        no_rows = session.scalar(select(_S.id).where(_S.form_id == self.form.id).limit(1)) is None
        self._written: set[str] | None = set() if no_rows else None
        self._form_was_empty = no_rows  # then a replacing filing has nothing to withdraw
        self._inserted = self._updated = self._unchanged = 0
        self.warnings: list[str] = []
        self.problem_form: db.Form | None = None
        self._problems: dict[str, tuple[int, Any]] = {}  # see _problems_of
        tables = [_S.__tablename__, *tables_of(self.kind)]
        self._deferred = set_aside_for(connection, tables, incoming)  # rebuilt in finish()
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
        if self._within is not None:
            for row in batch:
                for f in self._unit_fields:
                    value = row.values.get(f)
                    if value and value not in self._within:
                        label = self.fields[f].label or f
                        found.append(
                            (
                                row,
                                f,
                                f"{label}“{self._unit_name(value)}”不属于填报单位"
                                f"“{self._unit_name(self.unit_key)}”：本文件只能填报本单位"
                                "（及其下级组织）的记录",
                            )
                        )
                        break
        if self.kind == "rectification":
            known = self._problems_of(batch)
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

    def _problems_of(self, batch: list[ParsedRow]) -> dict[str, tuple[int, Any]]:
        """The batch's problems, by 问题编号: (problem id, 发现日期), for those that exist. Read
        once per batch (the measures' check, their dates and their projection use them); only
        the batch's are kept (a province's measures name 200,000 problems)."""
        codes = {row.values["problem"] for row in batch}
        missing = codes.difference(self._problems)
        if missing:
            self._wait()  # the worker thread is using the connection
            kept = {code: self._problems[code] for code in codes if code in self._problems}
            kept.update(
                (code, (id_, found_on))
                for code, id_, found_on in self.session.execute(
                    select(db.Problem.code, db.Problem.id, db.Problem.found_on).where(
                        db.Problem.form_id == (self.problem_form.id if self.problem_form else -1),
                        db.Problem.code.in_(missing),
                    )
                )
            )
            self._problems = kept
        return {code: self._problems[code] for code in codes if code in self._problems}

    def counts(self) -> tuple[int, int, int]:
        return self._inserted, self._updated, self._unchanged

    def _unit_name(self, key: str | None) -> str:
        unit = next((u for u in self.loaded.units if u.id == key), None)
        return unit.name if unit else str(key)

    def _columns(self, values: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
        """(unit_id, person_id, on_date, status, scope_unit_id) of a row: the submission's typed
        columns. A row naming no unit belongs to the 填报单位, when there is one."""
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
        unit_id = self.units.get(unit_key) if unit_key else self.scope_unit
        on_date = values.get(self.date_field) if self.date_field else None
        if self.kind == "rectification":  # a measure dates from its problem's 发现日期
            problem = self._problems.get(values.get("problem"))
            if problem is not None and problem[1] is not None:
                on_date = problem[1]
        return (
            unit_id,
            self.people.get(person_key) if person_key else None,
            on_date,
            status or None,
            self.scope_unit if self.scope_unit is not None else unit_id,
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
                    "withdrawn_by_id": None,
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
        known: dict[str, tuple[int, Any, bool, int | None]] = {}
        if self._written is None or not self._written.isdisjoint(keys):
            self._wait()
            self.session.flush()  # Core query: no autoflush
            known = {
                key: (id_, data, archived, scope)
                for id_, key, data, archived, scope in self.session.connection().execute(
                    _KNOWN, {"form_id": self.form.id, "keys": keys}
                )
            }
        problems = self._problems_of(batch) if self.kind == "rectification" else None
        touched: list[tuple[Any, dict[str, Any]]] = []
        new_rows: list[tuple[Any, ...]] = []
        new_values: list[tuple[str, dict[str, Any]]] = []
        changed: list[tuple[ParsedRow, dict[str, Any]]] = []
        anonymous = self.kind == "ballot"  # a ballot's row number could tell who filled it
        columns = self._columns
        scopes = self.scopes
        self.carried.update(keys)
        for row in batch:
            found = known.get(row.key) if known else None
            if found is None:
                typed = columns(row.values)
                scopes.add(typed[-1])
                new_rows.append(
                    (row.key, json_text(row.values), None if anonymous else row.row, *typed)
                )
                new_values.append((row.key, row.values))
                continue
            data = db.jsonable(row.values)
            scope = columns(row.values)[-1]
            if found[1] != data or found[2] or found[3] != scope:
                changed.append((row, data))
            else:
                scopes.add(scope)
                self._unchanged += 1
        self._wait()
        if changed:
            touched.extend(self._update(changed, known))
        self._inserted += len(new_rows)
        if self._written is not None:
            self._written.update(key for key, _ in new_values)
        if self._executor is not None:
            self._pending = self._executor.submit(
                self._store, new_rows, new_values, touched, problems
            )
        else:
            self._store(new_rows, new_values, touched, problems)

    def _update(
        self, changed: list[tuple[ParsedRow, dict[str, Any]]], known: dict[str, tuple]
    ) -> list[tuple[Any, dict[str, Any]]]:
        """Set the changed rows' new values, each change audited; a withdrawn row sent again is
        active again (counted as new)."""
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
            revived = current.archived
            before = {k: v for k, v in current.data.items() if data.get(k) != v}
            after = {k: v for k, v in data.items() if current.data.get(k) != v}
            if revived:
                before["撤回"], after["撤回"] = True, False
            self._warn_reopened(row, current.data, data)
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
            current.archived, current.withdrawn_by_id = False, None
            current.source_file, current.source_sheet = self.source, self.sheet
            current.source_row = None if anonymous else row.row
            current.updated_at = self.now
            typed = self._columns(row.values)
            self.scopes.add(typed[-1])
            for name, value in zip(TYPED_COLUMNS, typed, strict=True):
                setattr(current, name, value)
            if revived:
                self._inserted += 1
            else:
                self._updated += 1
            touched.append((current, row.values))
        return touched

    def _warn_reopened(self, row: ParsedRow, old: dict[str, Any], new: dict[str, Any]) -> None:
        """A sheet that sets a 销号 measure back to open overrides the ledger: say so."""
        if self.kind != "rectification":
            return
        from ..ledger.states import CLOSED_STATES

        if old.get("state") in CLOSED_STATES and new.get("state") not in CLOSED_STATES:
            self.warnings.append(
                f"第 {row.row} 行 {row.key}：状态由“{old.get('state')}”改为“{new.get('state')}”"
                f"（原销号日期 {old.get('closed_on') or '未填'}、审核人 {old.get('reviewer') or '未填'}）"
            )

    def _store(
        self,
        new_rows: list[tuple[Any, ...]],
        new_values: list[tuple[str, dict[str, Any]]],
        touched: list[tuple[Any, dict[str, Any]]],
        problems: dict[str, tuple[int, Any]] | None,
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
            problems=problems,
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
        """Finish the filing: for a replacing one, withdraw what its scope holds and it did not
        carry; record the filing's scope and counts."""
        self.close()
        self.session.flush()
        if self._deferred is not None:
            self._deferred.rebuild()
        scope: list[int | None] | None = sorted(self.scopes, key=lambda s: (s is None, s or 0))
        if self.scope_unit is not None:
            scope = [self.scope_unit]
        if self.mode == "replace" and scope and not self._form_was_empty:
            self.withdrawn = withdraw_rows(
                self.session,
                form=self.form,
                filing=self.filing,
                scope=scope,
                keep=self.carried,
                actor=self.actor,
                now=self.now,
            )
        keys = {id_: key for key, id_ in self.units.items()}
        filing = self.filing
        filing.scope = [keys.get(s) if s is not None else None for s in scope or []]
        filing.inserted, filing.updated, filing.unchanged = self.counts()
        filing.rows = sum(self.counts())
        filing.withdrawn = self.withdrawn.own(self.form.key)
        if not (self._inserted or self._updated or self.withdrawn.by_form):
            self.session.delete(filing)  # changed nothing: no history entry (idempotent)
            self.recorded = False
        self.session.flush()

    def summary(self) -> str:
        """`替换 局机关党支部 的 支委会 记录：新增 0、更新 2、撤回 1`."""
        names = {u.id: u.name for u in self.loaded.units}
        who = scope_text(
            [names.get(s, s) if s else "（未填单位）" for s in self.filing.scope or []]
        )
        label = MODE_LABELS[self.mode]
        text = (
            f"{label} {who} 的 {self.form.title} 记录：新增 {self._inserted}、"
            f"更新 {self._updated}、未变 {self._unchanged}"
        )
        if self.mode == "replace":
            text += f"、撤回 {self.withdrawn.own(self.form.key)}"
        cascaded = self.withdrawn.cascaded(self.form.key)
        if cascaded:
            text += "（连带撤回 " + "、".join(f"{k} {n} 条" for k, n in cascaded.items()) + "）"
        return text
