"""Notification channels: one small sender per kind, all with `send(target, message)`.

DingTalk and WeCom group robots are plain JSON POSTs (their API address is configurable, so tests
can point them at a local receiver; Apprise's plugins hard-code the real hosts). E-mail (SMTP) and
the generic webhook go through Apprise. A channel without its secret is not an error: it becomes a
`NotConfigured` that says which variable to set, and the sweep lists what it would have sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .secrets import WHAT, Resolver, env_names, lookup, where_to_put

DINGTALK_URL = "https://oapi.dingtalk.com/robot/send"
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
WECOM_TEXT_LIMIT = 2048  # bytes of UTF-8 in one text message
DINGTALK_TEXT_LIMIT = 20000


class SendError(Exception):
    """A channel refused or could not take a message; the text says why (in Chinese)."""


class OutcomeUnknown(SendError):
    """The message went out but no answer came back (a timeout after the request was sent, a
    connection dropped mid-answer): it may have been delivered, so it is never sent again
    automatically — the officer confirms or resends it (待确认)."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str

    @property
    def full_text(self) -> str:
        return f"{self.subject}\n{self.text}"


class Sender(Protocol):
    channel: str

    def send(self, target: str, message: Message) -> None: ...


@dataclass(frozen=True)
class NotConfigured:
    """A channel whose secret is missing: nothing is sent, the sweep says where to put it."""

    channel: str
    reason: str


