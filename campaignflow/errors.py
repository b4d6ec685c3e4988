"""The one error base class: what a user can cause or fix, with its message and exit code.

Every domain error a person can act on derives from `CampaignflowError`. Its message is the
Chinese sentence shown after `错误:` and says what to do; `exit_code` is 2 for bad input (a file,
a name, a date) and 1 for a failure of the environment (database, file system). The CLI turns
any of them into one line and that exit code; flows fail the run with the same message.
"""

from __future__ import annotations

EXIT_FAILURE, EXIT_BAD_INPUT = 1, 2


class CampaignflowError(Exception):
    """An error with a message for the user (Chinese) and the CLI exit code it maps to."""

    exit_code = EXIT_BAD_INPUT


class NotSynced(CampaignflowError, LookupError):
    """The campaign is not in the database yet."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"活动 {key} 尚未写入数据库：请先运行 campaignflow sync（run、import 会先自动同步）"
        )
