"""Reports: plain-data contexts, sandboxed Jinja2 templates, Markdown/HTML/DOCX/PDF output.

Names are imported lazily, so the template worker process does not load the database layer.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Published": ".publish",
    "publish": ".publish",
    "final_context": ".context",
    "phase_context": ".context",
    "ReportTemplateError": ".render",
    "render_template": ".render",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name], __name__), name)
