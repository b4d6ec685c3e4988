"""A throwaway PostgreSQL server for the tests (the `pg_server` session fixture, registered in
tests/conftest.py so every test folder shares one server).

PostgreSQL comes from `CAMPAIGNFLOW_TEST_PG_URL` (each test then gets its own database, so the
role needs CREATEDB), or else a server started once per session from the installed binaries
(/usr/lib/postgresql/*/bin, or initdb/pg_ctl on PATH) in a temporary folder, listening on a free
port on 127.0.0.1. PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` user (via runuser, or su). Without PostgreSQL the tests needing it are skipped with the
reason and the install hint; under CI (`CI=true`) they fail instead.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from campaignflow.settings import normalise_database_url

PG_URL_ENV = "CAMPAIGNFLOW_TEST_PG_URL"
INSTALL_HINT = (
    "安装 PostgreSQL（Debian/Ubuntu：apt-get install -y postgresql，或运行 .ci/install-system-deps），"
    f"或设置 {PG_URL_ENV}=postgresql://用户@127.0.0.1:5432/库名 指向一个可建库的服务器"
)
SERVER_USERS = ("postgres", "nobody")  # non-root users the server may run as, when we are root


# ---------------------------------------------------------------- a throwaway PostgreSQL server


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    url: str  # SQLAlchemy URL of a maintenance database (postgresql+psycopg://…/postgres)
    _names = itertools.count(1)

    def _admin(self) -> psycopg.Connection:
        conninfo = make_url(self.url).set(drivername="postgresql")
        return psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True)

    def create_database(self, template: str = "template1") -> str:
        """A new database (a copy of `template`); its SQLAlchemy URL."""
        name = f"cf_test_{os.getpid()}_{next(self._names)}"
        with self._admin() as conn:
            # FILE_COPY (PostgreSQL 15+) is ~10x faster than the default for tiny databases
            strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_bindir() -> Path | None:
    """The folder of initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in versions:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    return Path(initdb).resolve().parent if initdb and pg_ctl else None


def _server_user() -> pwd.struct_passwd | None:
    """None when we may run postgres ourselves; else the non-root user to run it as."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError(
        f"以 root 运行测试时需要一个非 root 用户（{'/'.join(SERVER_USERS)}）来启动 PostgreSQL"
    )


def _run(cmd: list[str], user: pwd.struct_passwd | None) -> subprocess.CompletedProcess[str]:
    cmd = [str(c) for c in cmd]
    if user is not None:
        if shutil.which("runuser"):
            cmd = ["runuser", "-u", user.pw_name, "--", *cmd]
        else:
            cmd = ["su", user.pw_name, "-s", "/bin/sh", "-c", shlex.join(cmd)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd="/")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(bindir: Path) -> tuple[PgServer, Path, pwd.struct_passwd | None]:
    """initdb + pg_ctl start in a new temporary folder; returns the server, folder and user."""
    user = _server_user()
    # as root, TMPDIR may be private; /tmp is reachable by the server user
    shared = "/tmp" if user is not None and Path("/tmp").is_dir() else None
    root = Path(tempfile.mkdtemp(prefix="campaignflow-pg-", dir=shared))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    data = root / "data"
    done = _run(
        [bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        + ["--no-locale", "--no-sync"],
        user,
    )
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb 失败：\n{done.stdout}\n{done.stderr}")
    for _attempt in range(3):  # the free port may be taken between choosing and binding it
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        done = _run(
            [bindir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "30"]
            + ["-o", options, "start"],
            user,
        )
        if done.returncode == 0:
            return PgServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"), root, user
    log = (root / "server.log").read_text(errors="replace")[-2000:]
    stop_server(bindir, root, user)
    raise RuntimeError(f"PostgreSQL 启动失败：\n{done.stderr}\n{log}")


def stop_server(bindir: Path, root: Path, user: pwd.struct_passwd | None) -> None:
    if (root / "data" / "postmaster.pid").exists():
        _run([bindir / "pg_ctl", "-D", root / "data", "-m", "immediate", "-w", "stop"], user)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the session (see the module docstring)."""
    given = os.environ.get(PG_URL_ENV, "").strip()
    if given:
        yield PgServer(normalise_database_url(given))
        return
    bindir = pg_bindir()
    if bindir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"CI 中必须能测试 PostgreSQL，但未找到 initdb/pg_ctl。{INSTALL_HINT}", pytrace=False
            )
        pytest.skip(f"未找到 PostgreSQL（initdb/pg_ctl），跳过 PostgreSQL 测试。{INSTALL_HINT}")
    try:
        server, root, user = start_server(bindir)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"无法启动测试用 PostgreSQL（{bindir}）：{exc}", pytrace=False)
    try:
        yield server
    finally:
        stop_server(bindir, root, user)
