"""Shared CLI helpers: exit codes, error output, and the one error path of every command."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from ..errors import EXIT_BAD_INPUT, EXIT_FAILURE, CampaignflowError

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from ..spec import LoadedCampaign

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "AsOfOption",
    "DbOption",
    "SpecArg",
    "acting_user",
    "add_commands",
    "add_group",
    "campaign_database",
    "day_or_today",
    "db_reason",
    "err_console",
    "fail",
    "flows_database",
    "form_id_of",
    "guarded",
    "load_spec",
    "open_cli_database",
    "open_engine",
    "out_console",
    "parse_day",
    "unit_of",
    "upgrade_schema",
    "xlsx_output",
]

SpecArg = Annotated[Path, typer.Argument(help="活动方案文件 campaign.yaml", show_default=False)]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库 URL；默认取 CAMPAIGNFLOW_DATABASE_URL，否则为数据文件夹（CAMPAIGNFLOW_HOME）下的 SQLite 文件",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="按哪一天的情况运行，如 2023-12-15（默认今天，按活动的时区）",
        show_default=False,
    ),
]


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """`text` with rich's markup escaped (rich is imported only when something is printed)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print `错误: message` on stderr and exit with `code` (2 bad input, 1 failure)."""
    err_console().print(f"[bold red]错误[/]: {message}", markup=True)
    sys.exit(code)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The command `fn`, with any `CampaignflowError` it lets through turned into one `错误:`
    line and the error's exit code (never a traceback for something the user can fix)."""

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CampaignflowError as exc:
            fail(escape(str(exc)), exc.exit_code)

    return command


def add_commands(app: typer.Typer, commands: dict[str, Callable[..., Any]]) -> None:
    """Add each command to `app` under its name, `guarded`: every command has the one error path."""
    for name, command in commands.items():
        app.command(name)(guarded(command))


def add_group(
    app: typer.Typer,
    name: str,
    help: str,
    commands: dict[str, Callable[..., Any]],
    callback: Callable[..., Any] | None = None,
) -> None:
    """The command group `campaignflow <name> <command>`; with `callback`, `campaignflow <name>`
    alone runs it (else it shows the group's help)."""
    group = typer.Typer(
        name=name,
        help=help,
        no_args_is_help=callback is None,
        invoke_without_command=callback is not None,
    )
    if callback is not None:
        group.callback(invoke_without_command=True)(guarded(callback))
    add_commands(group, commands)
    app.add_typer(group, name=name)


def load_spec(spec: Path, note: str = "") -> LoadedCampaign:
    """The campaign at `spec`; a bad file prints every located error and its summary (followed
    by `note`) and exits 2."""
    from ..spec import SpecError, load

    try:
        return load(spec)
    except SpecError as exc:
        err = err_console()
        err.print(exc.render(), markup=False)
        err.print(f"✗ {spec}: {exc.summary}{note}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def xlsx_output(output: Path | None, loaded: LoadedCampaign, what: str) -> Path:
    """The .xlsx file a command writes: `output`, else `<campaign id>-<what>.xlsx`; exits 2 for
    another suffix."""
    if output is None:
        return Path(f"{loaded.spec.campaign.id}-{what}.xlsx")
    if output.suffix.lower() != ".xlsx":
        fail(escape(f"输出文件应为 .xlsx：{output}（例如 -o {what}.xlsx）"))
    return output


def parse_day(text: str) -> dt.date:
    """A date typed as 2023-12-15; exits 2 naming the text otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(escape(f"日期无效：{text}（应为 2023-12-15 这样的日期）"))


def day_or_today(text: str | None, spec: Path | LoadedCampaign) -> dt.date:
    """`text` as a date, or today in the campaign's timezone (every command's default); `spec`
    is the campaign file, or the campaign when the command has loaded it already."""
    if text is not None:
        return parse_day(text)
    from ..calendar import today

    loaded = load_spec(spec) if isinstance(spec, Path) else spec
    return today(loaded.spec.campaign.timezone)


def db_reason(exc: Exception) -> str:
    """The first line of what the database driver said."""
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def open_engine(db: str | None) -> tuple[Engine, str]:
    """An engine for `--db` or the settings, and the URL to show (password hidden); exits 2 for
    a bad URL, 1 when the driver or the file cannot be opened."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from ..db import make_engine
    from ..settings import load_settings, normalise_database_url

    url = normalise_database_url(db) if db else load_settings().database_url
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        return make_engine(url), shown
    except (ArgumentError, ValueError) as exc:
        fail(
            escape(
                f"数据库 URL 无效：{url}（{exc}）。例如 sqlite:///data/cf.db 或 postgresql://用户@主机/库名"
            )
        )
    except (ImportError, OSError) as exc:
        fail(escape(f"无法打开数据库 {url}：{exc}"), EXIT_FAILURE)


