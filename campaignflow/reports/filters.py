"""House-style filters for report templates: Chinese numbering, counts, percentages, dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..anonymity import Suppressed
from ..figures import number_text, percent_text

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (up to 999)."""
    if n < 0:
        return "负" + cn_number(-n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = (
            ""
            if rest == 0
            else (
                "零" + _DIGITS[rest]
                if rest < 10
                else cn_number(rest)
                if rest >= 20
                else "一" + cn_number(rest)
            )
        )
        return _DIGITS[n // 100] + "百" + tail
    return str(n)


def cn_quantity(n: int) -> str:
    """A number before a measure word: 2 -> 两 (两次, 两个方面), otherwise as cn_number."""
    text = cn_number(int(n))
    if int(n) == 2:
        return "两"
    if text.startswith("二百"):
        return "两" + text[1:]
    return text


def section(n: int, level: int = 1) -> str:
    """Official section numbers: level 1 一、 level 2 （一） level 3 1. level 4 （1）."""
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def ordinal_is(n: int) -> str:
    """1 -> 一是, 2 -> 二是 …"""
    return f"{cn_number(n)}是"


def count(value: Any, unit: str = "") -> str:
    """37 -> 37次 (with the unit given); None -> 0; 2.345 -> 2.35 (half up); a figure over too
    few raters -> （少于 3 人，不单列）, without the unit."""
    if isinstance(value, Suppressed):
        return str(value)
    return f"{number_text(value)}{unit}"


def percent(value: Any, digits: int = 1) -> str:
    """0.923 -> 92.3%; 13/16 -> 81.3% (half up, as offices round); None -> —."""
    return percent_text(value, digits)


def cn_date(value: Any, precision: str = "day") -> str:
    """2023-11-05 -> 2023年11月5日 (precision month: 2023年11月)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if value is None:
        return ""
    if precision == "month":
        return f"{value.year}年{value.month}月"
    return f"{value.year}年{value.month}月{value.day}日"


_FULL_WIDTH = str.maketrans(
    {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
)


def full_width(text: str) -> str:
    """ASCII punctuation between Chinese text -> full-width (，；：？！（）)."""
    return str(text).translate(_FULL_WIDTH)


def join_cn(items: Any, sep: str = "、") -> str:
    return sep.join(str(i) for i in items)


def run_in(text: str, prefix: str = "", limit: int = 30) -> str:
    """「进一步加强党性修养。坚持……」 -> 「**（一）进一步加强党性修养**。坚持……」.

    A run-in heading in the bold form GitHub-flavoured Markdown renders (the full stop outside
    the `**`); text without a short first sentence gets only the prefix.
    """
    text = str(text).strip()
    head, stop, rest = text.partition("。")
    if not stop or not head or len(head) > limit or "*" in head:
        return f"{prefix}{text}"
    return f"**{prefix}{head}**。{rest}"


def select_keys(mapping: Any) -> list[str]:
    """The keys of a breakdown that have a count: {"自己找": 5, "群众评议": 0} -> ["自己找"]."""
    return [str(k) for k, v in dict(mapping).items() if v]


def quote_each(items: Any) -> list[str]:
    """["不愿担当", "不敢担当"] -> ["“不愿担当”", "“不敢担当”"]."""
    return [f"“{i}”" for i in items]


TITLE_BREAK = "\u200b"  # where a long title may go to its second line (layout.lay_out)


def title_join(parts: Any) -> str:
    """Join the parts of a title without saying a word twice where they meet:
    ["2023年度党建工作", "工作总结"] -> 2023年度党建工作总结; 学习动员阶段 + 阶段工作报告 -> 学习动员阶段工作报告.
    The joins are marked (a zero-width space) as the places a long title may break."""
    out = ""
    for part in (str(p) for p in parts if p):
        plain = out.replace(TITLE_BREAK, "")
        overlap = next(
            (n for n in range(min(len(plain), len(part)), 1, -1) if plain.endswith(part[:n])), 0
        )
        rest = part[overlap:]
        if rest:
            out += (TITLE_BREAK if out else "") + rest
    return out


FILTERS = {
    "title_join": title_join,
    "select_keys": select_keys,
    "quote_each": quote_each,
    "cn_number": cn_number,
    "cn_quantity": cn_quantity,
    "run_in": run_in,
    "section": section,
    "ordinal_is": ordinal_is,
    "count": count,
    "percent": percent,
    "cn_date": cn_date,
    "full_width": full_width,
    "join_cn": join_cn,
}
