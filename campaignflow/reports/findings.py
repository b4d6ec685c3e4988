"""存在问题和不足 and 下一步工作打算 of the built-in reports, found in a report's plain context.

存在问题和不足, most pressing first: overdue measures with their 责任单位 and working days
overdue, targets not reached, a phase's exit conditions not met once it has ended, activities
short of 《中国共产党支部工作条例（试行）》, problems not yet rectified by unit, a 销号率 under
`LOW_CLOSURE`, 销号 without evidence, then what the branch wrote itself (`narrative.py`). Each
item keeps the units and figures it names. 下一步工作打算 from what remains: the next phase's
measures with owners and dates, the open tasks, the open problems, the cadence.
"""

from __future__ import annotations

from typing import Any

from ..figures import number_text, percent_text
from ..progress import State
from .filters import cn_date, cn_number
from .prose import MAX_NAMED, Item, amount, bound_text, names, quoted, window_text

LOW_CLOSURE = 0.8  # a 销号率 below this, once measures are due or at the end, is a 不足
CADENCE_RULE = "《中国共产党支部工作条例（试行）》"


def _overdue_item(ctx: dict[str, Any], noun: str) -> Item | None:
    overdue = ctx["progress"]["overdue"]
    if not overdue:
        return None
    by_measure: dict[str, list[dict]] = {}
    for item in overdue:
        by_measure.setdefault(item["title"], []).append(item)
    targets = {x["title"]: x.get("target") for x in ctx["progress"]["measures"]}
    sentences, units, figures = [], [], []
    for title, items in by_measure.items():
        due = items[0].get("due")
        target = targets.get(title)

        def late_text(i: dict, target: dict | None = target) -> str:
            text = f"{i['unit_name']}已逾期{i['workdays_overdue']}个工作日"
            if target and i.get("measured") is not None:
                value = amount(i["measured"], target["unit"])
                text += f"（{target['title']}{value}，目标为{bound_text(target)}）"
            return text

        late = "、".join(late_text(i) for i in items)
        sentences.append(
            f"{quoted(title)}{'（完成时限' + cn_date(due) + '）' if due else ''}，{late}"
        )
        units += [i["unit_name"] for i in items]
        figures += [str(i["workdays_overdue"]) for i in items]
    text = (
        f"截至{cn_date(ctx['as_of'])}，有{len(overdue)}项任务逾期未完成："
        + "；".join(sentences)
        + "。"
    )
    return Item(f"部分{noun}未按期完成", text, "overdue", units, figures)


def _target_item(ctx: dict[str, Any]) -> Item | None:
    sentences, units, figures = [], [], []
    for m in ctx["progress"]["measures"]:
        target = m.get("target")
        if not target:
            continue
        for u in m["units"]:
            if u["state"] in ("已完成", "未开始", "逾期"):  # 逾期: said with the overdue ones
                continue
            bound = bound_text(target)
            value = u.get("measured")
            now = amount(value, target["unit"]) if value is not None else "尚无数据"
            sentences.append(
                f"{quoted(m['title'])}要求{target['title']}{bound}，{u['name']}目前为{now}"
            )
            units.append(u["name"])
            figures.append(
                number_text(value)
                if value is not None
                else number_text(target.get("at_least") or target.get("at_most"))
            )
    if not sentences:
        return None
    return Item("部分目标尚未达到", "；".join(sentences) + "。", "target", units, figures)


def _gate_item(ctx: dict[str, Any]) -> Item | None:
    stage = ctx.get("stage") or {}
    checks = [ch for ch in (ctx.get("exit_gate") or {}).get("checks") or [] if not ch["ok"]]
    if not checks or not stage.get("end") or ctx["as_of"] < stage["end"]:
        return None
    word = ctx["campaign"]["stage_word"]
    listed = "；".join(f"{ch['name'].split('：', 1)[-1]}，{ch['detail']}" for ch in checks)
    units = [
        u["name"]
        for m in ctx["progress"]["measures"]
        for u in m["units"]
        if u["state"] != State.DONE
    ]
    text = f"{stage['label']}已于{cn_date(stage['end'])}结束，尚有{len(checks)}项完成条件未满足：{listed}。"
    return Item(
        f"本{word}完成条件尚未全部满足",
        text,
        "gate",
        list(dict.fromkeys(units)),
        [str(len(checks))],
    )


