"""Write a campaign spec into the database: idempotent, audited, all or nothing.

    loaded = campaignflow.spec.load("campaign_specs/bapo-bali-2023/campaign.yaml")
    result = sync_campaign(engine=engine, loaded=loaded)
    print(result.summary())          # 新增 40、更新 0、归档 0、未变 0

- Rows are matched by natural key (campaign id, unit id, measure id, …): running it twice
  changes nothing; an edited spec updates rows in place; every change goes to the audit log.
- What left the spec is archived, never deleted. A measure, form or assignment that already has
  data (progress, evidence, submissions) is not dropped silently: the sync is refused
  (`SyncRefused`) unless `archive=True`.
- The whole desired state is computed, and every refusal decided, before the first write; one
  transaction does all the writes. Concurrent syncs of the same campaign queue on a lock (SQLite
  BEGIN IMMEDIATE, PostgreSQL advisory lock), so they neither duplicate rows nor fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .db import (
    Assignment,
    Campaign,
    EvaluationRound,
    Form,
    Measure,
    Person,
    Stage,
    Submission,
    Unit,
    check_schema,
    jsonable,
    record_change,
    utcnow,
    write_session,
    writer_lock,
)

if TYPE_CHECKING:
    from .spec.models import Campaign as CampaignSpec
    from .spec.models import Measure as MeasureSpec
    from .spec.models import Person as PersonSpec
    from .spec.models import Unit as UnitSpec

ENTITIES = ("campaign", "unit", "person", "stage", "form", "measure", "assignment")
LABELS = {
    "campaign": "活动",
    "unit": "组织",
    "person": "人员",
    "stage": "阶段",
    "form": "表单",
    "measure": "措施",
    "assignment": "任务分派",
}
ATTEMPTS = 3


class CampaignSource(Protocol):
    """What sync needs of a loaded campaign (`campaignflow.spec.LoadedCampaign`)."""

    path: Path
    spec: CampaignSpec
    units: list[UnitSpec]
    people: list[PersonSpec]
    due: dict[str, dt.date | None]

    def owner_units(self, measure: MeasureSpec) -> list[UnitSpec]: ...


@dataclass
class Counts:
    """Rows inserted, updated, archived and left unchanged."""

    inserted: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.archived += other.archived
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class Change:
    """One row change, as written to the audit log (FK columns shown as natural keys)."""

    entity: str
    key: str
    action: str  # insert / update / restore / archive
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class SyncResult:
    """What a sync did, by entity, and the audited changes."""

    campaign: str
    counts: dict[str, Counts] = field(default_factory=lambda: {e: Counts() for e in ENTITIES})
    changes: list[Change] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total.add(counts)
        return total

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        """One line in Chinese, e.g. `新增 40、更新 2、归档 1、未变 37`."""
        t = self.total
        return f"新增 {t.inserted}、更新 {t.updated}、归档 {t.archived}、未变 {t.unchanged}"

    def details(self) -> list[str]:
        """Per-entity lines for the entities that changed, e.g. `措施：更新 1`."""
        lines = []
        for entity, c in self.counts.items():
            parts = [
                f"{label} {n}"
                for label, n in (("新增", c.inserted), ("更新", c.updated), ("归档", c.archived))
                if n
            ]
            if parts:
                lines.append(f"{LABELS[entity]}：{'、'.join(parts)}")
        return lines


class SyncError(Exception):
    """The spec cannot be written to the database; nothing was written."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__("\n".join([message, *(f"  - {p}" for p in self.problems)]))


class SyncRefused(SyncError):
    """The spec drops items that already have data, and `archive` was not given."""


# ---------------------------------------------------------------- the desired state (pure)


@dataclass
class _Row:
    values: dict[str, Any]
    refs: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # col -> (entity, key)


@dataclass
class _Desired:
    campaign: dict[str, Any]
    rows: dict[str, dict[Any, _Row]]  # entity -> natural key -> row
    unit_levels: list[list[str]]  # unit keys, parents before children
    digest: str


