"""Every deployment in deployments/prefect.yaml loads, and the file is what the campaigns generate."""

from __future__ import annotations

import importlib

import yaml
from prefect.flows import Flow

from campaignflow.deployments import deployment_specs, prefect_yaml
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_campaigns, shipped_root

ROOT = shipped_root().parent
PREFECT_YAML = ROOT / "deployments" / "prefect.yaml"


def test_every_entrypoint_is_a_flow():
    document = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    entrypoints = {d["entrypoint"] for d in document["deployments"]}
    assert entrypoints == {
        "flows/phase.py:phase",
        "flows/campaign.py:campaign",
        "flows/final_report.py:final_report",
        "flows/deadline_sweep.py:deadline_sweep",
        "flows/record_activity.py:record_activity",
        "flows/branch_reports.py:branch_report_chunk",
        "flows/inbox_import.py:inbox_import_chunk",
    }
    for entrypoint in entrypoints:
        path, name = entrypoint.split(":")
        assert (ROOT / path).is_file()
        flow = getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)
        assert isinstance(flow, Flow), entrypoint
    for deployment in document["deployments"]:
        params = deployment["parameters"]
        if "spec_path" in params:
            load(ROOT / params["spec_path"])  # every deployment points at a valid campaign


def test_prefect_yaml_is_current():
    loaded = [load(folder / "campaign.yaml") for folder in shipped_campaigns().values()]
    assert PREFECT_YAML.read_text(encoding="utf-8") == prefect_yaml(
        deployment_specs(loaded, ROOT)
    ), "deployments/prefect.yaml is stale: run `campaignflow deployments`"


def test_finished_campaigns_schedule_nothing():
    document = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    assert all(d["schedules"] == [] for d in document["deployments"])  # 2023 campaigns: over
