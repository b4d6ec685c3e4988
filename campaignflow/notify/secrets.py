"""Where channel secrets and settings come from: environment variables (or Prefect Secret blocks of
the same name in lowercase with dashes) — never the campaign file.

| channel  | secret / setting                                  | environment variable                         |
|----------|---------------------------------------------------|----------------------------------------------|
| dingtalk | robot access_token (required)                     | CAMPAIGNFLOW_DINGTALK_TOKEN[__<NAME>]        |
|          | 加签 secret `SEC…` (when the robot uses signing)   | CAMPAIGNFLOW_DINGTALK_SECRET[__<NAME>]       |
|          | API address (tests, proxies)                      | CAMPAIGNFLOW_DINGTALK_URL                    |
| wecom    | robot webhook key (required)                      | CAMPAIGNFLOW_WECOM_KEY[__<NAME>]             |
|          | API address                                       | CAMPAIGNFLOW_WECOM_URL                       |
| email    | SMTP server (required), port, mode                | CAMPAIGNFLOW_SMTP_HOST / _PORT / _MODE       |
|          | login and password, sender address                | CAMPAIGNFLOW_SMTP_USER / _PASSWORD / _FROM   |
| webhook  | the URL (it often carries a token)                | CAMPAIGNFLOW_WEBHOOK_URL[__<NAME>]           |

`<NAME>` is the recipient's `secret_name` (or its `target` when that is plain ASCII), upper-case:
one robot per work group; without it the variable without suffix is used. The Prefect Secret
block for `CAMPAIGNFLOW_DINGTALK_TOKEN__JIGUAN` is `campaignflow-dingtalk-token--jiguan`.

Nothing here reads the environment by itself: callers pass a resolver (name -> value or None).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

Resolver = Callable[[str], str | None]

PREFIX = "CAMPAIGNFLOW_"
REQUIRED = {
    "dingtalk": "DINGTALK_TOKEN",
    "wecom": "WECOM_KEY",
    "email": "SMTP_HOST",
    "webhook": "WEBHOOK_URL",
}
PER_TARGET = {"DINGTALK_TOKEN", "DINGTALK_SECRET", "WECOM_KEY", "WEBHOOK_URL"}
WHAT = {
    "dingtalk": "钉钉机器人密钥",
    "wecom": "企业微信机器人密钥",
    "email": "邮件服务器（SMTP）设置",
    "webhook": "Webhook 地址",
}


def env_resolver(environ: Mapping[str, str] | None = None) -> Resolver:
    """Look names up in `environ` (default: the process environment at call time)."""

    def resolve(name: str) -> str | None:
        source = os.environ if environ is None else environ
        return source.get(name) or None

    return resolve


def chain(*resolvers: Resolver) -> Resolver:
    """The first resolver that knows the name wins."""

    def resolve(name: str) -> str | None:
        for resolver in resolvers:
            value = resolver(name)
            if value:
                return value
        return None

    return resolve


def suffix(target: str, secret_name: str | None = None) -> str | None:
    """`JIGUAN` for secret_name jiguan or target `jiguan-group`→`JIGUAN_GROUP`; None for 中文 targets."""
    name = secret_name or target
    if re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
        return name.upper().replace("-", "_")
    return None


def env_names(setting: str, target: str = "", secret_name: str | None = None) -> list[str]:
    """Names to try, most specific first: `CAMPAIGNFLOW_DINGTALK_TOKEN__JIGUAN`, `…_TOKEN`."""
    base = PREFIX + setting
    tail = suffix(target, secret_name) if setting in PER_TARGET else None
    return [f"{base}__{tail}", base] if tail else [base]


def block_name(env_name: str) -> str:
    """The Prefect Secret block that may hold the same value (block names: lowercase and dashes)."""
    return env_name.lower().replace("_", "-")


def lookup(
    resolve: Resolver, setting: str, target: str = "", secret_name: str | None = None
) -> str | None:
    for name in env_names(setting, target, secret_name):
        value = resolve(name)
        if value:
            return value
    return None


def where_to_put(channel: str, target: str = "", secret_name: str | None = None) -> str:
    """`环境变量 CAMPAIGNFLOW_DINGTALK_TOKEN（或 Prefect Secret 块 campaignflow-dingtalk-token）`."""
    setting = REQUIRED.get(channel, "WEBHOOK_URL")
    name = env_names(setting, target, secret_name)[0]
    return f"环境变量 {name}（或 Prefect Secret 块 {block_name(name)}）"
