"""The deadline sweep: which assignments are due soon or overdue, and who should hear about it.

Decisions only (one digest per recipient, never one message per item); sending them through the
campaign's channels is the notifier's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .progress import AssignmentStatus, Progress
from .spec import LoadedCampaign


@dataclass(frozen=True)
class ReminderItem:
    """One line of a digest."""

    kind: str  # 即将到期 / 逾期 / 逾期督办
    item: AssignmentStatus
    workdays: int  # working days left (before due) or overdue

    @property
    def text(self) -> str:
        i = self.item
        if self.kind == "即将到期":
            return f"【{self.kind}】{i.title}（{i.unit_name}）将于 {i.due} 到期，还剩 {self.workdays} 个工作日"
        return f"【{self.kind}】{i.title}（{i.unit_name}）已逾期 {self.workdays} 个工作日（期限 {i.due}）"


@dataclass
class Digest:
    """Everything one recipient unit should hear about in one sweep."""

    unit: str
    unit_name: str
    items: list[ReminderItem] = field(default_factory=list)

    @property
    def text(self) -> str:
        lines = [f"{self.unit_name}：以下 {len(self.items)} 项工作请关注"]
        lines += [f"{n}. {item.text}" for n, item in enumerate(self.items, start=1)]
        return "\n".join(lines)


def plan_reminders(*, loaded: LoadedCampaign, progress: Progress, as_of: dt.date) -> list[Digest]:
    """Digests per recipient unit: before-due reminders, overdue notices, escalations to the
    owner's superior unit after `escalate_after` working days."""
    policy = loaded.spec.reminders
    calendar = loaded.calendar
    units = {u.id: u for u in loaded.units}
    digests: dict[str, Digest] = {}

    def add(unit_id: str, item: ReminderItem) -> None:
        unit = units.get(unit_id)
        digest = digests.setdefault(unit_id, Digest(unit_id, unit.name if unit else unit_id))
        digest.items.append(item)

    for status in progress.items:
        if status.done or status.due is None or status.state == "未开始":
            continue
        if status.due >= as_of:
            left = calendar.workdays_between(as_of, status.due)
            if left in policy.before_due:
                add(status.unit, ReminderItem("即将到期", status, left))
            continue
        overdue = status.workdays_overdue
        add(status.unit, ReminderItem("逾期", status, overdue))
        parent = units[status.unit].parent if status.unit in units else None
        if overdue >= policy.escalate_after and parent:
            add(parent, ReminderItem("逾期督办", status, overdue))
    return sorted(digests.values(), key=lambda d: d.unit)
