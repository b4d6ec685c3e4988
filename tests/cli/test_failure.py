"""The one error path: each failure of the environment a user can meet is one sentence with the
fix and an exit code (a real locked SQLite database; the OS errors as the OS raises them)."""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest
from sqlalchemy import text

from campaignflow.cli.failure import explain
from campaignflow.db import make_engine


def test_a_locked_database_says_who_holds_it(tmp_path):
    path = tmp_path / "c.db"
    engine = make_engine(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with engine.connect() as conn:  # connected (WAL set) before the other holds the lock
            conn.exec_driver_sql("create table t (x)")
            conn.commit()
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            holder.execute("begin exclusive")
            with pytest.raises(Exception) as caught:
                conn.execute(text("insert into t values (1)"))
    finally:
        holder.close()
        engine.dispose()
    message, code = explain(caught.value)
    assert message.startswith("数据库正被另一个 campaignflow 进程写入") and code == 1


@pytest.mark.parametrize(
    "number, words, code",
    [
        (errno.ENAMETOOLONG, "文件名过长", 2),
        (errno.EROFS, "只读", 1),
        (errno.ENOSPC, "磁盘空间不足", 1),
        (errno.EACCES, "没有权限", 1),
    ],
)
def test_file_system_failures_name_the_file_and_the_fix(tmp_path, number, words, code):
    error = OSError(number, os.strerror(number), str(tmp_path / "报告.docx"))
    message, exit_code = explain(error)
    assert words in message and "报告.docx" in message and exit_code == code


def test_anything_else_is_an_internal_error_pointing_at_the_log():
    message, code = explain(ZeroDivisionError("division by zero"))
    assert message.startswith("内部错误：ZeroDivisionError") and code == 1