def _cadence_item(ctx: dict[str, Any]) -> Item | None:
    cadence = ((ctx.get("activities") or {}).get("cadence") or {}).get("shortfalls") or []
    if not cadence:
        return None
    by_unit: dict[tuple[str, str, str], list[dict]] = {}
    for s in cadence:
        by_unit.setdefault((s["unit"], s["type"], s["rule"]), []).append(s)
    sentences, units, figures = [], [], []
    for (unit, kind, rule), rows in by_unit.items():
        periods = "、".join(_period(r["period"]) for r in rows[:4]) + (
            "等" if len(rows) > 4 else ""
        )
        span = "个季度" if "Q" in rows[0]["period"] else "个月"
        sentences.append(f"{unit}有{len(rows)}{span}{kind}未达到{rule}的要求（{periods}）")
        units.append(unit)
        figures.append(str(len(rows)))
    text = f"对照{CADENCE_RULE}，" + "；".join(sentences) + "。"
    return Item("组织生活制度落实不够经常", text, "cadence", units, figures)


def _period(period: str) -> str:
    """2023-03 -> 2023年3月; 2023Q1 -> 2023年第一季度."""
    if "Q" in period:
        year, quarter = period.split("Q")
        return f"{year}年第{cn_number(int(quarter))}季度"
    if len(period) == 7 and period[4] == "-":
        return f"{period[:4]}年{int(period[5:])}月"
    return period


def _ledger_items(ctx: dict[str, Any]) -> list[Item]:
    ledger = ctx.get("ledger") or {}
    items: list[Item] = []
    if not ledger.get("problems"):
        return items
    open_by_unit = {u: n for u, n in (ledger.get("open_by_unit") or {}).items() if n}
    if open_by_unit:
        total = sum(open_by_unit.values())
        parts = "、".join(f"{u}{n}条" for u, n in open_by_unit.items())
        late = ledger.get("overdue") or []
        text = (
            f"查找的{ledger['problems']}条问题中，尚有{total}条未整改完成，其中{parts}"
            + (f"；{len(late)}条整改措施已超过整改时限" if late else "")
            + "。"
        )
        units = list(open_by_unit) + [i["unit"] for i in late if i.get("unit")]
        figures = [str(total), *map(str, open_by_unit.values())]
        items.append(Item("问题整改尚未全部完成", text, "open_problems", units, figures))
    rate = ledger.get("closure_rate")
    if rate is not None and rate < LOW_CLOSURE and (ledger.get("overdue") or ctx.get("final")):
        by_unit = ledger.get("by_unit") or {}
        low = [
            (u, c)
            for u, c in by_unit.items()
            if c.get("measures") and c["measures_closed"] / c["measures"] < LOW_CLOSURE
        ]
        parts = "、".join(
            f"{u}{percent_text(c['measures_closed'] / c['measures'])}" for u, c in low[:MAX_NAMED]
        )
        text = (
            f"整改措施{ledger['measures']}条，已销号{ledger['measures_closed']}条，销号率"
            f"{percent_text(rate)}，低于{percent_text(LOW_CLOSURE)}"
            + (f"，其中{parts}" if parts else "")
            + "。"
        )
        items.append(
            Item(
                "整改销号进度偏慢",
                text,
                "closure",
                [u for u, _ in low],
                [str(ledger["measures"]), str(ledger["measures_closed"])],
            )
        )
    missing = ledger.get("closed_without_evidence") or []
    if missing:
        units = [i["unit"] for i in missing if i.get("unit")]
        text = (
            f"{len(missing)}条整改措施已销号但未附佐证材料（"
            + "、".join(i["code"] for i in missing[:MAX_NAMED])
            + ("等" if len(missing) > MAX_NAMED else "")
            + "）"
            + (f"，涉及{names(units)}" if units else "")
            + "。"
        )
        items.append(Item("部分销号缺少佐证材料", text, "evidence", units, [str(len(missing))]))
    return items


