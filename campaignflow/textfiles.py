"""Reading text files the way Chinese users save them: UTF-8 (with or without BOM) or GB18030."""

from __future__ import annotations

from pathlib import Path


def decode(raw: bytes) -> str:
    """UTF-8 first (BOM stripped), then GB18030 (a superset of GBK/GB2312)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def read_text(path: Path) -> str:
    return decode(Path(path).read_bytes())
