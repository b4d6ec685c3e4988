"""Notification channels and delivery of the deadline sweep's digests.

`secrets` (where tokens come from), `channels` (DingTalk/WeCom robots, e-mail and webhook via
Apprise, retry with backoff), `quiet` (quiet hours), `message` (the Chinese text), `outbox`
(the notification log: claimed before sending, at most once, one message per recipient),
`resend` (what is 待确认, sent again by hand). The names below load on first use (PEP 562), so
that `validate`, which only asks `secrets` where a token goes, does not import the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

_WHERE = {
    **dict.fromkeys(
        ["Message", "NotConfigured", "RetryPolicy", "SendError", "build_sender", "send_with_retry"],
        ".channels",
    ),
    **dict.fromkeys(["Delivery", "deliver", "recipients_for"], ".outbox"),
    "in_quiet_hours": ".quiet",
    **dict.fromkeys(["Resolver", "chain", "env_resolver", "where_to_put"], ".secrets"),
}

if TYPE_CHECKING:
    from .channels import (
        Message,
        NotConfigured,
        RetryPolicy,
        SendError,
        build_sender,
        send_with_retry,
    )
    from .outbox import Delivery, deliver, recipients_for
    from .quiet import in_quiet_hours
    from .secrets import Resolver, chain, env_resolver, where_to_put

__all__ = [
    "Delivery",
    "Message",
    "NotConfigured",
    "Resolver",
    "RetryPolicy",
    "SendError",
    "build_sender",
    "chain",
    "deliver",
    "env_resolver",
    "in_quiet_hours",
    "recipients_for",
    "send_with_retry",
    "where_to_put",
]

__getattr__ = lazy_names(__name__, _WHERE)
