"""Run names from the flow's parameters (called by Prefect when a run starts)."""

from __future__ import annotations

from prefect.runtime import flow_run

from campaignflow.naming import run_name


def phase_run_name() -> str:
    p = flow_run.parameters
    return run_name(p["spec_path"], p["phase"], p.get("as_of"))


def campaign_run_name() -> str:
    p = flow_run.parameters
    return run_name(p["spec_path"], None, p.get("as_of"), suffix="全程")


def final_run_name() -> str:
    p = flow_run.parameters
    return run_name(p["spec_path"], None, p.get("as_of"), suffix="总结报告")


def branch_run_name() -> str:
    p = flow_run.parameters
    return run_name(p["spec_path"], p["phase"], p.get("as_of"), suffix="各支部报告")
