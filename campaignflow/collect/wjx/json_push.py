"""Reading 问卷星 JSON push answers (数据推送): .json / .jsonl files or dicts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..cells import as_text
from ..reader import FileRefused
from .common import JSON_META, Q_KEY, SUBMITTED, Answer, blank, parse_time


def _json_items(answer: dict[str, Any], keys: dict[int, str]) -> list[tuple]:
    items: list[tuple[str, int | None, int, Any]] = []
    col = 0

    def add(title: str, raw: Any, key: str) -> None:
        nonlocal col
        if isinstance(raw, list):
            raw = "┋".join(as_text(r) for r in raw)
        number = int(Q_KEY.match(key).group(1)) if Q_KEY.match(key) else None
        items.append((title, number, col, blank(raw)))
        keys[col] = key
        col += 1

    for key, raw in answer.items():
        if key in JSON_META:
            add(JSON_META[key], raw, key)
        elif Q_KEY.match(key):
            add(key.lower(), raw, key)
    given = answer.get("answer") or {}
    if isinstance(given, dict):
        for key, raw in given.items():
            add(key.lower() if Q_KEY.match(key) else key, raw, key)
    elif isinstance(given, list):
        for item in given:
            if isinstance(item, dict):
                key = as_text(item.get("q") or item.get("id") or item.get("index"))
                key = f"q{key}" if key.isdigit() else key
                title = as_text(item.get("title")) or key.lower()
                raw = next((item[k] for k in ("answer", "text", "value") if k in item), "")
                add(title, raw, key or title)
                if key and title != key.lower() and Q_KEY.match(key):
                    items[-1] = (title, int(key[1:]), items[-1][2], items[-1][3])
    return items


def json_answers(answers: Iterable[dict[str, Any]], label: str) -> list[Answer]:
    result = []
    for index, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            raise FileRefused(f"{label} 第{index}条 不是 JSON 对象（问卷星推送的一份答卷）")
        keys: dict[int, str] = {}
        items = _json_items(answer, keys)
        time_col = next((c for t, _, c, _r in items if t == SUBMITTED), 0)
        result.append(
            Answer(
                row=index,
                number=as_text(answer.get("joinid") or answer.get("index")) or f"#{index}",
                submitted=parse_time(answer.get("submittime")),
                ip=as_text(answer.get("ipaddress")).split("(", 1)[0].strip(),
                items=items,
                name=as_text(answer.get("name")),
                time_col=time_col,
                keys=keys,
            )
        )
    return result


def read_json(path: Path) -> list[dict[str, Any]]:
    """The answers of a .json (one object or a list) or .jsonl file (one object a line)."""
    from ...textfiles import decode

    try:
        text = decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRefused(f"无法读取 {path.name}：{exc}") from None
    if path.suffix.lower() == ".jsonl":
        found = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise FileRefused(
                        f"{path.name} 第 {number} 行不是 JSON：{exc.msg}（第 {exc.colno} 个字符）"
                    ) from None
        return found
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            f"{path.name} 不是 JSON：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 个字符）"
        ) from None
    return data if isinstance(data, list) else [data]
