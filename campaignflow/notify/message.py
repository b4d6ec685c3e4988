"""The text a recipient reads: one message per digest, in Chinese."""

from __future__ import annotations

import datetime as dt

from ..deadlines import Digest
from ..spec import LoadedCampaign
from .channels import Message

FOOTER = "（本消息由 campaignflow 自动发送，请勿直接回复）"


def short_title(loaded: LoadedCampaign) -> str:
    meta = loaded.spec.campaign
    return meta.short_title or meta.title.strip('“”"')


def compose(loaded: LoadedCampaign, digest: Digest, as_of: dt.date) -> Message:
    """`【八破八立】期限提醒（2023-03-28）` and the digest's numbered lines."""
    subject = f"【{short_title(loaded)}】期限提醒（{as_of}）"
    return Message(subject=subject, text=f"{digest.text}\n{FOOTER}")
