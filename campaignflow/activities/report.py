"""Activities as plain data for report templates: counts, totals, volunteers, cadence, files."""

from __future__ import annotations

from typing import Any

from .cadence_check import Cadence
from .counts import ActivityCount, totals_by_type
from .profiles import PoliticalFiles
from .volunteers import volunteer_summary


def report_data(
    counts: list[ActivityCount], check: Cadence, files: PoliticalFiles
) -> dict[str, Any]:
    """Plain data for report templates (`activities.by_type.党课.times`, …), from the counts,
    the cadence check and the political files computed once for the run."""
    from ..plain import plain

    return {
        "counts": plain(counts),
        "by_type": totals_by_type(counts),
        "volunteer": volunteer_summary(counts),
        "cadence": check.as_dict(),
        "shortfall_count": len(check.shortfalls),
        "political_files": files.files,
        "political_file_entries": files.entries,
    }
