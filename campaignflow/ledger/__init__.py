"""The 问题 → 整改 ledger: the measures' state machine (销号, 巩固, reopening) and 对账.

States of a rectification measure and the transitions allowed (anything else is
`IllegalTransition`, with a message saying what is possible):

    未启动 → 整改中 (start) | 已完成 (close) | 长期坚持 (standing)
    整改中 → 已完成 (close) | 长期坚持 (standing)
    已完成 → 巩固 (consolidate, on or after its review date 巩固复查日期) | 整改中 (reopen)
    巩固   → 整改中 (reopen)
    长期坚持 → 整改中 (reopen)

销号 (close) needs evidence (text, or a file that exists) and a reviewer who is not the measure's
责任人. Reopening needs a reason. Every change is audit-logged (`audit_log`, action `state`).
A problem is closed (整改完成) on a date when it has at least one measure and all of them were
已完成/巩固/长期坚持 on that date (`states.problem_closed`); nothing of it is stored.
"""

from __future__ import annotations

from .reconcile import Reconciliation, reconcile, reconcile_by_unit, reconciliation_table
from .states import (
    CLOSED_STATES,
    CONSOLIDATED,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    STANDING_STATE,
    STATES,
    TRANSITIONS,
    IllegalTransition,
    LedgerError,
    UnknownMeasure,
)
from .transitions import (
    close_measure,
    consolidate_due,
    consolidate_measure,
    evidence_text,
    find_measure,
    mark_standing,
    reopen_measure,
    start_measure,
    transition,
)

__all__ = [
    "CLOSED_STATES",
    "CONSOLIDATED",
    "DONE",
    "IN_PROGRESS",
    "IllegalTransition",
    "LedgerError",
    "NOT_STARTED",
    "Reconciliation",
    "STANDING_STATE",
    "STATES",
    "TRANSITIONS",
    "UnknownMeasure",
    "close_measure",
    "consolidate_due",
    "consolidate_measure",
    "evidence_text",
    "find_measure",
    "mark_standing",
    "reconcile",
    "reconcile_by_unit",
    "reconciliation_table",
    "reopen_measure",
    "start_measure",
    "transition",
]
