"""Render report templates in Jinja2's immutable sandbox with StrictUndefined.

Templates get plain data (dicts, lists, numbers, strings) — never ORM objects or sessions.
`*` and `**` are capped so a template cannot build huge values.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .filters import FILTERS

MAX_POWER = 100
MAX_REPEAT = 100_000


class ReportTemplateError(ValueError):
    """A template failed to render; names the template file and line."""


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the arithmetic that can explode capped."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
            raise self.security_error(f"指数 {right} 过大")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and len(a) * b > MAX_REPEAT:
                    raise self.security_error("重复次数过大")
        return super().call_binop(context, operator, left, right)


def environment() -> ReportEnvironment:
    env = ReportEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def builtin_template(name: str) -> tuple[str, str]:
    """(source, display name) of a built-in template, e.g. `phase.md.j2`."""
    resource = files("campaignflow.reports") / "templates" / name
    return resource.read_text(encoding="utf-8"), f"<内置模板 {name}>"


def render_source(source: str, display: str, context: dict[str, Any]) -> str:
    """Render template text; any error becomes ReportTemplateError naming `display:line`."""
    env = environment()
    try:
        return env.from_string(source).render(**context)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{display}:{line}" if line else display
        raise ReportTemplateError(f"{where}: 报告模板出错：{exc}") from None


def render_template(path: Path | None, builtin: str, context: dict[str, Any]) -> str:
    """Render the campaign's own template at `path`, or the built-in one."""
    if path is None:
        source, display = builtin_template(builtin)
    else:
        source, display = path.read_text(encoding="utf-8"), str(path)
    return render_source(source, display, context)
