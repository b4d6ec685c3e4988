"""进度总览: where a phase and the whole campaign stand, as Markdown for the Prefect UI, from
the run's snapshot (the same figures as the report)."""

from __future__ import annotations

from .figures import percent_text
from .progress import OVERDUE
from .snapshot import Snapshot
from .spec import LoadedCampaign

MAX_ROWS = 30  # overdue measures and units listed before "……另有 N 项"


def _stage_name(loaded: LoadedCampaign, stage: str) -> str:
    return next((s.name for s in loaded.spec.stages if s.id == stage), stage)


def _links(links: dict[str, str]) -> str:
    return "　".join(f"[{label}]({url})" for label, url in links.items()) or "（未生成）"


def phase_overview(loaded: LoadedCampaign, snap: Snapshot, links: dict[str, str]) -> str:
    """The phase run's 进度总览: measures done, overdue with 责任单位, open problems, the gate."""
    word = "阶段" if loaded.spec.staged else "工作线"
    name = _stage_name(loaded, snap.stage or "")
    p = snap.stage_progress
    lines = [
        f"## {loaded.spec.campaign.title} · {name} · 进度总览（截至 {snap.as_of}）",
        "",
        f"**本{word}措施**：已完成 {p.done}/{p.total} 项任务（{percent_text(p.ratio)}），"
        f"逾期 {len(p.overdue)} 项。",
        "",
    ]
    if p.overdue:
        lines += ["| 逾期措施 | 责任单位 | 期限 | 逾期（工作日） |", "| --- | --- | --- | --- |"]
        for item in p.overdue[:MAX_ROWS]:
            lines.append(
                f"| {item.title} | {item.unit_name} | {item.due} | {item.workdays_overdue} |"
            )
        if len(p.overdue) > MAX_ROWS:
            lines.append(f"| ……另有 {len(p.overdue) - MAX_ROWS} 项 | | | |")
        lines.append("")
    lines += milestone_lines(p.items)
    lines += unfiled_lines(snap.unfiled)
    ledger = snap.ledger
    if ledger.problems:
        lines.append(
            f"**问题整改**：问题 {ledger.problems} 个，整改完成 {ledger.problems_closed} 个；"
            f"整改措施 {ledger.measures} 条，已销号 {ledger.measures_closed} 条"
            f"（销号率 {percent_text(ledger.closure_rate)}），逾期 {len(ledger.overdue)} 条。"
        )
        if ledger.open_by_unit:
            shown = list(ledger.open_by_unit.items())[:MAX_ROWS]
            lines.append(
                "未整改完成的问题：" + "；".join(f"{unit} {n} 个" for unit, n in shown) + "。"
            )
        lines.append("")
    gate, exit_gate = snap.gate, snap.exit_gate
    lines.append(f"**{word}关口**：" + _gate_text(gate, exit_gate, loaded, snap))
    lines += ["", f"**报告**：{_links(links)}"]
    return "\n".join(lines)


def _gate_text(gate, exit_gate, loaded: LoadedCampaign, snap: Snapshot) -> str:
    parts = []
    for result, what in ((gate, "进入条件"), (exit_gate, "结束条件")):
        if result is None or not result.checks:
            continue
        if result.passed:
            parts.append(f"{what}均已满足")
        else:
            parts.append(f"{what}尚未满足：" + "；".join(result.reasons))
    unset = not parts
    if unset:
        last = loaded.spec.stages[-1].id == snap.stage
        why = "最后一个阶段，" if last and loaded.spec.staged else ""
        why = why if loaded.spec.staged else "工作线并行推进，"
        parts.append(f"{why}未设关口条件")
    p = snap.stage_progress
    if (gate is None or gate.passed) and p.done < p.total:
        left = p.total - p.done
        parts.append(
            f"尚有 {left} 项任务未完成"
            if unset
            else f"注意：关口已满足，但还有 {left} 项任务未完成"
        )
    return "；".join(parts) + "。"


def unfiled_lines(unfiled) -> list[str]:
    """The forms some owner units have not filed: a table, or nothing when all have."""
    missing = [u for u in unfiled if u.missing]
    if not missing:
        return []
    lines = ["| 表单 | 截止 | 未报送单位 |", "| --- | --- | --- |"]
    for item in missing:
        shown = "、".join(item.missing[:MAX_ROWS])
        more = f"等 {len(item.missing)} 个" if len(item.missing) > MAX_ROWS else ""
        lines.append(
            f"| {item.title}（{item.expected - len(item.missing)}/{item.expected} 已报送） "
            f"| {item.due or ''} | {shown}{more} |"
        )
    return ["**未报送**：", "", *lines, ""]


def milestone_lines(items) -> list[str]:
    """The 重要节点 (measures marked `milestone: true`) of `items` as a table: each node's due
    date, how many of its owners have done it, and where it stands."""
    nodes: dict[str, list] = {}
    for item in items:
        if item.milestone:
            nodes.setdefault(item.measure, []).append(item)
    if not nodes:
        return []
    lines = ["**重要节点**：", "", "| 节点 | 期限 | 完成 | 状态 |", "| --- | --- | --- | --- |"]
    for shares in nodes.values():
        done = sum(i.done for i in shares)
        state = (
            "已完成"
            if done == len(shares)
            else "逾期"
            if any(i.state == OVERDUE for i in shares)
            else "未完成"
        )
        due = shares[0].due or ""
        lines.append(f"| ★ {shares[0].title} | {due} | {done}/{len(shares)} | {state} |")
    return [*lines, ""]


def campaign_overview(
    loaded: LoadedCampaign, snap: Snapshot, links: dict[str, str], ran: str
) -> str:
    """The campaign's 进度总览, kept under one key and updated by every run (its versions are the
    campaign's progress over time)."""
    word = "阶段" if loaded.spec.staged else "工作线"
    lines = [
        f"## {loaded.spec.campaign.title} · 进度总览（截至 {snap.as_of}，{ran}）",
        "",
        f"| {word} | 时间 | 已完成 | 逾期 |",
        "| --- | --- | --- | --- |",
    ]
    for stage in loaded.spec.stages:
        p = snap.progress[stage.id]
        window = f"{stage.window[0]} 至 {stage.window[1]}" if stage.window else ""
        lines.append(f"| {stage.name} | {window} | {p.done}/{p.total} | {len(p.overdue)} |")
    total = snap.overall
    lines += [
        "",
        f"**全部措施**：已完成 {total.done}/{total.total} 项任务（{percent_text(total.ratio)}），"
        f"逾期 {len(total.overdue)} 项。",
        "",
        *milestone_lines(total.items),
    ]
    ledger = snap.ledger
    if ledger.problems:
        lines.append(
            f"**问题整改**：问题 {ledger.problems} 个（整改完成 {ledger.problems_closed} 个），"
            f"整改措施 {ledger.measures} 条（已销号 {ledger.measures_closed} 条，逾期 "
            f"{len(ledger.overdue)} 条）。"
        )
    lines += ["", f"**最近的报告**：{_links(links)}"]
    return "\n".join(lines)
