"""The one error path of the command line: whatever a command meets — a file name too long, a
read-only or full disk, a locked database, a Prefect server gone — ends in one `错误:` line that
says what happened and what to do, and the exit code; the traceback goes to the data folder's
`logs/campaignflow.log` (or the temp folder when that is not writable), whose path the line names."""

from __future__ import annotations

import datetime as dt
import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path

from ..errors import EXIT_BAD_INPUT, EXIT_FAILURE

_OS = {
    errno.ENAMETOOLONG: (
        "文件名过长（{name}）：文件系统最多允许 255 字节（约 85 个汉字）的文件名，请改短后重试",
        EXIT_BAD_INPUT,
    ),
    errno.ENOENT: ("找不到 {name}：请检查路径", EXIT_BAD_INPUT),
    errno.EACCES: (
        "没有权限写入或读取 {name}：请检查文件夹权限，或用 CAMPAIGNFLOW_HOME 指定一个可写的数据文件夹",
        EXIT_FAILURE,
    ),
    errno.EROFS: (
        "{name} 所在的文件夹是只读的：请用 CAMPAIGNFLOW_HOME 指定一个可写的数据文件夹",
        EXIT_FAILURE,
    ),
    errno.ENOSPC: (
        "磁盘空间不足（写入 {name} 时）：请清理磁盘后重试；已写入的部分不会生效",
        EXIT_FAILURE,
    ),
    errno.EDQUOT: ("磁盘配额已满（写入 {name} 时）：请清理后重试", EXIT_FAILURE),
}
_OS[errno.EPERM] = _OS[errno.EACCES]


def explain(exc: BaseException) -> tuple[str, int]:
    """What happened, in Chinese with the fix, and the exit code."""
    if isinstance(exc, OSError) and exc.errno in _OS:
        name = exc.filename if exc.filename is not None else "文件"
        text, code = _OS[exc.errno]
        return text.format(name=name), code
    database = _database(exc)
    if database:
        return database, EXIT_FAILURE
    prefect = prefect_unreachable(exc)
    if prefect:
        return prefect, EXIT_FAILURE
    if isinstance(exc, OSError):
        where = f"（{exc.filename}）" if exc.filename else ""
        return f"文件或网络操作失败{where}：{exc.strerror or exc}", EXIT_FAILURE
    if isinstance(exc, MemoryError):
        return "内存不足：请关闭其他程序后重试，或分批导入", EXIT_FAILURE
    return f"内部错误：{type(exc).__name__}: {exc}（请把日志发给维护人员）", EXIT_FAILURE


def _database(exc: BaseException) -> str | None:
    try:
        from sqlalchemy.exc import OperationalError, SQLAlchemyError
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        return None
    if not isinstance(exc, SQLAlchemyError):
        return None
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if "database is locked" in reason:
        return "数据库正被另一个 campaignflow 进程写入（database is locked）：请等它结束后重试"
    if "readonly database" in reason or "read-only" in reason:
        return "数据库文件是只读的：请检查数据文件夹的权限（CAMPAIGNFLOW_HOME）"
    if "disk" in reason and "full" in reason:
        return "磁盘空间不足，数据库无法写入：请清理磁盘后重试（本次写入已回滚）"
    if isinstance(exc, OperationalError):
        return f"无法访问数据库：{reason}（请检查 CAMPAIGNFLOW_DATABASE_URL 和数据库服务器）"
    return f"数据库操作失败：{reason}"


def prefect_unreachable(exc: BaseException) -> str | None:
    try:
        import httpx
    except ImportError:  # pragma: no cover
        return None
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:  # Prefect wraps httpx's errors
        seen.add(id(cause))
        if isinstance(cause, httpx.TransportError):
            url = os.environ.get("PREFECT_API_URL") or "本地 Prefect 服务器"
            return (
                f"连接不上 Prefect 服务器（{url}）：{type(cause).__name__}。"
                "本机服务器请运行 campaignflow server status 查看，或 campaignflow server stop 后重试；"
                "外部服务器请检查 PREFECT_API_URL"
            )
        cause = cause.__cause__ or cause.__context__
    return None


def log_path() -> Path:
    """Where tracebacks go: the data folder's log (where a failed run writes too), else a file in
    the temp folder when the data folder cannot be written."""
    from ..settings import data_home
    from .prefect_env import log_file

    for make in (
        lambda: log_file(data_home()),
        lambda: log_file(Path(tempfile.gettempdir()) / "campaignflow"),
    ):
        try:
            path = make()
            with path.open("a", encoding="utf-8"):
                pass
            return path
        except OSError:
            continue
    return Path(os.devnull)


def report(exc: BaseException) -> int:
    """Log the traceback, print the one line, return the exit code."""
    message, code = explain(exc)
    path = log_path()
    try:
        with path.open("a", encoding="utf-8") as log:
            log.write(
                f"\n== {dt.datetime.now().isoformat(timespec='seconds')} {' '.join(sys.argv)}\n"
            )
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    from .common import err_console

    where = "" if path == Path(os.devnull) else f"（详细信息：{path}）"
    from .common import escape

    err_console().print(f"[bold red]错误[/]: {escape(message)}{escape(where)}", markup=True)
    return code
