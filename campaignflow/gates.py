"""Phase gates: the entry criteria of a phase and the exit criteria of the one before it.

A gate can require every measure of the phase done, a sign-off by a named role (recorded in the
audit log by `sign_off`, from the CLI or the Prefect UI), and metric minimums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from . import db
from .errors import CampaignflowError
from .metrics import MetricValue
from .progress import Progress
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


class GateError(CampaignflowError, ValueError):
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
    after = {"by": by, "remarks": remarks, "on": on.isoformat()}
    _record(engine, loaded, stage, "sign_off", after, actor)


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
    after = {"by": by, "reason": reason, "on": on.isoformat()}
    _record(engine, loaded, stage, "sign_off_declined", after, actor)


def _stage_key(loaded: LoadedCampaign, stage: str) -> str:
    """The audit log's key of a phase: `<campaign id>:<stage id>`."""
    return f"{loaded.spec.campaign.id}:{stage}"


def _record(
    engine: Engine, loaded: LoadedCampaign, stage: str, action: str, after: dict, actor: str
) -> None:
    """One audit entry `action` on the phase `stage`, with `after` as what was recorded."""
    with db.write_session(engine) as session:
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        db.record_change(
            session=session,
            entity="stage",
            entity_key=_stage_key(loaded, stage),
            action=action,
            before=None,
            after=after,
            actor=actor,
            campaign_id=campaign.id,
        )


def signed_off(
    *, engine: Engine, loaded: LoadedCampaign, stage: str, as_of: dt.date
) -> dict | None:
    """The sign-off of a phase dated last on or before `as_of` (of two on one day, the one
    recorded last), whatever order they were recorded in."""
    with db.read_session(engine) as session:
        entries = session.scalars(
            select(db.AuditEntry)
            .where(
                db.AuditEntry.entity == "stage",
                db.AuditEntry.entity_key == _stage_key(loaded, stage),
                db.AuditEntry.action == "sign_off",
            )
            .order_by(db.AuditEntry.at, db.AuditEntry.id)
        ).all()
    dated = [
        (dt.date.fromisoformat(e.after["on"]), i, e.after)
        for i, e in enumerate(entries)
        if e.after and dt.date.fromisoformat(e.after["on"]) <= as_of
    ]
    return max(dated, key=lambda d: d[:2])[2] if dated else None


def signoffs(*, engine: Engine, loaded: LoadedCampaign, as_of: dt.date) -> dict[str, dict | None]:
    """Stage id -> its latest sign-off dated on or before `as_of` (None: not signed)."""
    return {
        stage.id: signed_off(engine=engine, loaded=loaded, stage=stage.id, as_of=as_of)
        for stage in loaded.spec.stages
    }


def _check(
    gate: Gate,
    progress: Progress,
    signoff: dict | None,
    metrics: dict[str, MetricValue],
    label: str,
) -> list[tuple[str, bool, str]]:
    from .figures import number_text
    from .reports.filters import cn_date

    checks = []
    if gate.all_measures_done:
        open_items = [f"{i.title}（{i.unit_name}）" for i in progress.items if not i.done]
        detail = f"已完成{progress.done}/{progress.total}项"
        if open_items:
            detail += (
                "，未完成：" + "、".join(open_items[:5]) + ("等" if len(open_items) > 5 else "")
            )
        checks.append((f"{label}：措施全部完成", not open_items, detail))
    if gate.sign_off:
        detail = (
            f"{signoff['by']}已于{cn_date(signoff['on'])}签批"
            if signoff
            else f"待{gate.sign_off}签批"
        )
        checks.append((f"{label}：{gate.sign_off}签批", signoff is not None, detail))
    for metric_id, minimum in gate.metrics.items():
        value = metrics.get(metric_id)
        number = value.value if value else None
        ok = isinstance(number, int | float) and number >= minimum
        title = value.title if value else metric_id
        unit = (value.unit if value else None) or ""
        shown = number_text(number) if isinstance(number, int | float) else "无数据"
        checks.append(
            (
                f"{label}：{title}不少于{number_text(minimum)}{unit}",
                ok,
                f"当前为{shown}{unit if isinstance(number, int | float) else ''}",
            )
        )
    return checks


def check_gate(
    *,
    loaded: LoadedCampaign,
    stage: str,
    progress: dict[str, Progress],
    signoffs: dict[str, dict | None],
    metrics: dict[str, MetricValue],
) -> GateResult:
    """May `stage` run: its entry criteria and the exit criteria of the phase before it
    (staged campaigns), judged on one snapshot's progress, sign-offs and metrics."""
    stages = loaded.spec.stages
    index = next(i for i, s in enumerate(stages) if s.id == stage)
    checks: list[tuple[str, bool, str]] = []
    if loaded.spec.staged and index > 0:
        previous = stages[index - 1]
        if previous.exit:
            checks += _check(
                previous.exit, progress[previous.id], signoffs.get(previous.id),
                metrics, f"{previous.name}出口",
            )  # fmt: skip
    current = stages[index]
    if current.entry:
        checks += _check(
            current.entry, progress[current.id], signoffs.get(current.id), metrics,
            f"{current.name}入口",
        )  # fmt: skip
    return GateResult(stage=stage, passed=all(ok for _, ok, _ in checks), checks=checks)


def check_exit(
    *,
    loaded: LoadedCampaign,
    stage: str,
    progress: dict[str, Progress],
    signoffs: dict[str, dict | None],
    metrics: dict[str, MetricValue],
) -> GateResult:
    """Has `stage` met its own exit criteria (what its report says of the way on)."""
    current = next(s for s in loaded.spec.stages if s.id == stage)
    exit_gate = current.exit
    checks = (
        _check(exit_gate, progress[stage], signoffs.get(stage), metrics, f"{current.name}出口")
        if exit_gate
        else []
    )
    return GateResult(stage=stage, passed=all(ok for _, ok, _ in checks), checks=checks)
