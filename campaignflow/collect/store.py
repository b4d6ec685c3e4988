"""Upsert parsed rows as submissions (by natural key), with audit entries for changed rows, and
keep the kind-specific tables (problem, rectification, activity, feedback, ballot) in step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import db
from ..spec import LoadedCampaign, date_field
from .projections import project
from .rows import ParsedRow

STATUS_FIELDS = ("state", "status")


@dataclass(frozen=True)
class NewSubmission:
    """A submission inserted in bulk: what the projections need of it."""

    id: int
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
    ) -> None:
        self.session = session
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
        self.units = dict(
            session.execute(
                select(db.Unit.key, db.Unit.id).where(db.Unit.campaign_id == campaign.id)
            ).all()
        )
        self.people = dict(
            session.execute(
                select(db.Person.key, db.Person.id).where(db.Person.campaign_id == campaign.id)
            ).all()
        )
        self.fields = loaded.form_fields(form_id)
        self.date_field = date_field(loaded.spec.forms[form_id])
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

    def _columns(self, values: dict[str, Any]) -> dict[str, Any]:
        unit_key = next(
            (values[f] for f, spec in self.fields.items() if spec.type == "unit" and values.get(f)),
            None,
        )
        person_key = next(
            (
                values[f]
                for f, spec in self.fields.items()
                if spec.type == "person" and values.get(f)
            ),
            None,
        )
        on_date = values.get(self.date_field) if self.date_field else None
        status = next((values[f] for f in STATUS_FIELDS if values.get(f)), None)
        return {
            "unit_id": self.units.get(unit_key) if unit_key else None,
            "person_id": self.people.get(person_key) if person_key else None,
            "on_date": on_date,
            "status": status,
        }

    def write(self, batch: list[ParsedRow]) -> None:
        """Insert new rows, update changed ones (audit-logged), skip identical ones."""
        if not batch:
            return
        keys = [row.key for row in batch]
        existing = {
            s.natural_key: s
            for s in self.session.scalars(
                select(db.Submission).where(
                    db.Submission.form_id == self.form.id, db.Submission.natural_key.in_(keys)
                )
            )
        }
        touched: list[tuple[Any, dict[str, Any]]] = []
        new_rows: list[dict[str, Any]] = []
        new_values: list[dict[str, Any]] = []
        for row in batch:
            data = db.jsonable(row.values)
            current = existing.get(row.key)
            if current is None:
                new_rows.append(
                    {
                        "campaign_id": self.campaign.id,
                        "form_id": self.form.id,
                        "natural_key": row.key,
                        "data": data,
                        "archived": False,
                        "source_file": self.source,
                        "source_sheet": self.sheet,
                        "source_row": None if self.kind == "ballot" else row.row,  # anonymity
                        "created_at": self.now,
                        "updated_at": self.now,
                        **self._columns(row.values),
                    }
                )
                new_values.append(row.values)
                self._inserted += 1
                continue
            if current.data != data or current.archived:
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
                current.source_row = None if self.kind == "ballot" else row.row
                current.updated_at = self.now
                for name, value in self._columns(row.values).items():
                    setattr(current, name, value)
                self._updated += 1
            else:
                self._unchanged += 1
                continue
            touched.append((current, row.values))
        if new_rows:
            # multi-row INSERT … RETURNING (the ORM unit of work would insert and track every
            # object one by one); ids are matched back by natural key, unique within the form
            inserted = self.session.execute(
                insert(db.Submission).returning(db.Submission.id, db.Submission.natural_key),
                new_rows,
            ).all()
            ids = {key: id_ for id_, key in inserted}
            touched.extend(
                (NewSubmission(ids[row["natural_key"]], row["natural_key"]), values)
                for row, values in zip(new_rows, new_values, strict=True)
            )
        self.session.flush()
        project(
            session=self.session,
            kind=self.kind,
            form=self.form,
            campaign_id=self.campaign.id,
            rows=touched,
            units=self.units,
            people=self.people,
        )

    def finish(self) -> None:
        self.session.flush()
