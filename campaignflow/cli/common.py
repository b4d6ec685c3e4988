"""Shared CLI helpers: exit codes, error output, and the one error path of every command."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from ..errors import EXIT_BAD_INPUT, EXIT_FAILURE, CampaignflowError

if TYPE_CHECKING:
    from ..spec import LoadedCampaign

EXIT_OK = 0
__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "EXIT_OK",
    "SpecArg",
    "acting_user",
    "day_or_today",
    "db_reason",
    "err_console",
    "fail",
    "form_id_of",
    "guarded",
    "load_spec",
    "out_console",
    "parse_day",
    "unit_of",
    "xlsx_output",
]

SpecArg = Annotated[Path, typer.Argument(help="活动方案文件 campaign.yaml", show_default=False)]


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print `错误: message` on stderr and exit with `code` (2 bad input, 1 failure)."""
    err_console().print(f"[bold red]错误[/]: {message}", markup=True)
    sys.exit(code)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The command `fn`, with any `CampaignflowError` it lets through turned into one `错误:`
    line and the error's exit code (never a traceback for something the user can fix)."""
    from rich.markup import escape

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CampaignflowError as exc:
            fail(escape(str(exc)), exc.exit_code)

    return command


def load_spec(spec: Path) -> LoadedCampaign:
    """The campaign at `spec`; a bad file prints every located error and exits 2."""
    from ..spec import SpecError, load

    try:
        return load(spec)
    except SpecError as exc:
        err = err_console()
        err.print(exc.render(), markup=False)
        err.print(f"✗ {spec}: {exc.summary}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def xlsx_output(output: Path | None, loaded: LoadedCampaign, what: str) -> Path:
    """The .xlsx file a command writes: `output`, else `<campaign id>-<what>.xlsx`; exits 2 for
    another suffix."""
    from rich.markup import escape

    if output is None:
        return Path(f"{loaded.spec.campaign.id}-{what}.xlsx")
    if output.suffix.lower() != ".xlsx":
        fail(escape(f"输出文件应为 .xlsx：{output}（例如 -o {what}.xlsx）"))
    return output


def parse_day(text: str) -> dt.date:
    """A date typed as 2023-12-15; exits 2 naming the text otherwise."""
    from rich.markup import escape

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(escape(f"日期无效：{text}（应为 2023-12-15 这样的日期）"))


def day_or_today(text: str | None, spec: Path) -> dt.date:
    """`text` as a date, or today in the campaign's timezone (every command's default)."""
    if text is not None:
        return parse_day(text)
    from ..calendar import today

    return today(load_spec(spec).spec.campaign.timezone)


def db_reason(exc: Exception) -> str:
    """The first line of what the database driver said."""
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def acting_user() -> str:
    """Who runs the command (the login name), for the audit log."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "campaignflow"


def form_id_of(loaded: LoadedCampaign, name: str) -> str:
    """A form id from its id, title or sheet name; exits 2 listing the forms otherwise."""
    from rich.markup import escape

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
    from rich.markup import escape

    for u in loaded.units:
        if name in (u.id, u.name):
            return u.id
    known = "、".join(u.name for u in loaded.units[:12]) + ("……" if len(loaded.units) > 12 else "")
    fail(escape(f"活动 {loaded.spec.campaign.id} 中没有单位“{name}”：可选 {known}"))
