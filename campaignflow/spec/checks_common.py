"""Helpers shared by the cross-reference checks: located findings, unknown-id messages, owners."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import get_args

from .models import Unit, UnitKind
from .translate import suggest

Found = tuple[tuple, str]
GROUP_PREFIX = "各"


def unknown(kind: str, value: str, known: list[str]) -> str:
    hint = suggest(value, known) or (
        f"（已有：{', '.join(known[:12])}）" if known else "（尚未定义任何项）"
    )
    return f"未知{kind} {value}{hint}"


def duplicates(items: list, section: tuple, what: str) -> Iterator[Found]:
    seen = Counter(item.id for item in items)
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if seen[item.id] > 1:
            if item.id in first:
                yield (
                    (*section, i, "id"),
                    f"{what}编号 {item.id} 重复（第一次出现在第 {first[item.id] + 1} 项）",
                )
            else:
                first[item.id] = i


def unknown_owner(owner: str, units: list[Unit]) -> str:
    kind = owner[len(GROUP_PREFIX) :]
    if owner.startswith(GROUP_PREFIX) and kind in get_args(UnitKind):
        return f"未知责任单位 {owner}：units 中没有类型（kind）为 {kind} 的组织"
    return unknown("责任单位", owner, [u.name for u in units])


def resolve_owner(name: str, units: list[Unit]) -> list[Unit] | None:
    """Units an owner names: a unit id, a unit name, or 各<类型> (every unit of that kind)."""
    for unit in units:
        if name in (unit.id, unit.name):
            return [unit]
    if name.startswith(GROUP_PREFIX):
        group = [u for u in units if u.kind == name[len(GROUP_PREFIX) :]]
        return group or None
    return None
