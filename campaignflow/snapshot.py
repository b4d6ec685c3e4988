"""One snapshot of a campaign as of a date: every figure of a run, computed once.

A phase run (or the final report) takes one `Snapshot`; its gate, its artifacts, its report's
text and its charts all read it, so no two of them can disagree. Each quantity has one
definition, where it is computed: progress (`progress`), metrics (`metrics`), the 对账
(`ledger.reconcile`), 民主测评 (`evaluation`), activities and cadence (`activities`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from .activities import ActivityCount, Cadence, PoliticalFiles
from .evaluation import RoundResult
from .gates import GateResult, check_exit, check_gate, signoffs
from .ledger import Reconciliation
from .metrics import MetricValue
from .progress import Progress, overall
from .spec import LoadedCampaign
from .unfiled import Unfiled, unfiled


@dataclass(frozen=True)
class Activities:
    """Activity counts (per unit, type and month), cadence shortfalls and 政治素质档案."""

    counts: list[ActivityCount]
    cadence: Cadence
    political: PoliticalFiles

    def by_month(self, start: dt.date | None = None, end: dt.date | None = None):
        """{"2023-01": {type: 次}} over every month from `start` to `end` (zeros included)."""
        found: dict[str, dict[str, int]] = {}
        for c in self.counts:
            month = found.setdefault(c.month, {})
            month[c.type] = month.get(c.type, 0) + c.times
        if start is None or end is None:
            return dict(sorted(found.items()))
        months, y, m = {}, start.year, start.month
        while (y, m) <= (end.year, end.month):
            key = f"{y}-{m:02d}"
            months[key] = found.get(key, {})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return months


@dataclass(frozen=True)
class Snapshot:
    """A campaign as of a date (see the module doc). `stage`: the phase of the run, or None."""

    campaign: str
    as_of: dt.date
    stage: str | None
    progress: dict[str, Progress]  # every stage, in the spec's order
    metrics: dict[str, MetricValue]
    ledger: Reconciliation
    evaluation: list[RoundResult]
    activities: Activities
    signoffs: dict[str, dict | None]
    gate: GateResult | None = None  # may the stage run (the stage before's exit, its entry)
    exit_gate: GateResult | None = None  # the stage's own exit conditions
    # the campaigns a final report reads (`reports.campaigns`), each as of the same date
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)
    unfiled: list[Unfiled] = field(default_factory=list)  # forms units have not filed yet
    timings: dict[str, float] = field(default_factory=dict)  # seconds per part, for bench/

    @property
    def overall(self) -> Progress:
        return overall(self.progress)

    @property
    def stage_progress(self) -> Progress:
        """The run's stage's progress (the whole campaign for a final report)."""
        return self.progress[self.stage] if self.stage else self.overall

    def metric_values(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.metrics.items()}


def take_snapshot(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    as_of: dt.date,
    stage: str | None = None,
    linked: bool = True,
) -> Snapshot:
    """Compute everything a run reports as of `as_of` (once); a final report's snapshot
    (`stage` None) also takes the campaigns it reads (`linked`)."""
    import time

    from . import activities, evaluation
    from .ledger import reconcile
    from .metrics import compute_metrics
    from .progress import progress_by_stage

    timings: dict[str, float] = {}

    def timed(name: str, fn, **kwargs):
        started = time.perf_counter()
        value = fn(engine=engine, loaded=loaded, as_of=as_of, **kwargs)
        timings[name] = round(time.perf_counter() - started, 3)
        return value

    progress = timed("progress", progress_by_stage)
    metrics = timed("metrics", compute_metrics)
    signed = timed("signoffs", signoffs)
    gate = exit_gate = None
    if stage is not None:
        gate = check_gate(
            loaded=loaded, stage=stage, progress=progress, signoffs=signed, metrics=metrics
        )
        exit_gate = check_exit(
            loaded=loaded, stage=stage, progress=progress, signoffs=signed, metrics=metrics
        )
    others = {}
    if stage is None and linked and loaded.spec.reports.campaigns:
        from .linked import linked_campaigns

        others = timed("linked", linked_campaigns)
    return Snapshot(
        campaign=loaded.spec.campaign.id,
        as_of=as_of,
        stage=stage,
        progress=progress,
        metrics=metrics,
        ledger=timed("ledger", reconcile),
        evaluation=timed("evaluation", evaluation.evaluate_all, store=False),
        activities=Activities(
            counts=timed("activities", activities.activity_counts),
            cadence=timed("cadence", activities.cadence),
            political=timed("political_files", activities.political_files),
        ),
        signoffs=signed,
        gate=gate,
        exit_gate=exit_gate,
        linked=others,
        unfiled=timed("unfiled", unfiled, stage=stage),
        timings=timings,
    )
