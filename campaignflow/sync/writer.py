"""Writing a desired state inside one transaction: upserts, archiving, refusals, audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..db import (
    Assignment,
    AuditEntry,
    Campaign,
    EvaluationRound,
    Form,
    Measure,
    Person,
    Stage,
    Submission,
    Unit,
    jsonable,
    utcnow,
)
from .desired import Desired, key_text
from .result import ENTITIES, CampaignSource, Change, SyncRefused, SyncResult

# Kept in step with the spec but not reported as changes: removing one measure renumbers the
# ones after it, and that is not news.
_QUIET = {"sort_order"}

_MODELS = {"unit": Unit, "person": Person, "stage": Stage, "form": Form, "measure": Measure}


class Writer:
    """One sync inside one transaction."""

    def __init__(
        self, session: Session, desired: Desired, loaded: CampaignSource, archive: bool, actor: str
    ) -> None:
        self.session, self.desired, self.loaded = session, desired, loaded
        self.archive, self.actor = archive, actor
        self.result = SyncResult(campaign=desired.campaign["key"])
        self.ids: dict[str, dict[Any, int]] = {e: {} for e in ENTITIES}
        self.keys: dict[str, dict[int, Any]] = {e: {} for e in ENTITIES}
        self.campaign: Campaign | None = None
        self.audit_rows: list[dict[str, Any]] = []

    def run(self) -> SyncResult:
        key = self.desired.campaign["key"]
        self.campaign = self.session.scalars(select(Campaign).where(Campaign.key == key)).first()
        existing = self._existing()
        self._refuse_dropping_data(existing)  # decided before the first write
        self._write_campaign()
        for level in self.desired.unit_levels:
            self._upsert("unit", existing["unit"], level)
        for entity in ("person", "stage", "form", "measure", "assignment"):
            self._upsert(entity, existing[entity], list(self.desired.rows[entity]))
        for entity in ("assignment", "measure", "form", "stage", "person", "unit"):
            self._archive_missing(entity, existing[entity])
        from . import source_digest

        digest = source_digest(self.loaded)
        if (
            self.result.changed
            or self.campaign.spec_digest != self.desired.digest
            or self.campaign.source_digest != digest
            or self.campaign.spec_path != str(self.loaded.path)
        ):
            self.campaign.spec_digest = self.desired.digest
            self.campaign.source_digest = digest
            self.campaign.spec_path = str(self.loaded.path)
            self.campaign.synced_at = utcnow()
        self.session.flush()
        self._write_audit()
        return self.result

    # -- reading

    def _existing(self) -> dict[str, dict[Any, Any]]:
        found: dict[str, dict[Any, Any]] = {e: {} for e in ENTITIES if e != "campaign"}
        if self.campaign is None:
            return found
        cid = self.campaign.id
        for entity, model in _MODELS.items():
            for row in self.session.scalars(select(model).where(model.campaign_id == cid)):
                found[entity][row.key] = row
                self._remember(entity, row.key, row.id)
        query = (
            select(Assignment, Measure.key, Unit.key)
            .join(Measure, Assignment.measure_id == Measure.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Measure.campaign_id == cid)
        )
        for row, measure_key, unit_key in self.session.execute(query):
            found["assignment"][(measure_key, unit_key)] = row
            self._remember("assignment", (measure_key, unit_key), row.id)
        return found

    def _remember(self, entity: str, key: Any, id_: int) -> None:
        self.ids[entity][key] = id_
        self.keys[entity][id_] = key

    def _refuse_dropping_data(self, existing: dict[str, dict[Any, Any]]) -> None:
        """Refuse (unless archiving) to drop measures, forms and assignments that have data."""
        if self.archive or self.campaign is None:
            return
        rows = self.desired.rows
        gone = {
            e: {k: r for k, r in existing[e].items() if k not in rows[e] and not r.archived}
            for e in ("measure", "form", "assignment")
        }
        problems = []
        submissions = self._count(Submission.measure_id, [r.id for r in gone["measure"].values()])
        for key, row in gone["measure"].items():
            started = sum(
                1 for (m, _), a in existing["assignment"].items() if m == key and a.has_progress
            )
            filled = submissions.get(row.id, 0)
            if started or filled:
                what = [
                    f"{started} 个单位已办理" if started else "",
                    f"{filled} 条填报" if filled else "",
                ]
                problems.append(
                    f"措施 {key}（{row.title}）已有数据：{'、'.join(filter(None, what))}"
                )
        form_ids = [r.id for r in gone["form"].values()]
        filled = self._count(Submission.form_id, form_ids)
        rounds = self._count(EvaluationRound.form_id, form_ids)
        for key, row in gone["form"].items():
            if filled.get(row.id) or rounds.get(row.id):
                problems.append(
                    f"表单 {key}（{row.title}）已有数据：{filled.get(row.id, 0)} 条填报"
                    + (f"、{rounds[row.id]} 轮测评" if rounds.get(row.id) else "")
                )
        for (measure_key, unit_key), row in gone["assignment"].items():
            if measure_key not in gone["measure"] and row.has_progress:
                done = f"{row.reported_on} 报告完成" if row.reported_on else "已提交佐证材料"
                problems.append(f"措施 {measure_key} 不再由 {unit_key} 负责，但该单位已{done}")
        if problems:
            raise SyncRefused(
                f"{self.loaded.path}: 方案删除了已有数据的项目，未写入任何更改。"
                "如确需删除，请加 --archive（归档保留数据，不会删除）：",
                problems,
            )

    def _count(self, column: Any, ids: list[int]) -> dict[int, int]:
        if not ids:
            return {}
        query = select(column, func.count()).where(column.in_(ids)).group_by(column)
        return {id_: n for id_, n in self.session.execute(query)}

    # -- writing

    def _write_campaign(self) -> None:
        values = self.desired.campaign
        counts = self.result.counts["campaign"]
        if self.campaign is None:
            self.campaign = Campaign(
                **values,
                spec_path=str(self.loaded.path),
                spec_digest=self.desired.digest,
                synced_at=utcnow(),
            )
            self.session.add(self.campaign)
            self.session.flush()
            self._audit("campaign", values["key"], "insert", None, values)
            counts.inserted += 1
            return
        changed = self._apply(self.campaign, values)
        if changed:
            before, after = changed
            self._audit("campaign", values["key"], "update", before, after)
            counts.updated += 1
        else:
            counts.unchanged += 1

    def _upsert(self, entity: str, existing: dict[Any, Any], keys: list[Any]) -> None:
        counts, new = self.result.counts[entity], []
        for key in keys:
            row = self.desired.rows[entity][key]
            values = dict(row.values)
            for column, (target, ref) in row.refs.items():
                values[column] = None if ref is None else self.ids[target][ref]
            current = existing.get(key)
            if current is None:
                new.append((key, values))
                continue
            changed = self._apply(current, values, restore=True)
            if changed:
                action = "restore" if changed[0].get("archived") else "update"
                self._audit(entity, key, action, *changed)
                counts.updated += 1
            else:
                counts.unchanged += 1
        if not new:
            return
        for (key, values), id_ in zip(new, self._insert(entity, new), strict=True):
            self._remember(entity, key, id_)
            self._audit(entity, key, "insert", None, values)
            counts.inserted += 1

    def _insert(self, entity: str, new: list[tuple[Any, dict[str, Any]]]) -> list[int]:
        """Insert new rows in one executemany (a first sync writes tens of thousands of people);
        their ids, in the same order."""
        cid = self.campaign.id
        if entity == "assignment":
            table = Assignment.__table__
            rows = [{**values, "evidence": []} for _, values in new]
            self.session.execute(insert(table), rows)
            ids = {
                (m, u): id_
                for id_, m, u in self.session.execute(
                    select(table.c.id, table.c.measure_id, table.c.unit_id)
                    .join(Measure, Measure.id == table.c.measure_id)
                    .where(Measure.campaign_id == cid)
                )
            }
            return [ids[(values["measure_id"], values["unit_id"])] for _, values in new]
        table = _MODELS[entity].__table__
        self.session.execute(
            insert(table), [{"campaign_id": cid, "key": key, **values} for key, values in new]
        )
        query = select(table.c.key, table.c.id).where(table.c.campaign_id == cid)
        ids = {key: id_ for key, id_ in self.session.execute(query)}
        return [ids[key] for key, _ in new]

    def _apply(self, row: Any, values: dict[str, Any], restore: bool = False) -> Any:
        """Set changed columns on `row`; return (before, after) of what changed, or None."""
        before, after = {}, {}
        for column, value in values.items():
            old = getattr(row, column)
            if old != value:
                setattr(row, column, value)
                if column not in _QUIET:
                    before[column], after[column] = old, value
        if restore and row.archived:
            before["archived"], after["archived"] = True, False
            row.archived = False
        return (before, after) if after else None

    def _archive_missing(self, entity: str, existing: dict[Any, Any]) -> None:
        wanted = self.desired.rows[entity]
        for key, row in existing.items():
            if key not in wanted and not row.archived:
                row.archived = True
                self._audit(entity, key, "archive", {"archived": False}, {"archived": True})
                self.result.counts[entity].archived += 1

    def _audit(
        self, entity: str, key: Any, action: str, before: dict | None, after: dict | None
    ) -> None:
        before, after = self._readable(before), self._readable(after)
        self.result.changes.append(Change(entity, key_text(key), action, before, after))
        self.audit_rows.append(
            {
                "campaign_id": self.campaign.id if self.campaign else None,
                "entity": entity,
                "entity_key": key_text(key),
                "action": action,
                "before": before,
                "after": after,
                "at": utcnow(),
                "actor": self.actor,
            }
        )

    def _write_audit(self) -> None:
        """One audit-log row per change (what `record_change` writes), in one executemany."""
        if self.audit_rows:
            self.session.execute(insert(AuditEntry.__table__), self.audit_rows)
            self.audit_rows = []

    _REFS = {"parent_id": "unit", "unit_id": "unit", "stage_id": "stage", "measure_id": "measure"}

    def _readable(self, values: dict[str, Any] | None) -> dict[str, Any] | None:
        """JSON-ready values, FK ids replaced by natural keys (`parent_id: 7` → `parent: b1`)."""
        if values is None:
            return None
        out = {}
        for column, value in values.items():
            target = self._REFS.get(column)
            if target is not None:
                column = column.removesuffix("_id")
                value = None if value is None else key_text(self.keys[target].get(value, value))
            out[column] = jsonable(value)
        return out
