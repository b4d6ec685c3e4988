"""Database test fixtures: campaign files and row counts (the backends: tests/backends.py).

The PostgreSQL server is the session's `pg_server` (tests/pgserver.py); each PostgreSQL test
gets its own database on it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

# ---------------------------------------------------------------- campaign files

BASE_SPEC = textwrap.dedent(
    """\
    campaign:
      id: test-campaign
      title: 测试活动
      organisation: 测试局党组
      year: 2023
    units:
      - {id: committee, name: 机关党委, kind: 党委}
      - {id: office, name: 办公室, kind: 部门, parent: committee}
      - {id: branch-1, name: 第一党支部, kind: 党支部, parent: committee}
      - {id: branch-2, name: 第二党支部, kind: 党支部, parent: committee}
      - {id: group-1a, name: 第一党小组, kind: 党小组, parent: branch-1}
    people:
      - {id: p001, name: 张三, unit: branch-1, cadre: true, position: 支部书记}
      - {id: p002, name: 李四, unit: branch-2}
      - {id: p003, name: 王五, unit: group-1a, role: 预备党员}
    phases:
      - id: mobilise
        name: 学习动员
        window: [2023-03-01, 2023-03-31]
        exit: {all_measures_done: true, sign_off: 支部书记}
      - id: examine
        name: 查摆剖析
        window: [2023-04-01, 2023-05-15]
    measures:
      - id: plan
        title: 印发行动计划
        phase: mobilise
        owner: 办公室
        due: phase.start + 5 workdays
        evidence: [文件]
      - id: discuss
        title: 集中研讨（两轮）
        phase: examine
        owner: 各党支部
        form: seminars
        due: 2023-05-10
      - id: find
        title: 查找问题
        phase: examine
        owner: [branch-1, branch-2]
        form: problems
    forms:
      seminars: {kind: activity, title: 集中研讨, activity_type: 集中研讨}
      problems:
        kind: problem
        title: 问题清单
        fields:
          category: {type: choice, choices: [不想担当, 不善担当, 不敢担当], label: 问题类别}
    """
)


class SpecFile:
    """A campaign.yaml in a temporary folder that a test can edit and load."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.write(text)

    def write(self, text: str) -> SpecFile:
        self.path.write_text(text, encoding="utf-8")
        return self

    def replace(self, old: str, new: str) -> SpecFile:
        text = self.path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in the spec"
        return self.write(text.replace(old, new))

    def load(self):
        from campaignflow.spec import load

        return load(self.path)


@pytest.fixture
def spec_file(tmp_path: Path) -> SpecFile:
    """The test campaign (5 units, 3 people, 2 phases, 3 measures, 2 forms) as an editable file."""
    folder = tmp_path / "spec"
    folder.mkdir()
    return SpecFile(folder / "campaign.yaml", BASE_SPEC)


def count_rows(engine) -> dict[str, int]:
    """Rows per table (every campaignflow table)."""
    from sqlalchemy import func, select

    from campaignflow.db import Base

    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def row_counts():
    """`row_counts(engine)` -> rows per table."""
    return count_rows
