"""A measure due just after its window (a 总结 a few working days after the track ends): refused
with a message that says how to state it (`grace`), then accepted with it; the window — and so
progress — unchanged, the measure keeping its own due date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from campaignflow.spec import SpecError, load

TRACKS = Path(__file__).with_name("valid_tracks.yaml")


def _write(tmp_path: Path, grace: str = "") -> Path:
    text = TRACKS.read_text(encoding="utf-8")
    text = text.replace(
        "    window: [2023-04-01, 2023-08-31]\n", f"    window: [2023-04-01, 2023-08-31]\n{grace}"
    )
    text = text.replace("    due: track.start + 10 workdays", "    due: track.end + 3 workdays")
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_due_just_after_a_track_says_how_to_allow_it(tmp_path):
    with pytest.raises(SpecError) as caught:
        load(_write(tmp_path))
    (issue,) = caught.value.issues
    assert issue.message == (
        "期限 2023-09-05 不在所属工作线 study（2023-04-01 至 2023-08-31）之内；若须在工作线结束后"
        "几天内完成（如总结），可给工作线 study 写 grace: 3（结束后的工作日数），不必延长起止日期"
    )


def test_with_grace_it_loads_and_keeps_its_own_due(tmp_path):
    loaded = load(_write(tmp_path, "    grace: 3\n"))
    assert loaded.due["reading"] == dt.date(2023, 9, 5)
    assert loaded.spec.stages[0].window == (dt.date(2023, 4, 1), dt.date(2023, 8, 31))


def test_grace_is_counted_in_working_days(tmp_path):
    with pytest.raises(SpecError, match="及其后 2 个工作日（至 2023-09-04）"):
        load(_write(tmp_path, "    grace: 2\n"))
