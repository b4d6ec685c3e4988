"""YAML syntax errors as located Chinese messages with the likely fix."""

from __future__ import annotations

import re

import yaml

from .errors import SpecIssue
from .yamlpos import Refused

_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "YAML 不允许用 Tab 缩进，请改用空格",
    "mapping values are not allowed here": "此处不能出现冒号：若文字里有冒号，请给整段文字加引号",
    "could not find expected ':'": "缺少冒号“:”（键和值之间要有冒号和空格）",
    "found undefined alias": "引用了未定义的锚点",
    "expected <block end>, but found": "缩进不一致：同一层级的项目要对齐",
    "found unexpected end of stream": "引号或括号没有闭合",
    "did not find expected key": "缩进不一致或缺少“- ”：同一层级的项目要对齐",
    "did not find expected '-' indicator": "列表项缺少“- ”或缩进不一致",
    "found unhashable key": "键不能是列表或键值对",
}


_UNCLOSED = {
    "while parsing a flow sequence": "方括号 [ 没有闭合（或列表项之间缺少逗号）",
    "while parsing a flow mapping": "花括号 { 没有闭合（或键值对之间缺少逗号）",
    "while scanning a quoted scalar": "引号没有闭合",
}


def syntax_issue(exc: yaml.YAMLError, display: str, text: str) -> SpecIssue:
    if isinstance(exc, Refused):  # a bound or a tag: its own message, at its node
        lines = text.splitlines()
        line = min(exc.mark.line + 1, max(len(lines), 1))
        source = lines[line - 1] if lines else None
        return SpecIssue(display, line, exc.mark.column + 1, exc.message, source)
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    hint = next((h for k, h in _SYNTAX_HINTS.items() if problem.startswith(k)), None)
    lines = text.splitlines()
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context in _UNCLOSED and context_mark is not None and mark is not None:
        # point at the opening bracket or quote, which is where the fix goes
        if context_mark.line != mark.line or context == "while scanning a quoted scalar":
            hint = _UNCLOSED[context]
            mark = context_mark
    if mark is not None and mark.line < len(lines):
        quoted = _quote_then_text(lines[mark.line], mark.column)
        if quoted:
            hint = f"引号之后还有文字：以引号开头的内容须整段再加一层引号，如 {quoted}"
    msg = f"YAML 语法错误：{hint}" if hint else f"YAML 语法错误：{problem}"
    if mark is None:
        return SpecIssue(display, 1, 1, msg)
    line = min(mark.line + 1, max(len(lines), 1))
    source = lines[line - 1] if lines else None
    return SpecIssue(display, line, mark.column + 1, msg, source)


def _quote_then_text(line: str, column: int) -> str | None:
    """`key: "引号"后文` fails after the closing quote: the fix, `key: '"引号"后文'`, or None."""
    before = line[:column].rstrip()
    match = re.match(r"^(\s*(?:- )?(?:[\w-]+:\s+)?)([\"'])", before)
    if not match or not before.endswith(match.group(2)) or len(before) == match.end():
        return None
    value = line[match.end(1) :].split(" #", 1)[0].rstrip()
    if "'" not in value:
        return f"{match.group(1).strip()} '{value}'"
    return f'{match.group(1).strip()} "{value.replace(chr(34), chr(92) + chr(34))}"'
