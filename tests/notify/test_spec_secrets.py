"""A campaign file with a secret in it is rejected, saying where the secret belongs."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignflow.spec import SpecError, load

SPEC = Path(__file__).parent / "sweep.yaml"


def write(tmp_path, old: str, new: str):
    text = SPEC.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "campaign.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "target",
    [
        "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ],
)
def test_token_as_target_is_rejected(tmp_path, target):
    path = write(tmp_path, "target: 第一支部工作群", f"target: '{target}'")
    with pytest.raises(SpecError) as info:
        load(path)
    text = info.value.render()
    assert f"{path}:36:" in text
    assert "不能写在方案文件中：请删除，改为放在环境变量 CAMPAIGNFLOW_DINGTALK_TOKEN__B1" in text
    assert "target 只写接收人名称" in text


def test_password_in_a_url_anywhere_is_rejected(tmp_path):
    path = write(
        tmp_path,
        "organisation: ××局党组",
        "organisation: ××局党组\n  description: smtp://dj:Passw0rd@mail.example.org",
    )
    with pytest.raises(SpecError) as info:
        load(path)
    assert "疑似密钥（网址中的密码）不能写在方案文件中" in info.value.render()


def test_shipped_specs_have_no_secrets():
    from campaignflow.spec.shipped import shipped_campaigns

    for folder in shipped_campaigns().values():
        load(folder / "campaign.yaml")
