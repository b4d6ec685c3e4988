"""The key that signs links and hashes ballot codes: `CAMPAIGNFLOW_WEB_SECRET`, else a file
`web-secret` in the data folder, made once (mode 0600) with 32 random bytes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..errors import CampaignflowError

ENV = "CAMPAIGNFLOW_WEB_SECRET"
FILE = "web-secret"
MIN_LENGTH = 16


class SecretError(CampaignflowError, ValueError):
    """The configured secret cannot be used."""


def web_secret(home: Path, environ: dict[str, str] | None = None) -> bytes:
    """The signing key for the data folder `home`."""
    env = os.environ if environ is None else environ
    if env.get(ENV):
        value = env[ENV].encode()
        if len(value) < MIN_LENGTH:
            raise SecretError(f"{ENV} 太短：至少 {MIN_LENGTH} 个字符（建议 openssl rand -hex 32）")
        return value
    path = home / FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def keyed(secret: bytes, purpose: str, text: str) -> bytes:
    """HMAC-SHA256 of `text` for one `purpose` (links, codes, csrf … never share a digest)."""
    return hmac.new(secret, f"{purpose}\n{text}".encode(), hashlib.sha256).digest()
