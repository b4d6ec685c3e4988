"""Activities: 次, 人次 and distinct participants; cadence checks; volunteer services; 政治素质档案.

- `counts`: 次, 人次 and distinct participants per unit, activity type and month (in SQL).
- `cadence_check`: the 《支部工作条例》 cadence check — units short of an activity in a period.
- `volunteers`: 志愿服务, its 次 and 人次.
- `profiles`: 政治素质档案, the dated entries of each person's file.
- `report`: all of these as plain data for report templates.
"""

from __future__ import annotations

from .cadence_check import Cadence, cadence, campaign_start
from .counts import ActivityCount, activity_counts, totals_by_type
from .profiles import PoliticalFiles, political_files
from .report import report_data
from .volunteers import volunteer_summary

__all__ = [
    "ActivityCount",
    "Cadence",
    "PoliticalFiles",
    "activity_counts",
    "cadence",
    "campaign_start",
    "political_files",
    "report_data",
    "totals_by_type",
    "volunteer_summary",
]