def problem_items(ctx: dict[str, Any], kind: str) -> list[Item]:
    """存在问题和不足 found in the data, most pressing first."""
    noun = ctx["campaign"]["measure_noun"]
    found = [
        _overdue_item(ctx, noun),
        _target_item(ctx),
        _gate_item(ctx) if kind == "phase" else None,
        _cadence_item(ctx) if kind != "branch" else None,
    ]
    items = [i for i in found if i is not None] + _ledger_items({**ctx, "final": kind == "final"})
    for text in (ctx.get("narrative") or {}).get("problems") or []:
        head, _, rest = str(text).partition("。")
        items.append(Item(head, rest, "narrative") if rest else Item("", str(text), "narrative"))
    return items


def no_problems(ctx: dict[str, Any], kind: str) -> str:
    """The plain sentence when the data shows no shortfall."""
    c = ctx["campaign"]
    scope = (
        "本支部承担的"
        if kind == "branch"
        else ("各" if kind == "final" else f"本{c['stage_word']}")
    )
    return (
        f"经对照检查，截至{cn_date(ctx['as_of'])}，{scope}各项{c['measure_noun']}均按期推进，"
        "未发现逾期未完成、目标未达到和问题整改滞后等情况。"
    ).replace("各各", "各")


# ------------------------------------------------------------------ 下一步工作打算


def plan_items(ctx: dict[str, Any], kind: str) -> list[Item]:
    """下一步工作打算 from what remains: the next phase, open tasks, open problems, cadence."""
    c, progress = ctx["campaign"], ctx["progress"]
    items: list[Item] = []
    following = ctx.get("next_stage")
    if following and following["measures"]:
        listed = "；".join(
            f"{cn_number(i)}是{m['title']}，由{names(m['owners'])}负责"
            + (f"，{cn_date(m['due'])}前完成" if m.get("due") else "")
            for i, m in enumerate(following["measures"], 1)
        )
        window = window_text(following)
        items.append(
            Item(
                f"扎实推进{following['label']}工作",
                (f"{window}，" if window else "")
                + f"重点抓好{len(following['measures'])}项{c['measure_noun']}：{listed}。",
            )
        )
    undone: dict[str, list[str]] = {}
    for m in progress["measures"]:
        for u in m["units"]:
            if u["state"] in ("逾期", "进行中"):
                undone.setdefault(m["title"], []).append(u["name"])
    if undone:
        listed = "；".join(f"{quoted(t)}由{names(who)}负责" for t, who in undone.items())
        who = "本支部" if kind == "branch" else "各责任单位"
        items.append(
            Item(
                "抓紧完成未完成事项",
                f"对尚未完成的{sum(len(v) for v in undone.values())}项任务，{who}逐项明确完成时间，"
                f"限期办结：{listed}。",
            )
        )
    ledger = ctx.get("ledger") or {}
    open_measures = ledger.get("measures_open") or 0
    if ledger.get("problems") and (ledger.get("open_problems") or open_measures):
        late = len(ledger.get("overdue") or [])
        items.append(
            Item(
                "持续抓好问题整改",
                f"对尚未整改完成的{len(ledger.get('open_problems') or [])}条问题、"
                f"未销号的{open_measures}条整改措施，逐条对账、整改一条销号一条"
                + (f"，{late}条逾期措施优先督办" if late else "")
                + "，防止问题反弹。",
            )
        )
    if kind != "branch" and ((ctx.get("activities") or {}).get("cadence") or {}).get("shortfalls"):
        units = [s["unit"] for s in ctx["activities"]["cadence"]["shortfalls"]]
        items.append(
            Item(
                "严格落实组织生活制度",
                f"督促{names(units)}按照{CADENCE_RULE}的要求，按期开展组织生活，做到经常性、规范化。",
            )
        )
    for text in (ctx.get("narrative") or {}).get("plans") or []:
        head, _, rest = str(text).partition("。")
        items.append(Item(head, rest) if rest else Item("", str(text)))
    if not items:
        items.append(
            Item(
                "巩固拓展工作成果",
                f"总结{c['title']}中形成的好经验好做法，建立健全长效机制，推动各项工作常态化、长效化。",
            )
        )
    return items
