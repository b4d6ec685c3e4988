"""The sentences of the built-in reports, written from a report's plain context.

A report in the register of a 工作总结 or 情况报告: an opening of 基本情况 with the key figures,
主要做法和成效 (one part per measure or per phase, 一是/二是 sentences naming who did what, when,
and the figures of what they collected), how far the phase's exit conditions are met, then
存在问题和不足 and 下一步工作打算 (`findings.py`). Every figure is the context's, printed with
the house rounding (`figures.py`).

`prose(context, kind)` returns plain data for the templates (`prose.opening`, `prose.done`,
`prose.problems`, `prose.plans`, `prose.gate`); each problem keeps the units and figures it
names, so tests can check them against the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..figures import percent_text
from ..progress import State
from .filters import cn_date, cn_number, count, join_cn

MAX_NAMED = 6  # units named in one sentence before "等N个单位"


@dataclass
class Item:
    """One part of a section: a run-in heading and its text; for a 存在问题 item, the units and
    figures it names."""

    heading: str
    text: str
    kind: str = ""
    units: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)


def names(names: list[str], limit: int = MAX_NAMED) -> str:
    unique = list(dict.fromkeys(n for n in names if n))
    if len(unique) <= limit:
        return join_cn(unique)
    return f"{join_cn(unique[:limit])}等{len(unique)}个单位"


def _date(value: Any) -> str:
    return cn_date(value) if value else ""


def window_text(stage: dict[str, Any]) -> str:
    if stage.get("start") and stage.get("end"):
        return f"{cn_date(stage['start'])}至{cn_date(stage['end'])}"
    return ""


def amount(value: Any, unit: str) -> str:
    return count(value, unit)


# ------------------------------------------------------------------ 基本情况


def _tasks_sentence(progress: dict[str, Any], noun: str, as_of: Any, whose: str = "") -> str:
    measures = len(progress["measures"])
    text = f"共部署{measures}项{noun}"
    if progress["total"] != measures or progress.get("units", 1) > 1:
        text += f"，分解到{progress.get('units', 0)}个责任单位共{progress['total']}项任务"
    text += f"。截至{cn_date(as_of)}，{whose}已完成{progress['done']}项，完成率{percent_text(progress['ratio'])}"
    if progress["overdue"]:
        text += f"，逾期未完成{len(progress['overdue'])}项"
    return text + "。"


def ledger_sentence(ledger: dict[str, Any]) -> str:
    """查找问题…条，制定整改措施…条，已销号…条，销号率… (empty without problems)."""
    if not ledger.get("problems"):
        return ""
    text = f"共查找问题{ledger['problems']}条，制定整改措施{ledger['measures']}条"
    if ledger["measures"]:
        text += (
            f"，已销号{ledger['measures_closed']}条，整改措施销号率"
            f"{percent_text(ledger['closure_rate'])}"
        )
    return text + "。"


def activities_sentence(activities: dict[str, Any] | None) -> str:
    """开展主题党日12次、党课3次……，参与…人次 (empty without activities)."""
    by_type = (activities or {}).get("by_type") or {}
    held = [(t, v) for t, v in by_type.items() if v.get("times")]
    if not held:
        return ""
    parts = "、".join(f"{t}{v['times']}次" for t, v in held)
    people = sum(v.get("person_times", 0) or 0 for _, v in held)
    return f"累计开展{parts}" + (f"，参与{people}人次" if people else "") + "。"


def opening(ctx: dict[str, Any], kind: str) -> str:
    """The 基本情况 paragraph (phase / final / branch)."""
    c, progress, as_of = ctx["campaign"], ctx["progress"], ctx["as_of"]
    noun = c["measure_noun"]
    if kind == "final":
        when = f"{cn_date(c['start'])}至{cn_date(c['end'])}，" if c.get("start") else ""
        shape = (
            f"共分{c['stage_count']}{c['stage_classifier']}{c['stage_word']}，"
            if c["stage_count"] > 1
            else ""
        )
        tasks = _tasks_sentence(progress, noun, as_of)
        text = f"{when}{c['organisation']}组织开展{c['title']}，{shape}" + (
            tasks.removeprefix("共") if shape else tasks
        )
        closing = "现将工作情况总结如下。"
    elif kind == "branch":
        stage, branch = ctx["stage"], ctx["branch"]
        by = branch.get("parent") or "上级党组织"
        if not progress["total"]:
            return (
                f"按照{by}关于{c['title']}{stage['label']}的工作安排，本{c['stage_word']}"
                f"未向{branch['name']}分解任务。"
            )
        text = (
            f"按照{by}关于{c['title']}{stage['label']}的工作安排，{branch['name']}承担任务"
            f"{progress['total']}项。截至{cn_date(as_of)}，已完成{progress['done']}项，完成率"
            f"{percent_text(progress['ratio'])}"
            + (f"，逾期未完成{len(progress['overdue'])}项" if progress["overdue"] else "")
            + "。"
        )
        closing = "现将有关情况报告如下。"
    else:
        stage = ctx["stage"]
        when = f"{window_text(stage)}，" if window_text(stage) else ""
        if c["staged"]:
            lead = f"{when}{c['organisation']}组织开展{c['title']}{stage['label']}工作，"
        else:
            lead = f"{when}{c['organisation']}围绕{stage['name']}推进{c['title']}，"
        text = lead + f"本{c['stage_word']}" + _tasks_sentence(progress, noun, as_of)
        closing = "现将有关情况报告如下。"
    return (
        text
        + ledger_sentence(ctx.get("ledger") or {})
        + (activities_sentence(ctx.get("activities")) if kind != "branch" else "")
        + closing
    )


def ledger_paragraph(ledger: dict[str, Any]) -> str:
    """The 对账 in full: problems by source, measures, both rates with their definitions."""
    if not ledger.get("problems"):
        return ""
    sources = [f"{s}{n}条" for s, n in (ledger.get("by_source") or {}).items() if n]
    text = f"共查找问题{ledger['problems']}条" + (f"（{join_cn(sources)}）" if sources else "")
    text += f"，制定整改措施{ledger['measures']}条"
    if ledger["measures"]:
        text += (
            f"；已销号{ledger['measures_closed']}条，整改措施销号率"
            f"{percent_text(ledger['closure_rate'])}（已销号措施÷整改措施）"
        )
    text += (
        f"；整改完成的问题{ledger['problems_closed']}条，问题整改完成率"
        f"{percent_text(ledger['problem_closure_rate'])}（整改完成的问题÷问题总数）"
    )
    late = ledger.get("overdue") or []
    if late:
        text += f"；逾期未完成的整改措施{len(late)}条"
    return text + "。"


def metric_rows(metric_info: dict[str, Any], m: dict[str, Any]) -> list[dict[str, str]]:
    """The 主要数据 table: each metric's title and value as printed (a rate with its
    definition, a breakdown as 类别 数值；…)."""
    rows = []
    for key, info in metric_info.items():
        value, unit = m.get(key), info.get("unit") or ""
        rate = info.get("kind") == "rate"

        def shown(v: Any, unit: str = unit, rate: bool = rate) -> str:
            return percent_text(v) if rate else amount(v, unit)

        if isinstance(value, dict):
            text = "；".join(f"{k} {shown(v)}" for k, v in value.items()) or "无"
        elif info.get("kind") == "rate" and info.get("definition"):
            text = f"{shown(value)}（{info['definition']}）"
        else:
            text = shown(value)
        rows.append({"title": info.get("title") or key, "value": text})
    return rows


# ------------------------------------------------------------------ 主要做法和成效


def bound_text(target: dict[str, Any]) -> str:
    if target.get("at_least") is not None:
        return f"不少于{amount(target['at_least'], target['unit'])}"
    if not target["at_most"]:
        return "清零"
    return f"不超过{amount(target['at_most'], target['unit'])}"


def _target_clause(measure: dict[str, Any], total: Any = None, counted: bool = False) -> str:
    """How the measure's target stands: one owner's value, or how many owners reached it
    (`counted`: the sentence has just named the units not done, who are those short of it)."""
    target = measure.get("target")
    if not target:
        return ""
    units = measure["units"]
    goal = f"{target['title']}{bound_text(target)}"
    if len(units) == 1:
        value = units[0].get("measured")
        if value is None:
            return f"目标为{goal}，尚无数据"
        now = f"{target['title']}{amount(value, target['unit'])}"
        return f"{now}，{'达到' if measure['done'] else '未达到'}{bound_text(target)}的目标"
    reached = sum(1 for u in units if u["state"] == State.DONE)
    whole = (
        f"，共{amount(total, target['unit'])}"
        if isinstance(total, int | float)
        and target.get("at_least") is not None
        and target.get("additive", True)
        else ""
    )
    if reached == len(units):
        return f"均达到{goal}的目标{whole}"
    if counted and reached == sum(1 for u in units if u["state"] == State.DONE):
        return f"未达到{goal}的目标{whole}"
    return f"{len(units)}个责任单位中{reached}个达到{goal}的目标{whole}"


def quoted(title: str) -> str:
    """A measure's title inside a sentence: quoted when it has punctuation of its own (quotes
    inside it become ‘’)."""
    if not any(ch in title for ch in "，,；：:、“"):
        return title
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"


def measure_sentence(
    measure: dict[str, Any], as_of: Any, own: bool = False, m: dict | None = None
) -> str:
    """What became of one measure: who, when, how far, its target and figures (no full stop).

    `own`: a branch report, where the measure is the branch's own share (本支部); `m`: the
    report's metric values (a target's total over every owner).
    """
    units = measure["units"]
    done = [u for u in units if u["state"] == State.DONE]
    late = [u for u in units if u["state"] == State.OVERDUE]
    who = "本支部" if own else names([u["name"] for u in units])
    due = f"完成时限为{cn_date(measure['due'])}" if measure.get("due") else ""
    parts: list[str] = []
    if len(done) == len(units):
        dates = [u["done_on"] for u in units if u.get("done_on")]
        if len(units) == 1:
            parts.append(f"{who}{'于' + cn_date(dates[0]) if dates else '已'}完成")
        else:
            parts.append(f"{who}均已完成")
            if len(dates) == len(units):
                parts.append(f"最后一个单位于{cn_date(max(dates))}完成")
    elif done:
        undone = [u["name"] for u in units if u["state"] != State.DONE]
        parts.append(f"{len(units)}个责任单位中已完成{len(done)}个，{names(undone)}尚未完成")
        if late:
            parts.append(f"已超过{due.removeprefix('完成时限为')}的完成时限" if due else "已逾期")
    elif late:
        days = max(u["workdays_overdue"] for u in late)
        parts.append(f"由{who}负责，{due}，截至{cn_date(as_of)}尚未完成，已逾期{days}个工作日")
    elif all(u["state"] == State.NOT_STARTED for u in units):
        parts.append(f"由{who}负责" + (f"，计划于{cn_date(measure['due'])}前完成" if due else ""))
    else:
        parts.append(f"由{who}负责推进" + (f"，{due}" if due else ""))
    target = measure.get("target")
    if target:
        counted = bool(done) and len(done) < len(units)
        parts.append(_target_clause(measure, (m or {}).get(target["metric"]), counted))
    else:
        figures = [
            f"{f['title']}{amount(f['value'], f['unit'])}" for f in measure.get("figures", [])
        ]
        if figures:
            parts.append(f"共计{join_cn(figures)}" if len(figures) > 1 else figures[0])
    evidence = list(dict.fromkeys(e for u in done for e in u.get("evidence") or []))
    if evidence:
        parts.append(f"形成{join_cn(evidence[:3])}{'等' if len(evidence) > 3 else ''}佐证材料")
    return "，".join(parts)


def done_items(ctx: dict[str, Any], kind: str) -> list[Item]:
    """主要做法和成效: per measure (phase, branch), or per phase with 一是/二是 (final)."""
    as_of = ctx["as_of"]
    if kind == "final" and len(ctx["stages"]) > 1:
        items = []
        for stage in ctx["stages"]:
            measures = stage["progress"]["measures"]
            if not measures:
                continue
            window = window_text(stage)
            head = stage["label"] + (f"（{window}）" if window else "")
            sentences = [
                f"{cn_number(i)}是{quoted(x['title'])}{_node(x)}，"
                f"{measure_sentence(x, as_of, m=ctx['m'])}"
                for i, x in enumerate(measures, 1)
            ]
            items.append(Item(head, "；".join(sentences) + "。"))
        return items
    own = kind == "branch"
    return [
        Item(x["title"] + _node(x), measure_sentence(x, as_of, own=own, m=ctx["m"]) + "。")
        for x in ctx["progress"]["measures"]
    ]


def _node(measure: dict[str, Any]) -> str:
    """A milestone measure (`milestone: true`) is named as the 重要节点 it is."""
    return "（重要节点）" if measure.get("milestone") else ""


def gate_text(ctx: dict[str, Any]) -> str:
    """How far the phase's own exit conditions are met; the entry conditions apart. Empty when
    the phase has neither."""
    c, exit_gate, entry = ctx["campaign"], ctx.get("exit_gate") or {}, ctx.get("gate") or {}
    word = c["stage_word"]
    checks = exit_gate.get("checks") or []
    if not checks and not entry.get("checks"):
        return ""
    if checks:
        met = sum(1 for ch in checks if ch["ok"])
        listed = "；".join(
            f"{ch['name'].split('：', 1)[-1]}，{ch['detail']}（{'已满足' if ch['ok'] else '未满足'}）"
            for ch in checks
        )
        text = f"本{word}设完成条件{len(checks)}项，截至{cn_date(ctx['as_of'])}已满足{met}项：{listed}。"
    else:
        text = f"本{word}未设完成条件。"
    entry_checks = entry.get("checks") or []
    if entry_checks:
        unmet = [ch for ch in entry_checks if not ch["ok"]]
        text += (
            f"进入本{word}的{len(entry_checks)}项条件均已满足。"
            if not unmet
            else f"进入本{word}的条件尚有{len(unmet)}项未满足："
            + "；".join(f"{ch['name']}，{ch['detail']}" for ch in unmet)
            + "。"
        )
    return text


def prose(ctx: dict[str, Any], kind: str) -> dict[str, Any]:
    """The sentences of a report of `kind` (phase / final / branch) from its context."""
    from .findings import no_problems, plan_items, problem_items

    problems = problem_items(ctx, kind)
    return {
        "opening": opening(ctx, kind),
        "ledger": ledger_paragraph(ctx.get("ledger") or {}),
        "activities": activities_sentence(ctx.get("activities")),
        "data": metric_rows(ctx.get("metric_info") or {}, ctx.get("m") or {}),
        "done": [asdict(i) for i in done_items(ctx, kind)],
        "gate": gate_text(ctx) if kind == "phase" else "",
        "problems": [asdict(i) for i in problems],
        "no_problems": "" if problems else no_problems(ctx, kind),
        "plans": [asdict(i) for i in plan_items(ctx, kind)],
    }
