"""The deadline sweep: which assignments are due soon or overdue, and who should hear about it.

Decisions only (one digest per recipient unit, never one message per item); sending them through
the campaign's channels is `campaignflow.notify`'s job.

Each reminder belongs to one working day, so the notification log can key it by
(item, kind, day) and a rerun — or a sweep on a weekend — repeats nothing:
- before due: the threshold reached (the smallest of `before_due` ≥ working days left), on the
  working day `due - n`; a sweep that was missed or queued catches up with the same key;
- overdue: once per working day overdue, to the owner unit;
- escalation: once, to the owner's superior unit, when `escalate_after` working days overdue.

A due date on a holiday or a rest day moves to the next working day (期限届满日为节假日的，顺延至
节假日后的第一个工作日).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .calendar import CalendarNotCovered, MemoCalendar, WorkCalendar
from .progress import NOT_STARTED, AssignmentStatus, Progress
from .spec import LoadedCampaign

BEFORE_DUE = "即将到期"
OVERDUE = "逾期"
ESCALATION = "逾期督办"
KIND_CODES = {BEFORE_DUE: "before", OVERDUE: "overdue", ESCALATION: "escalate"}


@dataclass(frozen=True)
class ReminderItem:
    """One line of a digest."""

    kind: str  # 即将到期 / 逾期 / 逾期督办
    item: AssignmentStatus
    workdays: int  # working days left (before due) or overdue
    on: dt.date | None = None  # the working day this reminder belongs to (dedupe key)
    threshold: int | None = None  # the before_due threshold reached
    due: dt.date | None = None  # the effective due date (a holiday moved to the next working day)
    link: str | None = None  # the owner's web form link (`campaignflow web`), when served

    @property
    def key(self) -> str:
        """`before3:plan@office:2023-03-28` — the same reminder has the same key on every run."""
        code = KIND_CODES.get(self.kind, self.kind)
        if self.threshold is not None:
            code += str(self.threshold)
        return f"{code}:{self.item.measure}@{self.item.unit}:{self.on or ''}"

    @property
    def text(self) -> str:
        line = self._line()
        return f"{line}；网页填报：{self.link}" if self.link else line

    def _line(self) -> str:
        i = self.item
        head = f"【{self.kind}】{i.title}（{i.unit_name}）"
        moved = f"（节假日顺延至 {self.due}）" if self.due and i.due and self.due != i.due else ""
        if self.kind != BEFORE_DUE:
            return f"{head}已逾期 {self.workdays} 个工作日（期限 {i.due}{'，' + moved[1:-1] if moved else ''}）"
        if self.workdays <= 0:
            return f"{head}今天到期（期限 {i.due}{'，' + moved[1:-1] if moved else ''}）"
        return f"{head}将于 {i.due}{moved or ' '}到期，还剩 {self.workdays} 个工作日"


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

    def only(self, items: list[ReminderItem]) -> Digest:
        """The same recipient with just `items` (those not sent yet)."""
        return replace(self, items=list(items))


def effective_due(calendar: WorkCalendar | MemoCalendar, due: dt.date) -> dt.date:
    """`due`, or the next working day when it falls on a holiday or a rest day."""
    day = due
    try:
        for _ in range(31):
            if calendar.is_workday(day):
                return day
            day += dt.timedelta(days=1)
    except CalendarNotCovered:
        pass
    return due


def _threshold(left: int, before_due: list[int]) -> int | None:
    """The smallest configured threshold ≥ the working days left (None: too early)."""
    reached = [n for n in before_due if n >= left]
    return min(reached) if reached else None


def plan_reminders(
    *,
    loaded: LoadedCampaign,
    progress: Progress,
    as_of: dt.date,
    link: Callable[[str, str], str | None] | None = None,
) -> list[Digest]:
    """Digests per recipient unit: before-due reminders, overdue notices, escalations to the
    owner's superior unit after `escalate_after` working days. `link(measure, unit)`: the
    owner's web form link, added to its reminders (not to escalations)."""
    policy = loaded.spec.reminders
    calendar = MemoCalendar(loaded.calendar)
    units = {u.id: u for u in loaded.units}
    digests: dict[str, Digest] = {}

    def add(unit_id: str, item: ReminderItem) -> None:
        unit = units.get(unit_id)
        digest = digests.setdefault(unit_id, Digest(unit_id, unit.name if unit else unit_id))
        digest.items.append(item)

    for status in progress.items:
        if status.done or status.due is None or status.state == NOT_STARTED:
            continue
        due = effective_due(calendar, status.due)
        if as_of <= due:
            left = calendar.workdays_between(as_of, due)
            threshold = _threshold(left, policy.before_due)
            if threshold is not None:
                on = calendar.add_workdays(due, -threshold)
                url = link(status.measure, status.unit) if link else None
                add(status.unit, ReminderItem(BEFORE_DUE, status, left, on, threshold, due, url))
            continue
        overdue = calendar.workdays_between(due, as_of)
        if overdue < 1:
            continue  # past due only by rest days: the first working day after says so
        url = link(status.measure, status.unit) if link else None
        on = calendar.add_workdays(due, overdue)
        add(status.unit, ReminderItem(OVERDUE, status, overdue, on, None, due, url))
        parent = units[status.unit].parent if status.unit in units else None
        escalate_after = max(policy.escalate_after, 1)
        if overdue >= escalate_after and parent:
            on = calendar.add_workdays(due, escalate_after)
            add(parent, ReminderItem(ESCALATION, status, overdue, on, None, due))
    return sorted(digests.values(), key=lambda d: d.unit)


def merge_progress(parts: list[Progress]) -> Progress:
    """Several stages' progress as one (a recipient gets one digest per sweep, not per stage)."""
    items = [i for p in parts for i in p.items]
    return Progress(
        stage=None, done=sum(p.done for p in parts), total=sum(p.total for p in parts), items=items
    )
