"""The deployments of the shipped campaigns, as data: one list feeds both `deployments/prefect.yaml`
(for `prefect deploy`) and `campaignflow server` (which serves them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .spec import LoadedCampaign

ENTRYPOINTS = {
    "phase": "flows/phase.py:phase",
    "campaign": "flows/campaign.py:campaign",
    "final-report": "flows/final_report.py:final_report",
    "deadline-sweep": "flows/deadline_sweep.py:deadline_sweep",
    "record-activity": "flows/record_activity.py:record_activity",
    "branch-report-chunk": "flows/branch_reports.py:branch_report_chunk",
    "inbox-import-chunk": "flows/inbox_import.py:inbox_import_chunk",
}
TIMEZONE = "Asia/Shanghai"
WORK_POOL = "campaignflow"


@dataclass(frozen=True)
class Schedule:
    """When a deployment runs by itself: an RRule in the campaign's time zone, with the
    parameters of the run it makes (a phase's `as_of` = its last day)."""

    rrule: str
    first: dt.datetime
    count: int | None = None  # runs it makes (None: daily until `last`)
    last: dt.datetime | None = None
    parameters: dict = field(default_factory=dict)
    timezone: str = TIMEZONE

    def describe(self) -> str:
        if self.count == 1:
            return f"{self.first:%Y-%m-%d %H:%M} 运行一次"
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d} 每天 {self.first:%H:%M}"

    @classmethod
    def once(cls, at: dt.datetime, parameters: dict) -> Schedule:
        return cls(f"DTSTART:{at:%Y%m%dT%H%M%S}\nRRULE:FREQ=DAILY;COUNT=1", at, 1, at, parameters)

    @classmethod
    def daily(cls, first: dt.datetime, last: dt.datetime) -> Schedule:
        rrule = f"DTSTART:{first:%Y%m%dT%H%M%S}\nRRULE:FREQ=DAILY;UNTIL={last:%Y%m%dT%H%M%S}"
        return cls(rrule, first, None, last)


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: which flow, with which parameters, when."""

    name: str
    flow: str  # key of ENTRYPOINTS
    parameters: dict = field(default_factory=dict)
    schedule: Schedule | None = None
    tags: tuple[str, ...] = ()
    description: str = ""

    @property
    def entrypoint(self) -> str:
        return ENTRYPOINTS[self.flow]


def _spec_path(loaded: LoadedCampaign, root: Path) -> str:
    try:
        return str(loaded.path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(loaded.path.resolve())


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def deployment_specs(
    campaigns: list[LoadedCampaign], root: Path, today: dt.date | None = None
) -> list[DeploymentSpec]:
    """The two chunk deployments, then per campaign: the whole run, each phase (run once, at
    18:00 on its last day, as of that day), its daily deadline sweep (09:00, on the days of the
    campaign's window only), activity entry and the final report. Nothing is scheduled for a
    day before `today` (a finished campaign schedules nothing)."""
    from .naming import short_title

    today = today or dt.date.today()
    specs = [
        DeploymentSpec(
            name="branch-report-chunk",
            flow="branch-report-chunk",
            tags=("report:branch",),
            description="一块支部报告（由阶段流程分发到各 worker，不单独运行）",
        ),
        DeploymentSpec(
            name="inbox-import-chunk",
            flow="inbox-import-chunk",
            tags=("import",),
            description="导入收件箱中的一批文件（由阶段流程分发到各 worker，不单独运行）",
        ),
    ]
    for loaded in campaigns:
        cid = loaded.spec.campaign.id
        title, short = loaded.spec.campaign.title, short_title(loaded)
        path = _spec_path(loaded, root)
        tag = f"campaign:{cid}"
        windows = [s.window for s in loaded.spec.stages if s.window]
        specs.append(
            DeploymentSpec(
                name=f"{cid}",
                flow="campaign",
                parameters={"spec_path": path},
                tags=(tag,),
                description=(
                    f"{title}：按关口依次运行各阶段并生成报告（手动运行）"
                    if loaded.spec.staged
                    else f"{title}：运行各条工作线并生成报告（手动运行）"
                ),
            )
        )
        if windows:
            start, end = min(w[0] for w in windows), max(w[1] for w in windows)
            first = max(start, today)
            sweep = Schedule.daily(_at(first, 9), _at(end, 9)) if first <= end else None
            specs.append(
                DeploymentSpec(
                    name=f"{cid}-deadline-sweep",
                    flow="deadline-sweep",
                    parameters={"spec_path": path},
                    schedule=sweep,
                    tags=(tag, "sweep"),
                    description=f"{short}：期限检查与提醒（活动期间每天 09:00）",
                )
            )
        word = "阶段" if loaded.spec.staged else "工作线"
        for stage in loaded.spec.stages:
            schedule = None
            if stage.window and stage.window[1] >= today:
                end = stage.window[1]
                schedule = Schedule.once(_at(end, 18), {"as_of": end.isoformat()})
            when = f"{stage.window[1]:%Y-%m-%d} 18:00 运行一次" if stage.window else "手动运行"
            specs.append(
                DeploymentSpec(
                    name=f"{cid}-{stage.id}",
                    flow="phase",
                    parameters={"spec_path": path, "phase": stage.id},
                    schedule=schedule,
                    tags=(tag, f"phase:{stage.id}"),
                    description=f"{short} · {stage.name}：{word}流程与报告（{when}，截至当天）",
                )
            )
        activity_forms = [f for f, form in loaded.spec.forms.items() if form.kind == "activity"]
        if activity_forms:
            specs.append(
                DeploymentSpec(
                    name=f"{cid}-record-activity",
                    flow="record-activity",
                    parameters={"spec_path": path, "form": activity_forms[0]},
                    tags=(tag, "input:activity"),
                    description=f"{short}：在界面中登记一次活动（表单 {activity_forms[0]}，可改参数）",
                )
            )
        specs.append(
            DeploymentSpec(
                name=f"{cid}-final-report",
                flow="final-report",
                parameters={"spec_path": path},
                tags=(tag, "report:final"),
                description=f"{title}：总结报告（手动运行）",
            )
        )
    return specs


def scheduled(specs: list[DeploymentSpec]) -> list[str]:
    """One line per deployment that runs by itself: `bapo-bali-2023-mobilise：2027-03-31 18:00 运行一次`."""
    return [f"{s.name}：{s.schedule.describe()}" for s in specs if s.schedule is not None]


def prefect_yaml(specs: list[DeploymentSpec]) -> str:
    """`deployments/prefect.yaml` for `prefect deploy --prefect-file deployments/prefect.yaml --all`."""
    import yaml

    document = {
        "name": "campaignflow",
        "prefect-version": "3.9.1",
        "build": None,
        "push": None,
        "pull": [
            {
                "prefect.deployments.steps.set_working_directory": {
                    "directory": "{{ $CAMPAIGNFLOW_ROOT }}"
                }
            }
        ],
        "deployments": [
            {
                "name": s.name,
                "entrypoint": s.entrypoint,
                "description": s.description,
                "parameters": s.parameters,
                "tags": list(s.tags),
                "work_pool": {"name": WORK_POOL, "work_queue_name": "default"},
                "schedules": [
                    {
                        "rrule": s.schedule.rrule,
                        "timezone": s.schedule.timezone,
                        "active": True,
                        **({"parameters": s.schedule.parameters} if s.schedule.parameters else {}),
                    }
                ]
                if s.schedule
                else [],
            }
            for s in specs
        ],
    }
    header = (
        "# Generated by `campaignflow deployments` from campaign_specs/ — do not edit by hand.\n"
        "# Once per server:  prefect work-pool create campaignflow --type process\n"
        "# Deploy:           CAMPAIGNFLOW_ROOT=$PWD prefect deploy --prefect-file deployments/prefect.yaml --all\n"
        "# Workers:          prefect worker start --pool campaignflow   (on each machine, from the repo root)\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
