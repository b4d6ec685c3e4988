"""Plain data for report templates, from one snapshot (no ORM objects, no queries here)."""

from __future__ import annotations

from typing import Any

from ..gates import GateResult
from ..metrics import MetricValue
from ..plain import plain
from ..progress import DONE, OVERDUE, Progress
from ..snapshot import Snapshot
from ..spec import LoadedCampaign


def campaign_data(loaded: LoadedCampaign) -> dict[str, Any]:
    """The campaign, with the words its reports use: 阶段 (个) and 工作措施 for a staged one,
    工作线 (条) and 工作 for parallel tracks."""
    meta = loaded.spec.campaign
    staged = loaded.spec.staged
    windows = [s.window for s in loaded.spec.stages if s.window]
    return {
        "id": meta.id,
        "title": meta.title,
        "organisation": meta.organisation,
        "year": meta.year,
        "staged": staged,
        "stage_word": "阶段" if staged else "工作线",
        "stage_classifier": "个" if staged else "条",
        "measure_noun": "工作措施" if staged else "工作",
        "stage_count": len(loaded.spec.stages),
        "start": min(w[0] for w in windows) if windows else None,
        "end": max(w[1] for w in windows) if windows else None,
    }


def stage_label(name: str, staged: bool) -> str:
    """A phase's name with 阶段 (学习动员 -> 学习动员阶段; 整改提升阶段 stays), a track's as is."""
    if not staged or name.endswith(("阶段", "环节")):
        return name
    return f"{name}阶段"


def stage_data(loaded: LoadedCampaign, stage_id: str) -> dict[str, Any]:
    stages = loaded.spec.stages
    index = next(i for i, s in enumerate(stages) if s.id == stage_id)
    stage = stages[index]
    window = stage.window or (None, None)
    return {
        "id": stage.id,
        "name": stage.name,
        "label": stage_label(stage.name, loaded.spec.staged),
        "index": index + 1,
        "last": index == len(stages) - 1,
        "start": window[0],
        "end": window[1],
        "description": stage.description or "",
    }


def next_stage_data(loaded: LoadedCampaign, stage_id: str) -> dict[str, Any] | None:
    """The phase after `stage_id` with its measures (owners, due dates), for 下一步工作打算;
    None for the last phase and for tracks (which run side by side)."""
    stages = loaded.spec.stages
    index = next(i for i, s in enumerate(stages) if s.id == stage_id)
    if not loaded.spec.staged or index + 1 >= len(stages):
        return None
    following = stages[index + 1]
    units = {u.id: u.name for u in loaded.units}
    measures = [
        {
            "title": m.title,
            "owners": [units.get(o, o) for o in m.owners],
            "due": loaded.due.get(m.id),
            "unit_keys": sorted(u.id for u in loaded.owner_units(m)),
        }
        for m in loaded.spec.measures
        if m.phase == following.id
    ]
    return {**stage_data(loaded, following.id), "measures": measures}


def own_next_stage(following: dict[str, Any] | None, unit: str) -> dict[str, Any] | None:
    """The next phase with only the measures `unit` is an owner of (a branch's report)."""
    if following is None:
        return None
    mine = [m for m in following["measures"] if unit in m["unit_keys"]]
    return {**following, "measures": mine} if mine else None


def _target(loaded: LoadedCampaign, spec) -> dict[str, Any] | None:
    if spec is None or spec.target is None or spec.target.metric not in loaded.spec.metrics:
        return None
    metric = loaded.spec.metrics[spec.target.metric]
    return {
        "metric": spec.target.metric,
        "title": metric.title or spec.target.metric,
        "unit": metric.unit or "",
        "at_least": spec.target.at_least,
        "at_most": spec.target.at_most,
        "additive": metric.span is None,  # a longest span has no total over the owners
    }


def measure_figures(
    loaded: LoadedCampaign, form: str | None, metrics: dict[str, MetricValue] | None
) -> list[dict[str, Any]]:
    """The ungrouped counts and sums over the form a measure collects (集中研讨 4次, …)."""
    if not form or not metrics:
        return []
    out = []
    for metric_id, spec in loaded.spec.metrics.items():
        value = metrics.get(metric_id)
        if (
            value is None
            or spec.by
            or spec.rate is not None
            or spec.form != form
            or not isinstance(value.value, int | float)
        ):
            continue
        out.append(
            {"id": metric_id, "title": value.title, "value": value.value, "unit": value.unit or ""}
        )
    return out


