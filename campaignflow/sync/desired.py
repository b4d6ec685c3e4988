"""The desired state of a sync: the rows a spec asks for, computed without the database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..db import jsonable
from .result import LABELS, CampaignSource, SyncError


@dataclass
class _Row:
    values: dict[str, Any]
    refs: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # col -> (entity, key)


@dataclass
class Desired:
    campaign: dict[str, Any]
    rows: dict[str, dict[Any, _Row]]  # entity -> natural key -> row
    unit_levels: list[list[str]]  # unit keys, parents before children
    digest: str


def desired_state(loaded: CampaignSource) -> Desired:
    """The rows the spec asks for, computed without touching the database."""
    from ..spec.kinds import effective_fields, natural_key

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
                "entry": _dump(s.entry),
                "exit": _dump(s.exit),
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
            {"stage_id": ("stage", m.stage)},
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
    return Desired(campaign, rows, _unit_levels(units), digest)


def _dump(model: Any) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json", exclude_unset=True)


def _digestable(rows: dict[Any, _Row]) -> list[Any]:
    return sorted(
        ([list(k) if isinstance(k, tuple) else k, r.values, r.refs] for k, r in rows.items()),
        key=lambda item: json.dumps(item[0]),
    )


def _check_refs(rows: dict[str, dict[Any, _Row]]) -> None:
    problems = [
        f"{LABELS[entity]} {key_text(key)} 引用了不存在的{LABELS[target]} {ref}"
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


def key_text(key: Any) -> str:
    return "@".join(key) if isinstance(key, tuple) else str(key)
