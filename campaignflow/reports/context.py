"""Plain data for report templates, from one snapshot (no ORM objects, no queries here)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..gates import GateResult
from ..metrics import MetricValue
from ..progress import DONE, OVERDUE, Progress
from ..snapshot import Snapshot
from ..spec import LoadedCampaign


def campaign_data(loaded: LoadedCampaign) -> dict[str, Any]:
    meta = loaded.spec.campaign
    return {
        "id": meta.id,
        "title": meta.title,
        "organisation": meta.organisation,
        "year": meta.year,
        "staged": loaded.spec.staged,
        "stage_word": "阶段" if loaded.spec.staged else "工作线",
    }


def stage_data(loaded: LoadedCampaign, stage_id: str) -> dict[str, Any]:
    stage = next(s for s in loaded.spec.stages if s.id == stage_id)
    window = stage.window or (None, None)
    return {
        "id": stage.id,
        "name": stage.name,
        "start": window[0],
        "end": window[1],
        "description": stage.description or "",
    }


def progress_data(loaded: LoadedCampaign, progress: Progress) -> dict[str, Any]:
    """Progress by measure: its owners' states, done/total, and the measure's own state."""
    measures: dict[str, dict[str, Any]] = {}
    spec_measures = {m.id: m for m in loaded.spec.measures}
    for item in progress.items:
        spec = spec_measures.get(item.measure)
        m = measures.setdefault(
            item.measure,
            {
                "id": item.measure,
                "title": item.title,
                "due": item.due,
                "units": [],
                "done": 0,
                "total": 0,
                "evidence_required": list(spec.evidence) if spec else [],
                "milestone": spec.milestone if spec else False,
            },
        )
        m["units"].append(
            {
                "name": item.unit_name,
                "state": item.state,
                "done_on": item.done_on,
                "evidence": item.evidence,
            }
        )
        m["total"] += 1
        m["done"] += item.done
    for m in measures.values():
        m["state"] = (
            DONE
            if m["done"] == m["total"]
            else (OVERDUE if any(u["state"] == OVERDUE for u in m["units"]) else "推进中")
        )
    return {
        "done": progress.done,
        "total": progress.total,
        "ratio": progress.ratio,
        "measures": list(measures.values()),
        "overdue": [dataclasses.asdict(i) for i in progress.overdue],
    }


def metric_values(metrics: dict[str, MetricValue]) -> dict[str, Any]:
    return {k: v.value for k, v in metrics.items()}


def metric_info(metrics: dict[str, MetricValue]) -> dict[str, Any]:
    return {
        k: {"title": v.title, "unit": v.unit or "", "kind": v.kind, "definition": v.definition}
        for k, v in metrics.items()
    }


def gate_data(gate: GateResult | None) -> dict[str, Any]:
    return {
        "passed": gate.passed if gate else True,
        "checks": [
            {"name": n, "ok": ok, "detail": d} for n, ok, d in (gate.checks if gate else [])
        ],
    }


def _common(loaded: LoadedCampaign, snap: Snapshot) -> dict[str, Any]:
    from .. import activities, evaluation

    a = snap.activities
    return {
        "campaign": campaign_data(loaded),
        "as_of": snap.as_of,
        "m": metric_values(snap.metrics),
        "metric_info": metric_info(snap.metrics),
        "ledger": snap.ledger.as_dict(),
        "evaluation": evaluation.report_data(snap.evaluation),
        "activities": activities.report_data(a.counts, a.cadence, a.political),
    }


def phase_context(*, loaded: LoadedCampaign, snapshot: Snapshot) -> dict[str, Any]:
    """Everything a phase report template may use, from the run's snapshot."""
    assert snapshot.stage is not None, "a phase report needs the snapshot of a phase"
    return {
        **_common(loaded, snapshot),
        "stage": stage_data(loaded, snapshot.stage),
        "progress": progress_data(loaded, snapshot.stage_progress),
        "gate": gate_data(snapshot.gate),
        "exit_gate": gate_data(snapshot.exit_gate),
    }


def final_context(
    *,
    loaded: LoadedCampaign,
    snapshot: Snapshot,
    narrative: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Everything the final report template may use: every stage's progress, metrics, ledger."""
    stages = [
        {**stage_data(loaded, s.id), "progress": progress_data(loaded, snapshot.progress[s.id])}
        for s in loaded.spec.stages
    ]
    return {
        **_common(loaded, snapshot),
        "stages": stages,
        "progress": progress_data(loaded, snapshot.overall),
        "narrative": narrative or {},
    }
