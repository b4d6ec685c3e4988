"""Rules of the codebase that a linter does not know, checked on every module of the
product (campaignflow, flows, tasks, bench; migrations aside):

- no module imports another module's underscore name: what two modules share is promoted;
- no Chinese string literal compared with == / != in logic: states, statuses and targets are
  enums (or constants) whose values are the labels, defined once.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("campaignflow", "flows", "tasks", "bench")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def underscore_imports(tree: ast.AST):
    """`from m import _name` nodes and names (module names and dunders aside)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield node, f"from {'.' * node.level}{node.module or ''} import {alias.name}"


def chinese_equals(tree: ast.AST):
    """`x == "中文"` / `!=` comparisons."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
        ):
            for side in (node.left, *node.comparators):
                if (
                    isinstance(side, ast.Constant)
                    and isinstance(side.value, str)
                    and CJK.search(side.value)
                ):
                    yield node, ast.unparse(node)
                    break


def test_no_module_imports_an_underscore_name_of_another():
    found = [
        f"{_where(p, node)}: {text}"
        for p, tree in _modules()
        for node, text in underscore_imports(tree)
    ]
    assert not found, "promote what modules share:\n" + "\n".join(found)


def test_no_chinese_literal_is_compared_with_equals_in_logic():
    found = [
        f"{_where(p, node)}: {text}"
        for p, tree in _modules()
        for node, text in chinese_equals(tree)
    ]
    assert not found, "compare with the enum or constant that defines the label:\n" + "\n".join(
        found
    )


def test_the_rules_find_what_they_look_for():
    """Both scans catch a violation, so an empty result above means something."""
    tree = ast.parse(
        'from .x import _hidden, shown\nfrom . import __version__\nif state != "已完成" or s == "ok":\n    pass\n'
    )
    assert [text for _, text in underscore_imports(tree)] == ["from .x import _hidden"]
    assert [text for _, text in chinese_equals(tree)] == ["state != '已完成'"]


def _imported(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, node.module


def test_the_domain_imports_no_prefect_and_only_the_web_app_imports_a_web_framework():
    """ARCHITECTURE.md's layers: campaignflow (but its CLI, the composition root) knows nothing of
    Prefect, flows or tasks; Starlette/uvicorn stay in campaignflow/web/app.py and the CLI."""
    found = []
    for path, tree in _modules():
        rel = path.relative_to(ROOT)
        if rel.parts[0] != "campaignflow" or rel.parts[1] == "cli":
            continue
        for node, module in _imported(tree):
            top = module.split(".")[0]
            if top in ("prefect", "flows", "tasks"):
                found.append(f"{_where(path, node)}: import {module}")
            if (
                top in ("starlette", "uvicorn", "fastapi")
                and rel.as_posix() != "campaignflow/web/app.py"
            ):
                found.append(f"{_where(path, node)}: import {module}")
    assert not found, "\n".join(found)