def desired_state(loaded: CampaignSource) -> _Desired:
    """The rows the spec asks for, computed without touching the database."""
    from .spec.kinds import effective_fields, natural_key

    spec = loaded.spec
    meta = spec.campaign
    campaign = {
        "key": meta.id,
        "title": meta.title,
        "organisation": meta.organisation,
        "year": meta.year,
        "timezone": meta.timezone,
        "staged": spec.staged,
        "description": meta.description,
    }
    units = {
        u.id: _Row(
            {"name": u.name, "kind": u.kind, "contact": u.contact, "sort_order": i},
            {"parent_id": ("unit", u.parent)},
        )
        for i, u in enumerate(loaded.units)
    }
    people = {
        p.id: _Row(
            {
                "name": p.name,
                "role": p.role,
                "cadre": p.cadre,
                "position": p.position,
                "birth_year": p.birth_year,
            },
            {"unit_id": ("unit", p.unit)},
        )
        for p in loaded.people
    }
    kind = "phase" if spec.staged else "track"
    stages = {
        s.id: _Row(
            {
                "kind": kind,
                "name": s.name,
                "sort_order": i,
                "starts_on": s.window[0] if s.window else None,
                "ends_on": s.window[1] if s.window else None,
                "entry": _dump(getattr(s, "entry", None)),
                "exit": _dump(getattr(s, "exit", None)),
                "description": s.description,
            }
        )
        for i, s in enumerate(spec.stages)
    }
    forms = {
        fid: _Row(
            {
                "kind": f.kind,
                "title": f.title,
                "of_form": f.of,
                "fields": {
                    name: ff.model_dump(mode="json", exclude_defaults=True)
                    for name, ff in effective_fields(f).items()
                },
                "natural_key": natural_key(f),
                "definition": f.model_dump(mode="json", exclude_unset=True),
            }
        )
        for fid, f in spec.forms.items()
    }
    measures: dict[Any, _Row] = {}
    assignments: dict[Any, _Row] = {}
    for i, m in enumerate(spec.measures):
        due = loaded.due.get(m.id)
        measures[m.id] = _Row(
            {
                "title": m.title,
                "sort_order": i,
                "owners": m.owners,
                "due_on": due,
                "due_rule": None if m.due is None else jsonable(m.due),
                "evidence": list(m.evidence),
                "form_key": m.form,
                "target": _dump(m.target),
                "checklist": list(m.checklist),
                "milestone": m.milestone,
                "description": m.description,
            },
            {"stage_id": ("stage", m.phase or m.track)},
        )
        for unit in loaded.owner_units(m):
            assignments[(m.id, unit.id)] = _Row(
                {"due_on": due}, {"measure_id": ("measure", m.id), "unit_id": ("unit", unit.id)}
            )
    rows = {
        "unit": units,
        "person": people,
        "stage": stages,
        "form": forms,
        "measure": measures,
        "assignment": assignments,
    }
    _check_refs(rows)
    digest = hashlib.sha256(
        json.dumps(
            jsonable({"campaign": campaign, **{e: _digestable(r) for e, r in rows.items()}}),
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    return _Desired(campaign, rows, _unit_levels(units), digest)


def _dump(model: Any) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json", exclude_unset=True)


def _digestable(rows: dict[Any, _Row]) -> list[Any]:
    return sorted(
        ([list(k) if isinstance(k, tuple) else k, r.values, r.refs] for k, r in rows.items()),
        key=lambda item: json.dumps(item[0]),
    )


def _check_refs(rows: dict[str, dict[Any, _Row]]) -> None:
    problems = [
        f"{LABELS[entity]} {_key_text(key)} 引用了不存在的{LABELS[target]} {ref}"
        for entity, by_key in rows.items()
        for key, row in by_key.items()
        for target, ref in row.refs.values()
        if ref is not None and ref not in rows[target]
    ]
    if problems:
        raise SyncError("活动方案中的引用无法解析，未写入任何数据：", problems)


def _unit_levels(units: dict[Any, _Row]) -> list[list[str]]:
    depth: dict[str, int] = {}
    for key in units:
        chain, current = [], key
        while current is not None and current not in depth:
            if current in chain:
                raise SyncError(f"组织层级出现循环：{' → '.join([*chain, current])}")
            chain.append(current)
            current = units[current].refs["parent_id"][1]
        base = -1 if current is None else depth[current]
        for offset, k in enumerate(reversed(chain), start=1):
            depth[k] = base + offset
    levels: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for key in units:  # spec order inside each level
        levels[depth[key]].append(key)
    return levels


def _key_text(key: Any) -> str:
    return "@".join(key) if isinstance(key, tuple) else str(key)


# ---------------------------------------------------------------- writing


def sync_campaign(
    *, engine: Engine, loaded: CampaignSource, archive: bool = False, actor: str = "campaignflow"
) -> SyncResult:
    """Write `loaded` into the database; see the module docstring for the rules.

    Raises `SchemaNotCurrent` if the database needs `db upgrade`, `SyncRefused` if the spec drops
    items with data and `archive` is False, `SyncError` for other spec problems. Nothing is
    written when it raises.
    """
    desired = desired_state(loaded)  # every spec-level problem surfaces before a connection
    check_schema(engine)
    for attempt in range(ATTEMPTS):
        try:
            with write_session(engine) as session:
                writer_lock(session=session, name=f"campaignflow.sync:{desired.campaign['key']}")
                return _Writer(session, desired, loaded, archive, actor).run()
        except (IntegrityError, OperationalError):
            # another writer won a race the lock does not cover: redo against its result
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


# Kept in step with the spec but not reported as changes: removing one measure renumbers the
# ones after it, and that is not news.
_QUIET = {"sort_order"}

_MODELS = {"unit": Unit, "person": Person, "stage": Stage, "form": Form, "measure": Measure}


class _Writer:
    """One sync inside one transaction."""

    def __init__(
        self, session: Session, desired: _Desired, loaded: CampaignSource, archive: bool, actor: str
    ) -> None:
        self.session, self.desired, self.loaded = session, desired, loaded
        self.archive, self.actor = archive, actor
        self.result = SyncResult(campaign=desired.campaign["key"])
        self.ids: dict[str, dict[Any, int]] = {e: {} for e in ENTITIES}
        self.keys: dict[str, dict[int, Any]] = {e: {} for e in ENTITIES}
        self.campaign: Campaign | None = None

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
        if self.result.changed or self.campaign.spec_digest != self.desired.digest:
            self.campaign.spec_digest = self.desired.digest
            self.campaign.spec_path = str(self.loaded.path)
            self.campaign.synced_at = utcnow()
        self.session.flush()
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
                problems.append(
                    f"措施 {measure_key} 不再由 {unit_key} 负责，但该单位已开始办理（状态 {row.state}）"
                )
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
                current = self._new(entity, key, values)
                self.session.add(current)
                new.append((key, current, values))
                continue
            changed = self._apply(current, values, restore=True)
            if changed:
                action = "restore" if changed[0].get("archived") else "update"
                self._audit(entity, key, action, *changed)
                counts.updated += 1
            else:
                counts.unchanged += 1
        self.session.flush()
        for key, current, values in new:
            self._remember(entity, key, current.id)
            self._audit(entity, key, "insert", None, values)
            counts.inserted += 1

    def _new(self, entity: str, key: Any, values: dict[str, Any]) -> Any:
        if entity == "assignment":
            return Assignment(**values, state="pending", evidence=[])
        return _MODELS[entity](campaign_id=self.campaign.id, key=key, **values)

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
        self.result.changes.append(Change(entity, _key_text(key), action, before, after))
        record_change(
            session=self.session,
            campaign_id=self.campaign.id if self.campaign else None,
            entity=entity,
            entity_key=_key_text(key),
            action=action,
            before=before,
            after=after,
            actor=self.actor,
        )

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
                value = None if value is None else _key_text(self.keys[target].get(value, value))
            out[column] = jsonable(value)
        return out
