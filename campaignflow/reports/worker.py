"""Render a campaign's own template in a worker process with a time and a memory limit.

The sandbox stops dunder access and `*`/`**` blow-ups, but a template can still loop for a
long time or build big strings another way. The child sets RLIMIT_AS and RLIMIT_CPU on itself
(resource.setrlimit) before it renders; the parent also waits at most `timeout` seconds of
wall time. The context goes in as a pickle (parent -> child: trusted); the result comes back
as JSON (child -> parent: never unpickled).

The child starts with a stand-in `campaignflow.reports` package, so it loads only render.py,
filters.py and Jinja2 (not the database layer, not the rest of the reports package).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

TIMEOUT = 20.0  # seconds of wall time (and of CPU, in the child)
MEMORY = 1024 * 1024 * 1024  # bytes of address space for the child


# the child: sys.path as the parent's (for jinja2), a bare package object for campaignflow.reports
_BOOTSTRAP = f"""
import sys, types
sys.path[:0] = {[p for p in sys.path if p]!r}
folder = sys.argv[1]
package = types.ModuleType("campaignflow.reports")
package.__path__ = [folder]
sys.modules["campaignflow.reports"] = package
from campaignflow.reports import worker
sys.exit(worker.main())
"""


class WorkerError(RuntimeError):
    """The worker failed outside the template (limits, crash)."""


def render_in_worker(
    source: str,
    display: str,
    context: dict[str, Any],
    *,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
) -> str:
    """Render `source` in a child process; raises ReportTemplateError for template errors and limits."""
    from .render import ReportTemplateError

    payload = pickle.dumps(
        {
            "source": source,
            "display": display,
            "context": context,
            "cpu": int(timeout) + 1,
            "memory": memory,
        }
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _BOOTSTRAP, str(Path(__file__).resolve().parent)],
            input=payload,
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise ReportTemplateError(
            f"{display}: 报告模板渲染超时（超过 {timeout:g} 秒），请检查模板中的循环"
        ) from None
    try:
        answer = json.loads(done.stdout.decode("utf-8") or "null")
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        stderr = done.stderr.decode("utf-8", "replace")
        if "MemoryError" in stderr or done.returncode in (-9, 137):
            raise ReportTemplateError(
                f"{display}: 报告模板渲染占用内存过多（上限 {memory // 2**20} MB）"
            )
        if done.returncode in (-24, 152):  # SIGXCPU
            raise ReportTemplateError(f"{display}: 报告模板渲染超时（CPU 超过 {timeout:g} 秒）")
        raise WorkerError(f"报告渲染进程异常退出（{done.returncode}）：{stderr.strip()[-800:]}")
    if "error" in answer:
        raise ReportTemplateError(answer["error"])
    return answer["text"]


def _limit(cpu: int, memory: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def main() -> int:
    job = pickle.loads(sys.stdin.buffer.read())
    from .render import ReportTemplateError, render_source  # imported before the limits apply

    _limit(job["cpu"], job["memory"])
    try:
        answer = {"text": render_source(job["source"], job["display"], job["context"])}
    except ReportTemplateError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {
            "error": f"{job['display']}: 报告模板渲染占用内存过多（上限 {job['memory'] // 2**20} MB）"
        }
    except RecursionError:
        answer = {"error": f"{job['display']}: 报告模板递归过深"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    return 0
