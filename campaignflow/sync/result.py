"""What a sync did (counts and audited changes), what it needs of a campaign, and its errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import CampaignflowError

if TYPE_CHECKING:
    from ..spec.models import Campaign as CampaignSpec
    from ..spec.models import Measure as MeasureSpec
    from ..spec.models import Person as PersonSpec
    from ..spec.models import Unit as UnitSpec


ENTITIES = ("campaign", "unit", "person", "stage", "form", "measure", "assignment")
LABELS = {
    "campaign": "活动",
    "unit": "组织",
    "person": "人员",
    "stage": "阶段",
    "form": "表单",
    "measure": "措施",
    "assignment": "任务分派",
}


class CampaignSource(Protocol):
    """What sync needs of a loaded campaign (`campaignflow.spec.LoadedCampaign`)."""

    path: Path
    spec: CampaignSpec
    units: list[UnitSpec]
    people: list[PersonSpec]
    due: dict[str, dt.date | None]

    def owner_units(self, measure: MeasureSpec) -> list[UnitSpec]: ...


@dataclass
class Counts:
    """Rows inserted, updated, archived and left unchanged."""

    inserted: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.archived += other.archived
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class Change:
    """One row change, as written to the audit log (FK columns shown as natural keys)."""

    entity: str
    key: str
    action: str  # insert / update / restore / archive
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class SyncResult:
    """What a sync did, by entity, and the audited changes."""

    campaign: str
    counts: dict[str, Counts] = field(default_factory=lambda: {e: Counts() for e in ENTITIES})
    changes: list[Change] = field(default_factory=list)
    skipped: bool = False  # the database already held this very spec: nothing was compared

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total.add(counts)
        return total

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        """One line in Chinese, e.g. `新增 40、更新 2、归档 1、未变 37`."""
        if self.skipped:
            return "方案未改动（与上次同步相同），跳过"
        t = self.total
        return f"新增 {t.inserted}、更新 {t.updated}、归档 {t.archived}、未变 {t.unchanged}"

    def details(self) -> list[str]:
        """Per-entity lines for the entities that changed, e.g. `措施：更新 1`."""
        lines = []
        for entity, c in self.counts.items():
            parts = [
                f"{label} {n}"
                for label, n in (("新增", c.inserted), ("更新", c.updated), ("归档", c.archived))
                if n
            ]
            if parts:
                lines.append(f"{LABELS[entity]}：{'、'.join(parts)}")
        return lines


class SyncError(CampaignflowError):
    """The spec cannot be written to the database; nothing was written."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__("\n".join([message, *(f"  - {p}" for p in self.problems)]))


class SyncRefused(SyncError):
    """The spec drops items that already have data, and `archive` was not given."""
