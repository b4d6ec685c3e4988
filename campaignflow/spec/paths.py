"""Paths a campaign file names (units and people tables, report templates, the inbox) stay inside
the campaign's folder: campaign files are shared between organisations, so a path is untrusted."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath


def outside(root: Path, name: str) -> str | None:
    """Why `name` does not stay inside `root` (the campaign folder), or None when it does."""
    if not name.strip() or "\x00" in name:
        return f"路径 {name!r} 无效"
    windows = PureWindowsPath(name)
    if PurePosixPath(name).is_absolute() or windows.drive or windows.root or name.startswith("~"):
        return f"路径 {name} 须相对于活动文件夹，不能是绝对路径（如 templates/final.md.j2）"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return f"路径 {name} 不能用 .. 指向活动文件夹之外：请把文件放进活动文件夹"
    try:
        real, base = (root / name).resolve(), root.resolve()
    except (OSError, RuntimeError):
        return f"路径 {name} 无法解析（符号链接循环？）"
    if not real.is_relative_to(base):
        return f"路径 {name} 经符号链接指向活动文件夹之外（{real}）：请把文件放进活动文件夹"
    return None


class OutsideCampaign(ValueError):
    """A path of a campaign file that leaves its folder (validate refuses it first)."""


def inside(root: Path, name: str) -> Path:
    """`root / name`, refused when it would leave the campaign folder."""
    problem = outside(root, name)
    if problem:
        raise OutsideCampaign(problem)
    return root / name
