"""Plain data for report templates, gathered from the domain (no ORM objects leave here)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Engine

from ..gates import GateResult
from ..ledger import reconcile
from ..metrics import MetricValue, compute_metrics
from ..progress import Progress, stage_progress
from ..spec import LoadedCampaign


def _campaign(loaded: LoadedCampaign) -> dict[str, Any]:
    meta = loaded.spec.campaign
    return {
        "id": meta.id,
        "title": meta.title,
        "organisation": meta.organisation,
        "year": meta.year,
        "staged": loaded.spec.staged,
        "stage_word": "阶段" if loaded.spec.staged else "工作线",
    }


def _stage(loaded: LoadedCampaign, stage_id: str) -> dict[str, Any]:
    stage = next(s for s in loaded.spec.stages if s.id == stage_id)
    window = stage.window or (None, None)
    return {
        "id": stage.id,
        "name": stage.name,
        "start": window[0],
        "end": window[1],
        "description": stage.description or "",
    }


def _progress(loaded: LoadedCampaign, progress: Progress) -> dict[str, Any]:
    measures: dict[str, dict[str, Any]] = {}
    spec_measures = {m.id: m for m in loaded.spec.measures}
    for item in progress.items:
        m = measures.setdefault(
            item.measure,
            {
                "id": item.measure,
                "title": item.title,
                "due": item.due,
                "units": [],
                "done": 0,
                "total": 0,
                "evidence_required": list(spec_measures[item.measure].evidence)
                if item.measure in spec_measures
                else [],
                "milestone": spec_measures[item.measure].milestone
                if item.measure in spec_measures
                else False,
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
            "已完成"
            if m["done"] == m["total"]
            else ("逾期" if any(u["state"] == "逾期" for u in m["units"]) else "推进中")
        )
    return {
        "done": progress.done,
        "total": progress.total,
        "ratio": progress.ratio,
        "measures": list(measures.values()),
        "overdue": [dataclasses.asdict(i) for i in progress.overdue],
    }


def ledger_data(engine: Engine, loaded: LoadedCampaign, as_of: dt.date) -> dict[str, Any]:
    return reconcile(engine=engine, loaded=loaded, as_of=as_of).as_dict()


def domain_data(engine: Engine, loaded: LoadedCampaign, as_of: dt.date) -> dict[str, Any]:
    """民主测评 results and activity counts/cadence, as plain data for templates."""
    from .. import activities, evaluation

    return {
        "evaluation": evaluation.report_data(
            evaluation.evaluate_all(engine=engine, loaded=loaded, as_of=as_of, store=False)
        ),
        "activities": activities.report_data(engine=engine, loaded=loaded, as_of=as_of),
    }


def metric_values(metrics: dict[str, MetricValue]) -> dict[str, Any]:
    return {k: v.value for k, v in metrics.items()}


def metric_info(metrics: dict[str, MetricValue]) -> dict[str, Any]:
    return {k: {"title": v.title, "unit": v.unit or "", "kind": v.kind} for k, v in metrics.items()}


def phase_context(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    stage: str,
    as_of: dt.date,
    gate: GateResult | None = None,
    metrics: dict[str, MetricValue] | None = None,
) -> dict[str, Any]:
    """Everything a phase report template may use."""
    metrics = (
        metrics
        if metrics is not None
        else compute_metrics(engine=engine, loaded=loaded, as_of=as_of)
    )
    progress = stage_progress(engine=engine, loaded=loaded, stage=stage, as_of=as_of)
    return {
        "campaign": _campaign(loaded),
        "stage": _stage(loaded, stage),
        "as_of": as_of,
        "progress": _progress(loaded, progress),
        "m": metric_values(metrics),
        "metric_info": metric_info(metrics),
        "ledger": ledger_data(engine, loaded, as_of),
        **domain_data(engine, loaded, as_of),
        "gate": {
            "passed": gate.passed if gate else True,
            "checks": [
                {"name": n, "ok": ok, "detail": d} for n, ok, d in (gate.checks if gate else [])
            ],
        },
    }


def final_context(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    as_of: dt.date,
    narrative: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Everything the final report template may use: every stage's progress, metrics, ledger."""
    metrics = compute_metrics(engine=engine, loaded=loaded, as_of=as_of)
    stages = []
    for stage in loaded.spec.stages:
        progress = stage_progress(engine=engine, loaded=loaded, stage=stage.id, as_of=as_of)
        stages.append({**_stage(loaded, stage.id), "progress": _progress(loaded, progress)})
    overall = stage_progress(engine=engine, loaded=loaded, stage=None, as_of=as_of)
    return {
        "campaign": _campaign(loaded),
        "as_of": as_of,
        "stages": stages,
        "progress": _progress(loaded, overall),
        "m": metric_values(metrics),
        "metric_info": metric_info(metrics),
        "ledger": ledger_data(engine, loaded, as_of),
        **domain_data(engine, loaded, as_of),
        "narrative": narrative or {},
    }
