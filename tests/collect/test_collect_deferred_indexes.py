"""A large import into SQLite sets the plain indexes aside and builds them again before it
commits: the same rows, every index back, and nothing changed when the file is refused."""

from __future__ import annotations

import pytest
from collect_support import (
    FIX_HEADER,
    PROBLEM_HEADER,
    fix,
    problem,
    row_counts,
    submissions,
    write_xlsx,
)
from sqlalchemy import text

from campaignflow.collect import ImportRejected, import_file, indexes

ROWS = 60


def _indexes(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            ).all()
        )


@pytest.fixture
def set_aside(monkeypatch) -> list[list[str]]:
    """Indexes are set aside from 10 incoming rows on; the names dropped, per import."""
    monkeypatch.setattr(indexes, "DEFER_AT", 10)
    dropped: list[list[str]] = []
    real = indexes.DeferredIndexes.set_aside

    def recording(self) -> None:
        real(self)
        dropped.append([name for name, _ in self.saved])

    monkeypatch.setattr(indexes.DeferredIndexes, "set_aside", recording)
    return dropped


def _problems_and_fixes(c):
    problems = write_xlsx(
        c.tmp / "问题清单.xlsx",
        {"问题清单": [PROBLEM_HEADER, *[problem(i) for i in range(1, ROWS + 1)]]},
    )
    fixes = write_xlsx(
        c.tmp / "整改台账.xlsx",
        {"整改台账": [FIX_HEADER, *[fix(i, f"T-{i:02d}") for i in range(1, ROWS + 1)]]},
    )
    return problems, fixes


def test_a_large_import_rebuilds_every_index_and_stores_the_same_rows(bapo, set_aside) -> None:
    before = _indexes(bapo.engine)
    problems, fixes = _problems_and_fixes(bapo)
    first = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=problems)
    second = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="fixes", path=fixes)
    assert (first.inserted, second.inserted) == (ROWS, ROWS)
    assert "ix_submission_unit_id" in set_aside[0] and "ix_problem_unit_id" in set_aside[0]
    assert "ix_rectification_problem_id" in set_aside[1]
    assert not any(name.startswith("sqlite_autoindex") for names in set_aside for name in names)
    assert _indexes(bapo.engine) == before  # every index back, as it was declared
    counts = row_counts(bapo.engine)
    assert (counts["submission"], counts["problem"], counts["rectification"]) == (
        2 * ROWS,
        ROWS,
        ROWS,
    )
    assert submissions(bapo.engine, "problems")["T-07"]["description"] == "第 7 个问题的表现"
    with bapo.engine.connect() as conn:  # the rebuilt index answers for the imported rows
        plan = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT id FROM submission WHERE unit_id = 1")
        ).all()
        assert "ix_submission_unit_id" in " ".join(str(row) for row in plan)
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_refused_large_import_leaves_the_indexes_and_rows_as_they_were(bapo, set_aside) -> None:
    before, counts = _indexes(bapo.engine), row_counts(bapo.engine)
    rows = [problem(i) for i in range(1, ROWS + 1)]
    rows[40] = problem(41, 问题来源="路上捡的")
    path = write_xlsx(bapo.tmp / "问题清单.xlsx", {"问题清单": [PROBLEM_HEADER, *rows]})
    with pytest.raises(ImportRejected):
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert set_aside and set_aside[0]  # they were dropped inside the import's transaction
    assert _indexes(bapo.engine) == before and row_counts(bapo.engine) == counts


def test_a_small_import_or_one_into_a_larger_table_keeps_its_indexes(bapo, set_aside) -> None:
    problems, _ = _problems_and_fixes(bapo)
    import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=problems)
    assert len(set_aside) == 1
    few = write_xlsx(
        bapo.tmp / "追加.xlsx", {"问题清单": [PROBLEM_HEADER, *[problem(i) for i in range(70, 75)]]}
    )
    import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=few, mode="append")
    more = write_xlsx(
        bapo.tmp / "追加2.xlsx",
        {"问题清单": [PROBLEM_HEADER, *[problem(i) for i in range(100, 130)]]},
    )  # 30 rows into a table of 65: kept up row by row
    import_file(
        engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=more, mode="append"
    )
    assert len(set_aside) == 1
