"""How a figure is printed: rounded half up, once (offices round 13/16 = 81.25% to 81.3%).

Values are kept unrounded until here. A float's shortest repr is used as its decimal value, so
a quotient that is exactly a tie (0.8125) rounds up, as on paper.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .anonymity import Suppressed


def decimal(value: Any) -> Decimal:
    """`value` as the decimal it is written as (a float by its shortest repr)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(float(value)))


def half_up(value: Any, digits: int = 0) -> Decimal:
    """`value` rounded half up to `digits` decimal places."""
    return decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def percent_text(value: Any, digits: int = 1) -> str:
    """0.8125 -> 81.3%; 1 -> 100%; None -> —. Trailing zeros dropped (50.0% -> 50%). A figure
    over too few raters (anonymity.Suppressed) prints as its note."""
    if value is None:
        return "—"
    if isinstance(value, Suppressed):
        return str(value)
    text = f"{half_up(decimal(value) * 100, digits):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def number_text(value: Any, digits: int = 2) -> str:
    """A count or a sum as printed: integers as they are, others half up to `digits` places."""
    if value is None:
        return "0"
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{half_up(value, digits):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
