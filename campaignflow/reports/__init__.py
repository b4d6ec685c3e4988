"""Reports: plain-data contexts, sandboxed Jinja2 templates, Markdown/HTML/DOCX/PDF output.

The names below are loaded on first use (PEP 562), so that `validate` — which needs only
`reports.render` to check a campaign's templates — does not import the database and Word stack.
The publishing function is `reports.publish.publish` (its module has the same name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

_WHERE = {
    "final_context": ".context",
    "phase_context": ".context",
    "Published": ".publish",
    "ReportTemplateError": ".render",
    "render_template": ".render",
}

if TYPE_CHECKING:
    from .context import final_context, phase_context
    from .publish import Published
    from .render import ReportTemplateError, render_template

__all__ = [
    "Published",
    "ReportTemplateError",
    "final_context",
    "phase_context",
    "render_template",
]

__getattr__ = lazy_names(__name__, _WHERE)
