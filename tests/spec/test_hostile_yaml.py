"""Campaign files are shared between organisations: what reading one may cost is bounded while it
is read, and what it may say is plain data. Each hostile file is loaded in a child process under
an address-space and CPU limit, so a regression fails the test instead of swapping the machine."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from campaignflow.spec import SpecError, load
from campaignflow.spec.yamlpos import MAX_DEPTH

MEMORY = 768 * 1024 * 1024  # bytes of address space for the child (Python + the stack: ~250 MB)
CPU_SECONDS = 10

_CHILD = """
import json, sys, time
from campaignflow.spec import SpecError, load
start = time.perf_counter()
try:
    load(sys.argv[1])
    out = {"ok": True}
except SpecError as exc:
    out = {"issues": [[i.line, i.message] for i in exc.issues]}
out["seconds"] = time.perf_counter() - start
print(json.dumps(out, ensure_ascii=False))
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def load_bounded(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        preexec_fn=_limits,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"哈"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\ncampaign: *a{levels - 1}\n"


def _merge_bomb(levels: int = 40) -> str:
    lines = ["m0: &m0 {k0: 1}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: 1}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text, line, words",
    [
        pytest.param(_alias_bomb(), 2, "展开后超过", id="alias-bomb"),  # 9^9 values, 600 bytes
        pytest.param(_merge_bomb(), 1, "未知字段", id="merge-chain"),
        pytest.param(
            "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), 1, "嵌套超过", id="deep"
        ),
        pytest.param(
            's: &s "' + "长" * 100_000 + '"\nl: [' + "*s," * 400 + "*s]\n",
            2,
            "文字超过",
            id="long-text",
        ),
    ],
)
def test_expanding_files_are_refused_quickly_and_located(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < 2 * 1024 * 1024
    result = load_bounded(path)
    assert "issues" in result, result
    first_line, message = result["issues"][0]
    assert words in message
    assert first_line >= line
    assert result["seconds"] < 1.0, result  # measured in the child, imports excluded


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/name:os.system",
        "!include",
        "!!binary",
        "!!set",
        "!!timestamp",
    ],
)
def test_tags_are_refused_by_name(tmp_path: Path, tag: str) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text(f'campaign:\n  title: {tag} ["echo hi"]\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load(path)
    issue = caught.value.issues[0]
    assert (issue.line, issue.col) == (2, 10)
    assert f"不支持 YAML 标签 {tag}" in issue.message
    assert "应为文本" not in str(caught.value)


def test_plain_tags_and_shared_anchors_still_load(tmp_path: Path) -> None:
    """What authors really write — an explicit !!str, a small anchor reused — keeps working."""
    source = Path(__file__).with_name("valid_minimal.yaml").read_text(encoding="utf-8")
    text = source.replace("title:", "title: !!str", 1)
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    assert load(path).spec.campaign.title
    assert time.perf_counter() - start < 5
