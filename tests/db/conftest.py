"""Database test fixtures: every DB test runs on SQLite and on PostgreSQL.

PostgreSQL comes from `CAMPAIGNFLOW_TEST_PG_URL` (each test then gets its own database, so the
role needs CREATEDB), or else a throwaway server started once per session from the installed
binaries (/usr/lib/postgresql/*/bin, or initdb/pg_ctl on PATH) in a temporary folder, listening
on a free port on 127.0.0.1. PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` user (via runuser, or su). Without PostgreSQL the PostgreSQL leg is skipped with the
reason and the install hint; under CI (`CI=true`) it fails instead.
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
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from campaignflow.db import make_engine, upgrade
from campaignflow.settings import normalise_database_url, sqlite_url

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


# ---------------------------------------------------------------- databases, both backends


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Upgraded databases to copy from, made once: a SQLite file; a PostgreSQL template (lazily)."""
    path = tmp_path_factory.mktemp("template") / "campaignflow.db"
    upgrade(sqlite_url(path))
    return {"sqlite": path}


def _pg_template(request: pytest.FixtureRequest, templates: dict[str, object]) -> str:
    if "postgresql" not in templates:
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create_database()
        upgrade(url)
        templates["postgresql"] = make_url(url).database
    return str(templates["postgresql"])


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test: sqlite or postgresql."""
    return request.param


def _new_database(request, tmp_path: Path, backend: str, migrated: bool) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "campaignflow.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_templates")["sqlite"], path)
        yield sqlite_url(path)
        return
    server: PgServer = request.getfixturevalue("pg_server")
    if migrated:
        url = server.create_database(
            _pg_template(request, request.getfixturevalue("migrated_templates"))
        )
    else:
        url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, or a database on the test server."""
    yield from _new_database(request, tmp_path, backend, migrated=False)


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """The URL of a new database already at the newest schema."""
    yield from _new_database(request, tmp_path, backend, migrated=True)


@pytest.fixture
def engine(migrated_url: str):
    """An engine on a new database at the newest schema."""
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


# ---------------------------------------------------------------- campaign files

BASE_SPEC = textwrap.dedent(
    """\
    campaign:
      id: test-campaign
      title: 测试活动
      organisation: 测试局党组
      year: 2023
    units:
      - {id: committee, name: 机关党委, kind: 党委}
      - {id: office, name: 办公室, kind: 部门, parent: committee}
      - {id: branch-1, name: 第一党支部, kind: 党支部, parent: committee}
      - {id: branch-2, name: 第二党支部, kind: 党支部, parent: committee}
      - {id: group-1a, name: 第一党小组, kind: 党小组, parent: branch-1}
    people:
      - {id: p001, name: 张三, unit: branch-1, cadre: true, position: 支部书记}
      - {id: p002, name: 李四, unit: branch-2}
      - {id: p003, name: 王五, unit: group-1a, role: 预备党员}
    phases:
      - id: mobilise
        name: 学习动员
        window: [2023-03-01, 2023-03-31]
        exit: {all_measures_done: true, sign_off: 支部书记}
      - id: examine
        name: 查摆剖析
        window: [2023-04-01, 2023-05-15]
    measures:
      - id: plan
        title: 印发行动计划
        phase: mobilise
        owner: 办公室
        due: phase.start + 5 workdays
        evidence: [文件]
      - id: discuss
        title: 集中研讨（两轮）
        phase: examine
        owner: 各党支部
        form: seminars
        due: 2023-05-10
      - id: find
        title: 查找问题
        phase: examine
        owner: [branch-1, branch-2]
        form: problems
    forms:
      seminars: {kind: activity, title: 集中研讨, activity_type: 集中研讨}
      problems:
        kind: problem
        title: 问题清单
        fields:
          category: {type: choice, choices: [不想担当, 不善担当, 不敢担当], label: 问题类别}
    """
)


class SpecFile:
    """A campaign.yaml in a temporary folder that a test can edit and load."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.write(text)

    def write(self, text: str) -> SpecFile:
        self.path.write_text(text, encoding="utf-8")
        return self

    def replace(self, old: str, new: str) -> SpecFile:
        text = self.path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in the spec"
        return self.write(text.replace(old, new))

    def load(self):
        from campaignflow.spec import load

        return load(self.path)


@pytest.fixture
def spec_file(tmp_path: Path) -> SpecFile:
    """The test campaign (5 units, 3 people, 2 phases, 3 measures, 2 forms) as an editable file."""
    folder = tmp_path / "spec"
    folder.mkdir()
    return SpecFile(folder / "campaign.yaml", BASE_SPEC)


def count_rows(engine) -> dict[str, int]:
    """Rows per table (every campaignflow table)."""
    from sqlalchemy import func, select

    from campaignflow.db import Base

    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def row_counts():
    """`row_counts(engine)` -> rows per table."""
    return count_rows