def truncate_bytes(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes at a line end, with a note of what was left out."""
    if len(text.encode()) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    for n, line in enumerate(lines):
        note = f"……（另有 {len(lines) - n} 行未显示，请查看台账）"
        if len("\n".join([*kept, line, note]).encode()) > limit:
            return "\n".join([*kept, note])
        kept.append(line)
    return text


def _post_json(url: str, payload: dict, timeout: float) -> dict:
    import httpx

    try:
        response = httpx.post(url, json=payload, timeout=timeout)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise SendError(f"连接失败：{exc.__class__.__name__} {exc}") from exc  # never left here
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise OutcomeUnknown(
            f"已发出但未收到应答（{exc.__class__.__name__}，{timeout:g} 秒）：可能已送达"
        ) from exc
    except httpx.HTTPError as exc:
        raise SendError(f"连接失败：{exc.__class__.__name__} {exc}") from exc
    if response.status_code != 200:
        raise SendError(f"HTTP {response.status_code}：{response.text[:200]}")
    try:
        body = response.json()
    except ValueError as exc:
        raise SendError(f"返回的不是 JSON：{response.text[:200]}") from exc
    if body.get("errcode", 0) != 0:
        raise SendError(f"接口返回错误 {body.get('errcode')}：{body.get('errmsg', '')}")
    return body


@dataclass(frozen=True)
class DingTalkRobot:
    """A DingTalk group robot (自定义机器人); `target` is only a label (the token picks the group)."""

    token: str
    secret: str | None = None  # 加签
    url: str = DINGTALK_URL
    timeout: float = 10.0
    clock: Callable[[], float] = time.time  # signing needs the real time; tests pass a fixed one
    channel: str = "dingtalk"

    def signed_url(self) -> str:
        params = {"access_token": self.token}
        if self.secret:
            timestamp = str(round(self.clock() * 1000))
            digest = hmac.new(
                self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
            )
            params |= {"timestamp": timestamp, "sign": base64.b64encode(digest.digest()).decode()}
        return f"{self.url}?{urllib.parse.urlencode(params)}"

    def payload(self, message: Message) -> dict:
        return {
            "msgtype": "text",
            "text": {"content": truncate_bytes(message.full_text, DINGTALK_TEXT_LIMIT)},
        }

    def send(self, target: str, message: Message) -> None:
        _post_json(self.signed_url(), self.payload(message), self.timeout)


@dataclass(frozen=True)
class WeComRobot:
    """A WeCom (企业微信) group robot."""

    key: str
    url: str = WECOM_URL
    timeout: float = 10.0
    channel: str = "wecom"

    def payload(self, message: Message) -> dict:
        return {
            "msgtype": "text",
            "text": {"content": truncate_bytes(message.full_text, WECOM_TEXT_LIMIT)},
        }

    def send(self, target: str, message: Message) -> None:
        _post_json(
            f"{self.url}?{urllib.parse.urlencode({'key': self.key})}",
            self.payload(message),
            self.timeout,
        )


def _apprise_notify(url: str, message: Message) -> None:
    import apprise

    app = apprise.Apprise()
    if not app.add(url):
        raise SendError("Apprise 无法识别该地址（请检查服务器、端口和模式设置）")
    with apprise.LogCapture(level=apprise.logging.WARNING) as logs:
        ok = app.notify(
            title=message.subject, body=message.text, body_format=apprise.NotifyFormat.TEXT
        )
    if not ok:
        detail = " ".join(line.strip() for line in logs.getvalue().splitlines() if line.strip())
        if "Read timed out" in detail or "read timeout" in detail.lower():
            raise OutcomeUnknown(f"已发出但未收到应答：可能已送达（{detail[:200]}）")
        raise SendError(detail[:300] or "发送失败（Apprise 未给出原因）")


@dataclass(frozen=True)
class EmailSender:
    """E-mail through an SMTP server (Apprise `mailto://`); `target` is the address."""

    host: str
    port: int | None = None
    mode: str = "ssl"  # ssl / starttls / insecure
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    channel: str = "email"

    def url(self, target: str) -> str:
        quote = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731
        auth = f"{quote(self.user)}:{quote(self.password or '')}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        scheme = "mailto" if self.mode == "insecure" else "mailtos"
        params = {"smtp": self.host, "to": target, "mode": self.mode}
        if self.sender:
            params["from"] = self.sender
        return f"{scheme}://{auth}{self.host}{port}?{urllib.parse.urlencode(params)}"

    def send(self, target: str, message: Message) -> None:
        _apprise_notify(self.url(target), message)


@dataclass(frozen=True)
class WebhookSender:
    """A generic webhook: Apprise's JSON POST `{"title", "message", "type", …}` to a URL."""

    url: str
    channel: str = "webhook"

    def send(self, target: str, message: Message) -> None:
        scheme, _, rest = self.url.partition("://")
        if scheme not in ("http", "https", "json", "jsons"):
            raise SendError(f"Webhook 地址应以 http:// 或 https:// 开头：{scheme}://…")
        json_scheme = {"http": "json", "https": "jsons"}.get(scheme, scheme)
        _apprise_notify(f"{json_scheme}://{rest}", message)


def build_sender(
    channel: str,
    target: str,
    resolve: Resolver,
    secret_name: str | None = None,
    timeout: float = 10.0,
) -> Sender | NotConfigured:
    """The sender for one recipient, from the secrets `resolve` finds (see `secrets`); robots
    wait `timeout` seconds for an answer."""

    def get(setting: str) -> str | None:
        return lookup(resolve, setting, target, secret_name)

    def missing() -> NotConfigured:
        return NotConfigured(
            channel, f"未配置{WHAT[channel]}（{where_to_put(channel, target, secret_name)}）"
        )

    if channel == "dingtalk":
        token = get("DINGTALK_TOKEN")
        if not token:
            return missing()
        return DingTalkRobot(
            token=token,
            secret=get("DINGTALK_SECRET"),
            url=get("DINGTALK_URL") or DINGTALK_URL,
            timeout=timeout,
        )
    if channel == "wecom":
        key = get("WECOM_KEY")
        url = get("WECOM_URL") or WECOM_URL
        return WeComRobot(key=key, url=url, timeout=timeout) if key else missing()
    if channel == "email":
        host = get("SMTP_HOST")
        if not host:
            return missing()
        port = get("SMTP_PORT")
        mode = (get("SMTP_MODE") or "ssl").lower()
        if mode not in ("ssl", "starttls", "insecure"):
            return NotConfigured(
                channel,
                f"{env_names('SMTP_MODE')[0]} 应为 ssl、starttls 或 insecure，而不是 {mode}",
            )
        return EmailSender(
            host=host,
            port=int(port) if port and port.isdigit() else None,
            mode=mode,
            user=get("SMTP_USER"),
            password=get("SMTP_PASSWORD"),
            sender=get("SMTP_FROM"),
        )
    if channel == "webhook":
        url = get("WEBHOOK_URL")
        return WebhookSender(url=url) if url else missing()
    return NotConfigured(channel, f"未知渠道 {channel}")


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all, waiting `delay`, `delay × factor`, … seconds between them."""

    attempts: int = 3
    delay: float = 2.0
    factor: float = 3.0
    timeout: float = 10.0  # seconds a robot has to answer; after that the outcome is unknown

    def delays(self) -> list[float]:
        return [self.delay * self.factor**n for n in range(max(self.attempts - 1, 0))]


DEFAULT_RETRY = RetryPolicy()


def send_with_retry(
    sender: Sender,
    target: str,
    message: Message,
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Send; on a failure that left the message undelivered, wait and try again. None when sent,
    else the last error (one bad channel must not stop the sweep). Raises OutcomeUnknown, at
    once and never retried, when the message may have been delivered."""
    error = None
    for wait in [*policy.delays(), None]:
        try:
            sender.send(target, message)
            return None
        except OutcomeUnknown:
            raise
        except SendError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a channel bug is a failed send, not a failed sweep
            error = f"{exc.__class__.__name__}: {exc}"
        if wait is not None:
            sleep(wait)
    return error
