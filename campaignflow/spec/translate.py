"""Turn pydantic validation errors into Chinese messages with the data path they concern."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from .models import Campaign

Path_ = tuple[str | int, ...]


def data_path(loc: tuple, data: Any) -> Path_:
    """Drop pydantic's union/function tags from `loc`, keeping only steps that exist in `data`."""
    path: list[str | int] = []
    current = data
    for step in loc:
        if isinstance(current, dict) and step in current:
            path.append(step)
            current = current[step]
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            path.append(step)
            current = current[step]
        elif isinstance(current, dict | list):
            if isinstance(current, dict) and step not in current and _is_field_name(step):
                path.append(step)  # a missing or unknown key: keep it, it names the problem
                current = None
            continue
        else:
            break
    return tuple(path)


def _is_field_name(step: Any) -> bool:
    return (
        isinstance(step, str)
        and not any(ch in step for ch in "[]()")
        and step
        not in {
            "inline",
            "from_file",
        }
    )


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The BaseModel classes an annotation can hold (through Optional, list, dict, Annotated...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _models_in(args[0])
    if origin is dict:
        return _models_in(args[1]) if len(args) == 2 else []
    if origin in (list, tuple, typing.Union, types.UnionType):
        return [m for a in args for m in _models_in(a)]
    return []


def allowed_keys(path: Path_) -> list[str]:
    """Field names valid at `path` (the mapping that holds the last step)."""
    models: list[type[BaseModel]] = [Campaign]
    for step in path[:-1]:
        if isinstance(step, int):
            continue
        nxt: list[type[BaseModel]] = []
        for model in models:
            info = model.model_fields.get(step)
            if info is not None:
                nxt.extend(_models_in(info.annotation))
        # a dict key such as a form id: stay on the dict's value model
        models = nxt or models
    return sorted({name for m in models for name in m.model_fields})


def suggest(word: str, candidates: list[str]) -> str:
    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"（是否想写 {match[0]}？）" if match else ""


def message(error: dict, path: Path_) -> str:
    """A Chinese message for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    name = path[-1] if path else ""
    shown = _show(value)
    if kind == "missing":
        return f"缺少必填字段 {name}"
    if kind == "extra_forbidden":
        allowed = allowed_keys(path)
        hint = suggest(str(name), allowed)
        if not hint and allowed:
            hint = f"（可用字段：{', '.join(allowed)}）"
        return f"未知字段 {name}{hint}"
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", error["msg"]))
        return text.removeprefix("Value error, ")
    if kind in (
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "date_type",
    ):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return f"日期不存在：{value.strip()}"
        return f"日期格式应为 2023-03-15，而不是 {shown}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"应为整数，而不是 {shown}"
    if kind in ("float_parsing", "float_type"):
        return f"应为数字，而不是 {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"应为 true 或 false，而不是 {shown}"
    if kind == "string_type" and value is None:
        return "不能为空"
    if kind == "string_type":
        return f"应为文本，而不是 {shown}"
    if kind == "literal_error":
        return f"应为以下之一：{_choices(ctx.get('expected', ''))}；而不是 {shown}"
    if kind == "list_type":
        return f"应为列表（每项一行，以 - 开头），而不是 {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为键值对（key: value），而不是 {shown}"
    if kind in ("tuple_type",):
        return f"应为 [开始日期, 结束日期]，而不是 {shown}"
    if kind == "string_pattern_mismatch":
        return f"编号 {shown} 不合规：只能用小写英文字母、数字、- 和 _，并以字母开头（如 plan-2）"
    if kind in ("string_too_short", "too_short"):
        if str(name) == "window":
            return "窗口应为 [开始日期, 结束日期] 两个日期"
        return "不能为空"
    if kind in ("string_too_long", "too_long"):
        if str(name) == "window":
            return "窗口应为 [开始日期, 结束日期] 两个日期"
        return f"过长（最多 {ctx.get('max_length', '?')}）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应不小于 {ctx.get('ge', ctx.get('gt'))}，而不是 {shown}"
    if kind in ("less_than_equal", "less_than"):
        return f"应不大于 {ctx.get('le', ctx.get('lt'))}，而不是 {shown}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return f"格式不对：{shown}"
    return f"{error['msg']}（{kind}）"


def _choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "键值对"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")
