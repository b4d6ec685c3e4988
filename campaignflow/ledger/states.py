"""The states of a rectification measure, the transitions allowed, and the ledger's errors."""

from __future__ import annotations

from ..errors import CampaignflowError

CLOSED_STATES = ("已完成", "巩固")
STANDING_STATE = "长期坚持"
NOT_STARTED, IN_PROGRESS, DONE, CONSOLIDATED = "未启动", "整改中", "已完成", "巩固"
STATES = (NOT_STARTED, IN_PROGRESS, DONE, CONSOLIDATED, STANDING_STATE)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    NOT_STARTED: (IN_PROGRESS, DONE, STANDING_STATE),
    IN_PROGRESS: (DONE, STANDING_STATE),
    DONE: (CONSOLIDATED, IN_PROGRESS),
    CONSOLIDATED: (IN_PROGRESS,),
    STANDING_STATE: (IN_PROGRESS,),
}


class LedgerError(CampaignflowError, ValueError):
    """A ledger change that cannot be made (message in Chinese, for the user)."""


class UnknownMeasure(LedgerError):
    pass


class IllegalTransition(LedgerError):
    pass
