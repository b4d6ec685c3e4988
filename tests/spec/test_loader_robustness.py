"""No input makes the loader crash: randomly damaged campaign files give SpecError, never another
exception, and every issue points inside the file (a traceback is never the answer to bad input)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from campaignflow.spec import SpecError, load

HERE = Path(__file__).parent
TEMPLATES = [HERE / "valid_minimal.yaml", HERE / "valid_tracks.yaml"]
DAMAGE = ["", ":", "[", "]", "-", " ", "\t", "'", '"', "x", "{", "}", "#", "&a ", "*a", "!!x "]


def damaged(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        match rng.randrange(6):
            case 0:
                del lines[i]
            case 1:
                lines.insert(i, rng.choice(lines))
            case 2:
                j = rng.randrange(max(len(lines[i]), 1))
                lines[i] = lines[i][:j] + rng.choice(DAMAGE) + lines[i][j + 1 :]
            case 3:
                lines[i] = "  " + lines[i]
            case 4:
                lines[i] = lines[i].lstrip()
            case _:
                lines[i] = lines[i].replace("2023", rng.choice(["2027", "20233", "x", ""]))
        lines = lines or ["a: 1\n"]
    return "".join(lines)


@pytest.mark.parametrize("seed", range(2))
def test_damaged_files_give_located_spec_errors(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    path = tmp_path / "campaign.yaml"
    for _ in range(60):
        text = damaged(rng, rng.choice(TEMPLATES).read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        try:
            load(path)
        except SpecError as exc:
            last = max(len(text.splitlines()), 1)
            for issue in exc.issues:
                assert 1 <= issue.line <= last, (text, issue)
                assert issue.col >= 1
                issue.render()
            assert exc.issues == sorted(exc.issues, key=lambda i: i.sort_key)
