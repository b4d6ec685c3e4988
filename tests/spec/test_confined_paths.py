"""Every file a campaign file names stays inside its folder: a shared campaign cannot print a
system file into a report, read a table from elsewhere, or point its inbox at another folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaignflow.spec import SpecError, load
from campaignflow.spec.paths import OutsideCampaign
from campaignflow.spec.shipped import shipped_root

SECRET = "机密：不应出现在任何报告里"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    """A copy of the party-building campaign (own final template, units and people files), with a
    file outside its folder that a hostile spec would like to read."""
    folder = tmp_path / "campaign"
    shutil.copytree(shipped_root() / "party-building-2023", folder)
    (tmp_path / "secret.md.j2").write_text(SECRET, encoding="utf-8")
    return folder / "campaign.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _final_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith("final:"))


@pytest.mark.parametrize(
    "name, words",
    [
        ("{outside}/secret.md.j2", "不能是绝对路径"),
        ("../secret.md.j2", "不能用 .."),
        ("templates/../../secret.md.j2", "不能用 .."),
        ("~/secret.md.j2", "不能是绝对路径"),
        ("C:\\\\secret.md.j2", "不能是绝对路径"),
        ("templates/link.md.j2", "经符号链接指向活动文件夹之外"),
    ],
)
def test_a_template_outside_the_folder_is_refused_at_its_line(
    campaign: Path, name: str, words: str
) -> None:
    (campaign.parent / "templates" / "link.md.j2").symlink_to(
        campaign.parent.parent / "secret.md.j2"
    )
    name = name.replace("{outside}", str(campaign.parent.parent))
    _edit(campaign, "final: templates/final.md.j2", f'final: "{name}"')
    with pytest.raises(SpecError) as caught:
        load(campaign)
    issues = caught.value.issues
    assert len(issues) == 1, issues
    assert issues[0].line == _final_line(campaign)
    assert words in issues[0].message
    assert SECRET not in str(caught.value)


def test_tables_and_the_inbox_outside_the_folder_are_refused(campaign: Path) -> None:
    outside = campaign.parent.parent
    shutil.copy(campaign.parent / "units.xlsx", outside / "units.xlsx")
    _edit(campaign, "units: {file: units.xlsx}", f"units: {{file: {outside / 'units.xlsx'}}}")
    _edit(campaign, "  organisation:", "  inbox: ../inbox\n  organisation:")
    with pytest.raises(SpecError) as caught:
        load(campaign)
    messages = [i.message for i in caught.value.issues]
    assert any("不能是绝对路径" in m for m in messages), messages
    assert any(m.startswith("路径 ../inbox 不能用 ..") for m in messages), messages


def test_a_path_that_got_past_validate_is_still_refused_when_used(campaign: Path) -> None:
    """Defence in depth: the one accessor that turns a named file into a path refuses too."""
    loaded = load(campaign)
    assert loaded.file("templates/final.md.j2") == campaign.parent / "templates" / "final.md.j2"
    assert loaded.file(None) is None
    for name in ("../secret.md.j2", "/etc/passwd"):
        with pytest.raises(OutsideCampaign):
            loaded.file(name)
