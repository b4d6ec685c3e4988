"""Quiet hours: no message at night (default 21:00–08:00 in the campaign's time zone)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def _hhmm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def local_time(now: dt.datetime, timezone: str) -> dt.datetime:
    """`now` in the campaign's zone; a naive `now` is taken to be local time already."""
    zone = ZoneInfo(timezone)
    return now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)


def in_quiet_hours(now: dt.datetime, quiet_hours: tuple[str, str], timezone: str) -> bool:
    """True from `start` (inclusive) to `end` (exclusive), across midnight when start > end."""
    start, end = (_hhmm(t) for t in quiet_hours)
    t = local_time(now, timezone).time()
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end
