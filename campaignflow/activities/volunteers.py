"""Volunteer services (志愿服务): their 次 and 人次, from the activity counts."""

from __future__ import annotations

from .counts import ActivityCount

VOLUNTEER_TYPE = "志愿服务"


def volunteer_summary(counts: list[ActivityCount]) -> dict[str, int]:
    """志愿服务: 次 and 人次."""
    own = [c for c in counts if c.type == VOLUNTEER_TYPE]
    return {"times": sum(c.times for c in own), "person_times": sum(c.person_times for c in own)}
