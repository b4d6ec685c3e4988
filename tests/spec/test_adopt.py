"""A spawned worker takes the campaign its parent loaded, unless the files changed since."""

from __future__ import annotations

import shutil

from campaignflow.spec import load, load_cached
from campaignflow.spec.loader import LOAD_STATS, adopt
from campaignflow.spec.shipped import shipped_root


def _copy(tmp_path):
    folder = tmp_path / "bapo"
    shutil.copytree(shipped_root() / "bapo-bali-2023", folder)
    return folder / "campaign.yaml"


def test_an_adopted_campaign_answers_load_cached_without_a_load(tmp_path):
    path = _copy(tmp_path)
    parents = load(path)  # as the parent process loaded it
    loads = LOAD_STATS["loads"]
    assert adopt(path, parents) is True
    assert load_cached(path) is parents and LOAD_STATS["loads"] == loads


def test_a_file_changed_since_is_loaded_afresh(tmp_path):
    path = _copy(tmp_path)
    parents = load(path)
    with path.open("a", encoding="utf-8") as f:
        f.write("# 改过\n")  # any change of the file's text
    assert adopt(path, parents) is False
    assert load_cached(path) is not parents
