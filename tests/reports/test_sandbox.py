"""Templates run in the sandbox: no dunders, capped * and **, a worker with time and memory limits."""

from __future__ import annotations

import pytest

from campaignflow.reports.render import ReportTemplateError, render_source, render_template
from campaignflow.reports.worker import render_in_worker


@pytest.mark.parametrize(
    "source, says",
    [
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ m.__class__ }}", "unsafe"),
        ("{{ 'x' * 10000000 }}", "重复次数过大（结果上限 100000 项）"),
        ("{{ [1, 2] * 1000000 }}", "重复次数过大"),
        ("{{ 10 ** 1000 }}", "指数 1000 过大（上限 100）"),
        ("{{ 99999999999999 * 99999999999999 }}", "乘数过大"),
        ("{% set d = {} %}{{ d.update(a=1) }}", "unsafe"),  # immutable: no mutating methods
    ],
)
def test_sandbox_refuses(source, says):
    with pytest.raises(ReportTemplateError) as caught:
        render_source(source, "t.j2", {"m": {}})
    assert str(caught.value).startswith("t.j2:1: 报告模板出错：")
    assert says in str(caught.value)
    assert "AttributeError" not in str(caught.value)


def test_errors_name_file_and_line():
    with pytest.raises(ReportTemplateError, match=r"t\.j2:3: .*no attribute 'nope'"):
        render_source("a\nb\n{{ m.nope }}\n", "t.j2", {"m": {}})
    with pytest.raises(ReportTemplateError, match=r"t\.j2:2: .*ZeroDivisionError"):
        render_source("a\n{{ 1 / 0 }}\n", "t.j2", {})
    with pytest.raises(ReportTemplateError, match=r"t\.j2:2:"):
        render_source("a\n{% if %}\n", "t.j2", {})


def test_worker_renders_plain_data(tmp_path):
    import datetime as dt

    path = tmp_path / "own.md.j2"
    path.write_text("{{ as_of|cn_date('month') }}开展学习{{ m.n|count('次') }}\n", encoding="utf-8")
    text = render_template(path, "final.md.j2", {"as_of": dt.date(2023, 11, 5), "m": {"n": 37}})
    assert text == "2023年11月开展学习37次\n"


def test_worker_time_limit():
    source = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(ReportTemplateError, match="超时"):
        render_in_worker(source, "loop.j2", {}, timeout=1.5)


def test_worker_memory_limit():
    # ~600 MB of output, built from pieces each within the * cap
    source = "{% for i in range(6000) %}{{ 'x' * 100000 }}{% endfor %}"
    with pytest.raises(ReportTemplateError, match="内存"):
        render_in_worker(source, "big.j2", {}, memory=300 * 2**20, timeout=30)


def test_worker_reports_template_errors():
    with pytest.raises(ReportTemplateError, match=r"own\.j2:2: .*未定义|own\.j2:2: .*undefined"):
        render_in_worker("a\n{{ nope }}", "own.j2", {})
