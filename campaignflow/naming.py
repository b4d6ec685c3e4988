"""Names a person reads: flow runs (`八破八立 · 学习动员 · 2023-03-31`) and dates in the campaign's zone."""

from __future__ import annotations

import datetime as dt

from .calendar import today
from .spec import LoadedCampaign, SpecError, load_cached


def short_title(loaded: LoadedCampaign) -> str:
    meta = loaded.spec.campaign
    return meta.short_title or meta.title.strip('“”"')


def run_name(
    spec_path: str, stage: str | None, as_of: dt.date | str | None, suffix: str | None = None
) -> str:
    """`八破八立 · 学习动员 · 2023-03-31`; falls back to ids when the spec cannot be read."""
    try:
        loaded = load_cached(spec_path)
    except SpecError:
        parts = [str(spec_path), stage or "", str(as_of or "")]
        return " · ".join(p for p in parts if p)
    day = as_of or today(loaded.spec.campaign.timezone)
    parts = [short_title(loaded)]
    if stage:
        parts.append(next((s.name for s in loaded.spec.stages if s.id == stage), stage))
    if suffix:
        parts.append(suffix)
    parts.append(str(day))
    return " · ".join(parts)
