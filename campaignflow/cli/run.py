"""`run`: a phase, or the whole campaign, as Prefect flow runs."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    EXIT_FAILURE,
    AsOfOption,
    DbOption,
    SpecArg,
    add_commands,
    day_or_today,
    fail,
    flows_database,
    load_spec,
    out_console,
)


def register(app: typer.Typer) -> None:
    add_commands(app, {"run": run, "final-report": final_report})


def run(
    spec: SpecArg,
    phase: Annotated[
        str | None,
        typer.Option("--phase", "-p", help="只运行这个阶段/工作线（编号）", show_default=False),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
) -> None:
    """运行一个阶段，或按关口依次运行整个活动（Prefect 流程），并生成报告。Run a phase or the whole campaign.

    Without a server configured the run uses Prefect's local mode with its state in the data
    folder; with PREFECT_API_URL set (e.g. by `campaignflow server`) it appears in the UI.

    Example:

        campaignflow run campaign_specs/bapo-bali-2023/campaign.yaml --phase mobilise --as-of 2023-03-31
    """
    loaded = load_spec(spec)
    stage_ids = [s.id for s in loaded.spec.stages]
    if phase is not None and phase not in stage_ids:
        fail(f"没有阶段/工作线 {phase}（可选：{'、'.join(stage_ids)}）")
    day = day_or_today(as_of, loaded)
    with flows_database(db):
        if phase is None:
            outcome = _run("flows.campaign:campaign", spec_path=str(spec), as_of=day)
            phases = outcome["phases"]
        else:
            outcome = _run("flows.phase:phase", spec_path=str(spec), phase=phase, as_of=day)
            phases = [outcome]
    _print_outcome(loaded, phases, outcome.get("final"), outcome.get("stopped_at"))


def _run(entrypoint: str, **parameters):
    """Run the flow; what can go wrong around it (the server lost, the data folder not
    writable) is one 错误: line with the log's path, the traceback only in the log."""
    import logging

    from ..errors import CampaignflowError
    from ..settings import load_settings
    from .prefect_env import log_file, run_flow

    try:
        return run_flow(entrypoint, **parameters)
    except CampaignflowError:
        raise
    except PermissionError as exc:
        fail(
            f"无法写入 {exc.filename or '数据文件夹'}：请检查数据文件夹（CAMPAIGNFLOW_HOME）的权限",
            EXIT_FAILURE,
        )
    except Exception as exc:  # noqa: BLE001 - the server gone, the network, the disk …
        log = log_file(load_settings().home)
        logging.getLogger("campaignflow").exception("运行失败")
        kind = "与 Prefect 服务器的连接中断" if _is_connection(exc) else type(exc).__name__
        fail(f"运行失败（{kind}：{str(exc)[:200]}）。完整日志：{log}", EXIT_FAILURE)


def _is_connection(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in (exc, exc.__cause__, exc.__context__) if e is not None}
    return bool(names & {"ConnectError", "ConnectTimeout", "ReadError", "RemoteProtocolError",
                         "ConnectionRefusedError", "ConnectionResetError"})  # fmt: skip


def final_report(spec: SpecArg, as_of: AsOfOption = None, db: DbOption = None) -> None:
    """生成活动总结报告。Write the campaign's closing report.

    Example:

        campaignflow final-report campaign_specs/party-building-2023/campaign.yaml --as-of 2023-12-31
    """
    day = day_or_today(as_of, load_spec(spec))
    with flows_database(db):
        outcome = _run("flows.final_report:final_report", spec_path=str(spec), as_of=day)
    _print_outcome(None, [], outcome, None)


def gate_text(loaded, p: dict) -> str:
    """What a phase run's gate says, and why it is met when tasks are still open."""
    if not p["gate_passed"]:
        return "关口未满足：" + "；".join(p["gate_reasons"])
    left = p["total"] - p["done"]
    if left <= 0:
        return "关口已满足"
    if not p.get("gate_checks"):
        last = loaded is not None and loaded.spec.staged and loaded.spec.stages[-1].id == p["phase"]
        return f"{'最后一个阶段，' if last else ''}未设关口条件（尚有 {left} 项任务未完成）"
    return f"关口已满足（关口不要求全部完成，尚有 {left} 项任务未完成）"


def _print_outcome(loaded, phases: list[dict], final: dict | None, stopped: str | None) -> None:
    out = out_console()
    names = {s.id: s.name for s in loaded.spec.stages} if loaded else {}
    for p in phases:
        gate = gate_text(loaded, p)
        out.print(
            f"■ {names.get(p['phase'], p['phase'])}（截至 {p['as_of']}）：措施完成 {p['done']}/{p['total']}，{gate}",
            markup=False,
        )
        if p["imported_files"]:
            out.print(
                f"  收件箱：导入 {p['imported_files'] - p['rejected_files']} 个文件，拒收 {p['rejected_files']} 个",
                markup=False,
            )
        for fmt, path in p["reports"].items():
            out.print(f"  报告 .{fmt}：{path}", markup=False)
        if branches := p.get("branch_reports"):
            out.print(
                f"  各支部报告：{branches['branches']} 个支部，{branches['folder']}", markup=False
            )
    if stopped:
        out.print(
            f"活动停在阶段 {names.get(stopped, stopped)}：关口条件满足后再运行。", markup=False
        )
    if final:
        for fmt, path in final["reports"].items():
            out.print(f"总结报告 .{fmt}：{path}", markup=False)
    from .prefect_env import LAST_RUN

    if LAST_RUN.get("url"):
        out.print(f"在 Prefect 界面中查看：{LAST_RUN['url']}", markup=False)


__all__ = ["EXIT_FAILURE", "register"]
