"""The deployments of the shipped campaigns, as data: one list feeds both `deployments/prefect.yaml`
(for `prefect deploy`) and `campaignflow server` (which serves them)."""

from __future__ import annotations

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
class DeploymentSpec:
    """One deployment: which flow, with which parameters, when."""

    name: str
    flow: str  # key of ENTRYPOINTS
    parameters: dict = field(default_factory=dict)
    cron: str | None = None
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


def deployment_specs(campaigns: list[LoadedCampaign], root: Path) -> list[DeploymentSpec]:
    """The daily deadline sweep, then per campaign: the whole run, each phase's report at the
    phase end (18:00 local), and the final report."""
    specs = [
        DeploymentSpec(
            name="deadline-sweep-daily",
            flow="deadline-sweep",
            cron="0 9 * * *",
            tags=("sweep",),
            description="每天 09:00（北京时间）检查所有进行中活动的期限并提醒",
        ),
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
        path = _spec_path(loaded, root)
        tag = f"campaign:{cid}"
        specs.append(
            DeploymentSpec(
                name=f"{cid}",
                flow="campaign",
                parameters={"spec_path": path},
                tags=(tag,),
                description=f"{loaded.spec.campaign.title}：按关口依次运行各阶段并生成报告",
            )
        )
        for stage in loaded.spec.stages:
            cron = None
            if stage.window:
                end = stage.window[1]
                cron = f"0 18 {end.day} {end.month} *"
            specs.append(
                DeploymentSpec(
                    name=f"{cid}-{stage.id}",
                    flow="phase",
                    parameters={"spec_path": path, "phase": stage.id},
                    cron=cron,
                    tags=(tag, f"phase:{stage.id}"),
                    description=f"{loaded.spec.campaign.title} · {stage.name}：阶段流程与报告（阶段结束日 18:00）",
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
                    description=f"{loaded.spec.campaign.title}：在界面中登记一次活动（表单 {activity_forms[0]}，可改参数）",
                )
            )
        specs.append(
            DeploymentSpec(
                name=f"{cid}-final-report",
                flow="final-report",
                parameters={"spec_path": path},
                tags=(tag, "report:final"),
                description=f"{loaded.spec.campaign.title}：总结报告",
            )
        )
    return specs


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
                "schedules": [{"cron": s.cron, "timezone": TIMEZONE, "active": True}]
                if s.cron
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
