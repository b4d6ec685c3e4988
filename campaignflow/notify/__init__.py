"""Notification channels and delivery of the deadline sweep's digests.

`secrets` (where tokens come from), `channels` (DingTalk/WeCom robots, e-mail and webhook via
Apprise, retry with backoff), `quiet` (quiet hours), `message` (the Chinese text), `outbox`
(the notification log: nothing sent twice, queueing, one message per recipient).
"""

from .channels import Message, NotConfigured, RetryPolicy, SendError, build_sender, send_with_retry
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
