"""Phase gates: the entry criteria of a phase and the exit criteria of the one before it.

A gate can require every measure of the phase done, a sign-off by a named role (recorded in the
audit log by `sign_off`, from the CLI or the Prefect UI), and metric minimums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from . import db
from .metrics import MetricValue
from .progress import stage_progress
from .spec import LoadedCampaign
from .spec.models import Gate


@dataclass
class GateResult:
    """Whether a phase may run as of a date, and why not."""

    stage: str
    passed: bool
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (criterion, ok, detail)

    @property
    def reasons(self) -> list[str]:
        return [f"{name}：{detail}" for name, ok, detail in self.checks if not ok]


class GateError(ValueError):
    """A sign-off for an unknown phase, or similar user mistakes."""


def sign_off(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    stage: str,
    by: str,
    remarks: str,
    on: dt.date,
    actor: str,
) -> None:
    """Record that `by` (e.g. 支部书记) signed the phase off on `on`."""
    if stage not in {s.id for s in loaded.spec.stages}:
        raise GateError(f"没有阶段 {stage}（可选：{'、'.join(s.id for s in loaded.spec.stages)}）")
    with db.write_session(engine) as session:
        campaign = session.scalar(
            select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id)
        )
        if campaign is None:
            raise GateError("活动尚未写入数据库：请先运行 campaignflow sync")
        db.record_change(
            session=session,
            entity="stage",
            entity_key=f"{loaded.spec.campaign.id}:{stage}",
            action="sign_off",
            before=None,
            after={"by": by, "remarks": remarks, "on": on.isoformat()},
            actor=actor,
            campaign_id=campaign.id,
        )


def record_declined(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    stage: str,
    by: str,
    reason: str,
    on: dt.date,
    actor: str,
) -> None:
    """Record that a sign-off was refused or never given (timeout): the gate stays closed."""
    with db.write_session(engine) as session:
        campaign = session.scalar(
            select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id)
        )
        db.record_change(
            session=session,
            entity="stage",
            entity_key=f"{loaded.spec.campaign.id}:{stage}",
            action="sign_off_declined",
            before=None,
            after={"by": by, "reason": reason, "on": on.isoformat()},
            actor=actor,
            campaign_id=campaign.id if campaign else None,
        )


def signed_off(
    *, engine: Engine, loaded: LoadedCampaign, stage: str, as_of: dt.date
) -> dict | None:
    """The latest sign-off of a phase dated on or before `as_of`."""
    with db.read_session(engine) as session:
        entries = session.scalars(
            select(db.AuditEntry)
            .where(
                db.AuditEntry.entity == "stage",
                db.AuditEntry.entity_key == f"{loaded.spec.campaign.id}:{stage}",
                db.AuditEntry.action == "sign_off",
            )
            .order_by(db.AuditEntry.at.desc())
        ).all()
    for entry in entries:
        if entry.after and dt.date.fromisoformat(entry.after["on"]) <= as_of:
            return entry.after
    return None


def _check(
    engine, loaded, stage_id: str, gate: Gate, as_of, metrics, label: str
) -> list[tuple[str, bool, str]]:
    checks = []
    if gate.all_measures_done:
        progress = stage_progress(engine=engine, loaded=loaded, stage=stage_id, as_of=as_of)
        open_items = [f"{i.title}（{i.unit_name}）" for i in progress.items if not i.done]
        detail = f"{progress.done}/{progress.total} 项已完成"
        if open_items:
            detail += (
                "，未完成：" + "、".join(open_items[:5]) + ("……" if len(open_items) > 5 else "")
            )
        checks.append((f"{label}：措施全部完成", not open_items, detail))
    if gate.sign_off:
        record = signed_off(engine=engine, loaded=loaded, stage=stage_id, as_of=as_of)
        detail = f"{record['by']} 于 {record['on']} 签批" if record else f"待{gate.sign_off}签批"
        checks.append((f"{label}：{gate.sign_off}签批", record is not None, detail))
    for metric_id, minimum in gate.metrics.items():
        value = metrics.get(metric_id)
        number = value.value if value else None
        ok = isinstance(number, int | float) and number >= minimum
        title = value.title if value else metric_id
        checks.append((f"{label}：{title} ≥ {minimum}", ok, f"当前 {number}"))
    return checks


def check_gate(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    stage: str,
    as_of: dt.date,
    metrics: dict[str, MetricValue],
) -> GateResult:
    """Entry criteria of `stage` and exit criteria of the phase before it (staged campaigns)."""
    stages = loaded.spec.stages
    index = next(i for i, s in enumerate(stages) if s.id == stage)
    checks: list[tuple[str, bool, str]] = []
    if loaded.spec.staged and index > 0:
        previous = stages[index - 1]
        if previous.exit:
            checks += _check(
                engine, loaded, previous.id, previous.exit, as_of, metrics, f"{previous.name}出口"
            )
    current = stages[index]
    if getattr(current, "entry", None):
        checks += _check(
            engine, loaded, current.id, current.entry, as_of, metrics, f"{current.name}入口"
        )
    return GateResult(stage=stage, passed=all(ok for _, ok, _ in checks), checks=checks)
