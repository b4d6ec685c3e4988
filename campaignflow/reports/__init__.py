"""Reports: plain-data contexts, sandboxed Jinja2 templates, Markdown/HTML/DOCX/PDF output."""

from .context import final_context, phase_context
from .publish import Published, publish
from .render import ReportTemplateError, render_template

__all__ = [
    "Published",
    "ReportTemplateError",
    "final_context",
    "phase_context",
    "publish",
    "render_template",
]
