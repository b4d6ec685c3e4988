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


def sweep_run_name() -> str:
    """`八破八立 · 期限检查 · 2023-06-28` (every active campaign: `期限检查 · 2023-06-28`)."""
    from campaignflow.calendar import today

    p = flow_run.parameters
    if p.get("spec_path"):
        return run_name(p["spec_path"], None, p.get("as_of"), suffix="期限检查")
    return f"期限检查 · {p.get('as_of') or today()}"