def upgrade_schema(engine: Engine, shown: str) -> bool:
    """Upgrade the database at `engine` to the newest schema (True when it changed); exits 1
    when it cannot be reached or upgraded."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..db import SchemaError, upgrade

    try:
        return upgrade(engine)
    except SchemaError as exc:
        fail(escape(f"{shown}：{exc}"), EXIT_FAILURE)
    except SQLAlchemyError as exc:
        fail(escape(f"无法连接或升级数据库 {shown}：{db_reason(exc)}"), EXIT_FAILURE)


def open_cli_database(db: str | None = None) -> tuple[Engine, str]:
    """For a command that needs the database: an engine at the newest schema, and its URL to show.

    Upgrades the schema (printing a line when it did). Exits 2 for a bad URL, 1 when the
    database cannot be reached or upgraded — never with a traceback. Dispose the engine after.
    """
    engine, shown = open_engine(db)
    try:
        if upgrade_schema(engine, shown):
            out_console().print(f"数据库已升级到最新结构：{shown}", markup=False)
    except BaseException:
        engine.dispose()
        raise
    return engine, shown


@contextmanager
def campaign_database(db: str | None, failing: str | None = None) -> Iterator[tuple[Engine, str]]:
    """`open_cli_database(db)` for the block, disposed after. With `failing` (what was being
    done, e.g. 写入数据库失败), a database error in the block exits 1 with that, the URL and
    the driver's reason."""
    from sqlalchemy.exc import SQLAlchemyError

    engine, shown = open_cli_database(db)
    try:
        yield engine, shown
    except SQLAlchemyError as exc:
        if failing is None:
            raise
        fail(escape(f"{failing}（{shown}）：{db_reason(exc)}"), EXIT_FAILURE)
    finally:
        engine.dispose()


@contextmanager
def flows_database(db: str | None) -> Iterator[None]:
    """For a command whose flows open the database themselves: `--db` (checked first: a bad URL
    exits 2 before anything runs) handed to them as CAMPAIGNFLOW_DATABASE_URL for the block,
    which is how every process of a run reads its settings."""
    if db is None:
        yield
        return
    from ..settings import DATABASE_URL_ENV

    engine, _ = open_engine(db)
    engine.dispose()
    before = os.environ.get(DATABASE_URL_ENV)
    os.environ[DATABASE_URL_ENV] = db
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DATABASE_URL_ENV, None)
        else:
            os.environ[DATABASE_URL_ENV] = before


def acting_user() -> str:
    """Who runs the command (the login name), for the audit log."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "campaignflow"


def form_id_of(loaded: LoadedCampaign, name: str) -> str:
    """A form id from its id, title or sheet name; exits 2 listing the forms otherwise."""
    forms = loaded.spec.forms
    if name in forms:
        return name
    for form_id, form in forms.items():
        if name in (form.title, form.sheet):
            return form_id
    known = "、".join(f"{fid}（{f.title}）" for fid, f in forms.items()) or "（无）"
    fail(escape(f"活动 {loaded.spec.campaign.id} 中没有表单“{name}”：可选 {known}"))


def unit_of(loaded: LoadedCampaign, name: str) -> str:
    """A unit key from its key or name; exits 2 listing a few units otherwise."""
    for u in loaded.units:
        if name in (u.id, u.name):
            return u.id
    known = "、".join(u.name for u in loaded.units[:12]) + ("……" if len(loaded.units) > 12 else "")
    fail(escape(f"活动 {loaded.spec.campaign.id} 中没有单位“{name}”：可选 {known}"))
