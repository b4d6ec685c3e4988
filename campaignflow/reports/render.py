"""Render report templates in Jinja2's immutable sandbox with StrictUndefined.

Templates get plain data (dicts, lists, numbers, strings, dates) — never ORM objects or
sessions. `*` and `**` are capped so a template cannot build huge values; a campaign's own
templates are rendered in a worker process with a time and a memory limit (`worker.py`).
"""

from __future__ import annotations

import functools
import sys
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import CampaignflowError
from .filters import FILTERS
from .layout import chart_marker, signature_marker, table_marker
from .scope import Kind, ReportScope

if TYPE_CHECKING:
    from ..spec import LoadedCampaign
    from ..spec.models import Reports

# where a template puts a numbered table title, a chart and the 落款 (see layout.py)
TEMPLATE_FUNCTIONS = {"table": table_marker, "chart": chart_marker, "signature": signature_marker}

MAX_POWER = 100
MAX_REPEAT = 100_000
MAX_NUMBER = 10**12  # operands of * beyond this are refused


# what each kind of template receives (context.phase_context / context.final_context)
_COMMON = {
    "campaign", "as_of", "m", "metric_info", "ledger", "evaluation", "activities", "prose",
}  # fmt: skip
PHASE_VARIABLES = frozenset({*_COMMON, "stage", "next_stage", "progress", "gate", "exit_gate"})
FINAL_VARIABLES = frozenset({*_COMMON, "stages", "progress", "narrative", "campaigns"})
BRANCH_VARIABLES = frozenset(  # branches.branch_contexts
    {"campaign", "branch", "stage", "next_stage", "as_of", "progress", "m", "metric_info",
     "ledger", "prose"}
)  # fmt: skip


class ReportTemplateError(CampaignflowError, ValueError):
    """A template failed to render; names the template file and line."""


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the arithmetic that can explode capped."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER:
                raise SecurityError(f"指数 {right} 过大（上限 {MAX_POWER}）")
            if isinstance(left, int | float) and abs(left) > MAX_NUMBER:
                raise SecurityError("乘方的底数过大")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if (
                    isinstance(a, str | list | tuple)
                    and isinstance(b, int)
                    and len(a) * b > MAX_REPEAT
                ):
                    raise SecurityError(f"重复次数过大（结果上限 {MAX_REPEAT} 项）")
            if (
                all(isinstance(x, int | float) for x in (left, right))
                and max(abs(left), abs(right)) > MAX_NUMBER
            ):
                raise SecurityError("乘数过大")
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
    env.globals.update(TEMPLATE_FUNCTIONS)
    return env


def builtin_template(name: str) -> tuple[str, str]:
    """(source, display name) of a built-in template, e.g. `phase.md.j2`."""
    resource = files("campaignflow.reports") / "templates" / name
    return resource.read_text(encoding="utf-8"), f"<内置模板 {name}>"


def _template_line(exc: BaseException) -> int | None:
    line = getattr(exc, "lineno", None)
    if line:
        return line
    tb = exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


@functools.lru_cache(maxsize=64)
def _compiled(source: str):
    """Compile each template text once per process (reports for many units share it)."""
    return environment().from_string(source)


def render_source(source: str, display: str, context: dict[str, Any]) -> str:
    """Render template text; any error becomes ReportTemplateError naming `display:line`."""
    try:
        return _compiled(source).render(**context)
    except (
        TemplateError,
        ArithmeticError,
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        AttributeError,
    ) as exc:
        line = _template_line(exc)
        where = f"{display}:{line}" if line else display
        message = (
            exc.message
            if isinstance(exc, TemplateError) and exc.message
            else f"{type(exc).__name__}: {exc}"
        )
        raise ReportTemplateError(f"{where}: 报告模板出错：{message}") from None
    except RecursionError:
        raise ReportTemplateError(f"{display}: 报告模板递归过深") from None


def render_template(
    path: Path | None, builtin: str, context: dict[str, Any], *, isolate: bool | None = None
) -> str:
    """Render the campaign's own template at `path` (in a limited worker process), or the built-in one."""
    if path is None:
        source, display = builtin_template(builtin)
    else:
        source, display = path.read_text(encoding="utf-8"), str(path)
    if isolate is None:
        isolate = path is not None and sys.platform != "win32"
    if isolate:
        from .worker import render_in_worker

        return render_in_worker(source, display, context)
    return render_source(source, display, context)


BUILTIN_TEMPLATES = {
    Kind.PHASE: "phase.md.j2",
    Kind.FINAL: "final.md.j2",
    Kind.BRANCH: "branch.md.j2",
}


def chosen_template(reports: Reports, scope: ReportScope) -> str | None:
    """The campaign's own template for a report of `scope`, as written in its file (a phase's
    entry in `reports.phases` before `reports.phase`); None: the built-in one."""
    if scope.kind is Kind.FINAL:
        return reports.final
    if scope.kind is Kind.BRANCH:
        return reports.branch
    return reports.phases.get(scope.stage or "") or reports.phase


def render_report(loaded: LoadedCampaign, scope: ReportScope, context: dict[str, Any]) -> str:
    """A report of `scope` as Markdown: its chosen template rendered with `context`."""
    written = chosen_template(loaded.spec.reports, scope)
    return render_template(loaded.file(written), BUILTIN_TEMPLATES[scope.kind], context)


def template_problems(
    source: str, display: str, variables: frozenset[str], metrics: set[str]
) -> list[str]:
    """Problems found without rendering: syntax, unknown filters, unknown variables and metrics.

    Each is `display:line: message`, for `validate` to report before any run.
    """
    from jinja2 import meta, nodes

    from ..spec.translate import suggest

    env = environment()
    try:
        tree = env.parse(source)
        env.compile(tree)  # unknown filters and tests are found here
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        return [f"{display}:{line or 1}: 报告模板语法错误：{exc.message or exc}"]
    problems: list[str] = []
    known = sorted(variables)
    for name in sorted(meta.find_undeclared_variables(tree) - variables - set(env.globals)):
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), 1)
        hint = suggest(name, known) or f"（可用：{', '.join(known)}）"
        problems.append(f"{display}:{line}: 报告模板中未知变量 {name}{hint}")
    seen: set[tuple[str, int]] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if not (
            isinstance(target, nodes.Name)
            and target.name in ("m", "metric_info")
            and target.ctx == "load"
        ):
            continue
        if isinstance(node, nodes.Getattr):
            key = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            key = node.arg.value
        else:
            continue
        if (
            key not in metrics
            and key not in ("items", "keys", "values", "get")
            and (key, node.lineno) not in seen
        ):
            seen.add((key, node.lineno))
            hint = suggest(key, sorted(metrics)) or "（请在 campaign.yaml 的 metrics 中定义）"
            problems.append(
                f"{display}:{node.lineno}: 报告模板中未知指标 {target.name}.{key}{hint}"
            )
    return problems