def progress_data(
    loaded: LoadedCampaign, progress: Progress, metrics: dict[str, MetricValue] | None = None
) -> dict[str, Any]:
    """Progress by measure: its owners' states, done/total, the measure's own state, its
    target and the figures of the form it collects (from `metrics`)."""
    measures: dict[str, dict[str, Any]] = {}
    spec_measures = {m.id: m for m in loaded.spec.measures}
    for item in progress.items:
        spec = spec_measures.get(item.measure)
        m = measures.get(item.measure)
        if m is None:
            m = measures[item.measure] = {
                "id": item.measure,
                "title": item.title,
                "due": item.due,
                "units": [],
                "owners": [],
                "done": 0,
                "total": 0,
                "evidence_required": list(spec.evidence) if spec else [],
                "milestone": spec.milestone if spec else False,
                "target": _target(loaded, spec),
                "figures": measure_figures(loaded, spec.form if spec else None, metrics),
            }
        m["units"].append(
            {
                "name": item.unit_name,
                "state": item.state,
                "done_on": item.done_on,
                "evidence": item.evidence,
                "workdays_overdue": item.workdays_overdue,
                "measured": item.measured,
            }
        )
        m["owners"].append(item.unit_name)
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
        "units": len({i.unit for i in progress.items}),
        "measures": list(measures.values()),
        "overdue": plain(progress.overdue),
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


def stage_metric_ids(loaded: LoadedCampaign, stage_id: str) -> set[str] | None:
    """The metrics that are a track's own: over the forms its measures collect, its targets and
    its gates' minimums. None for a phase (a phase report shows the campaign's figures to date)."""
    if loaded.spec.staged:
        return None
    mine = [m for m in loaded.spec.measures if m.stage == stage_id]
    forms = {m.form for m in mine if m.form}
    ids = {m.target.metric for m in mine if m.target}
    return {k for k, metric in loaded.spec.metrics.items() if metric.form in forms or k in ids}


def _later_forms(loaded: LoadedCampaign, stage_id: str) -> set[str]:
    """Forms that only phases after `stage_id` collect."""
    ids = [s.id for s in loaded.spec.stages]
    upto = set(ids[: ids.index(stage_id) + 1])
    now = {m.form for m in loaded.spec.measures if m.form and m.phase in upto}
    return {m.form for m in loaded.spec.measures if m.form and m.phase not in upto} - now


def _shown(value: Any) -> bool:
    """A figure worth a row: not zero, not empty, not a breakdown of zeros."""
    if isinstance(value, dict):
        return any(_shown(v) for v in value.values())
    return value not in (None, 0, 0.0)


def phase_context(*, loaded: LoadedCampaign, snapshot: Snapshot) -> dict[str, Any]:
    """Everything a phase report template may use, from the run's snapshot."""
    from .prose import prose

    assert snapshot.stage is not None, "a phase report needs the snapshot of a phase"
    context = {
        **_common(loaded, snapshot),
        "stage": stage_data(loaded, snapshot.stage),
        "next_stage": next_stage_data(loaded, snapshot.stage),
        "progress": progress_data(loaded, snapshot.stage_progress, snapshot.metrics),
        "gate": gate_data(snapshot.gate),
        "exit_gate": gate_data(snapshot.exit_gate),
    }
    own = stage_metric_ids(loaded, snapshot.stage)
    if own is None:
        later = _later_forms(loaded, snapshot.stage)
        context["metric_info"] = {
            k: v
            for k, v in context["metric_info"].items()
            if loaded.spec.metrics[k].form not in later or _shown(context["m"].get(k))
        }  # a phase's table: no zeros yet of what only later phases collect
        context["prose"] = prose(context, "phase")
        return context
    # a track's report: its own figures, its ledger and activities only when it collects them
    context["metric_info"] = {k: v for k, v in context["metric_info"].items() if k in own}
    kinds = {
        loaded.spec.forms[m.form].kind
        for m in loaded.spec.measures
        if m.track == snapshot.stage and m.form in loaded.spec.forms
    }
    seen = dict(context)
    if not kinds & {"problem", "rectification"}:
        seen["ledger"] = {}
    if "activity" not in kinds:
        seen["activities"] = {}
    context["prose"] = prose(seen, "phase")
    return context


def final_context(
    *,
    loaded: LoadedCampaign,
    snapshot: Snapshot,
    narrative: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Everything the final report template may use: every stage's progress, metrics, ledger."""
    from .prose import prose

    metrics = snapshot.metrics
    stages = [
        {
            **stage_data(loaded, s.id),
            "progress": progress_data(loaded, snapshot.progress[s.id], metrics),
        }
        for s in loaded.spec.stages
    ]
    context = {
        **_common(loaded, snapshot),
        "stages": stages,
        "progress": progress_data(loaded, snapshot.overall, metrics),
        "narrative": narrative or {},
        "campaigns": snapshot.linked,
    }
    context["prose"] = prose(context, "final")
    return context
