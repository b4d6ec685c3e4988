"""`validate` checks a campaign's report templates: a typo is an error with file:line before a run."""

from __future__ import annotations

import shutil

import pytest

import campaignflow.spec
from campaignflow.spec.errors import SpecError
from campaignflow.spec.shipped import shipped_root

SOURCE = shipped_root() / "party-building-2023"


@pytest.fixture
def campaign(tmp_path):
    folder = tmp_path / "pb"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("data"))
    return folder


def _errors(folder) -> str:
    with pytest.raises(SpecError) as caught:
        campaignflow.spec.load(folder / "campaign.yaml")
    return caught.value.render()


def test_shipped_templates_pass(campaign):
    campaignflow.spec.load(campaign / "campaign.yaml")


def test_typo_in_metric_and_variable_is_located(campaign):
    template = campaign / "templates" / "final.md.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    n = next(i for i, ln in enumerate(lines) if "m.study_sessions" in ln)
    lines[n] = lines[n].replace("m.study_sessions", "m.stdy_sessions")
    lines.append("{{ narative.plans }}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = _errors(campaign)
    assert (
        f"templates/final.md.j2:{n + 1}: 报告模板中未知指标 m.stdy_sessions（是否想写 study_sessions？）"
        in text
    )
    assert (
        f"templates/final.md.j2:{len(lines)}: 报告模板中未知变量 narative（是否想写 narrative？）"
        in text
    )
    assert "campaign.yaml:" in text  # and the line of reports.final


def test_syntax_error_and_unknown_filter(campaign):
    template = campaign / "templates" / "final.md.j2"
    template.write_text("# 标题\n\n{{ m.study_sessions|cuont('次') }}\n", encoding="utf-8")
    assert "templates/final.md.j2:3: 报告模板语法错误" in _errors(campaign)
    template.write_text("# 标题\n\n{% for x in stages %}\n", encoding="utf-8")
    assert "templates/final.md.j2:3: 报告模板语法错误" in _errors(campaign)


def test_phase_template_gets_phase_variables(campaign):
    (campaign / "templates" / "phase.md.j2").write_text(
        "# {{ stage.name }}\n{{ narrative }}\n", encoding="utf-8"
    )
    yaml = campaign / "campaign.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace(
            "reports:\n", "reports:\n  phase: templates/phase.md.j2\n"
        ),
        encoding="utf-8",
    )
    assert "templates/phase.md.j2:2: 报告模板中未知变量 narrative" in _errors(campaign)
