"""Fuzzing (hypothesis): the shipped campaign files, report templates and sample workbooks,
mutated. Whatever comes in, the answer is a result or a located refusal — never a traceback, never
a hang, never a half-written database — and each case stays under a time bound (the memory of
the worst YAML cases is bounded in tests/spec/test_hostile_yaml.py, under a resource limit)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import resource
import shutil
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from campaignflow import db
from campaignflow.cli import build_app
from campaignflow.collect.importer import import_file
from campaignflow.errors import CampaignflowError
from campaignflow.reports.render import ReportTemplateError, builtin_template, render_source
from campaignflow.spec import SpecError, load
from campaignflow.spec.shipped import shipped_root
from campaignflow.sync import sync_campaign

SPECS = sorted(p for p in shipped_root().glob("*/campaign.yaml"))
SECONDS = 5.0  # per case, generous for a loaded CI machine (typical: < 0.3 s)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # reproducible in CI; run with --hypothesis-seed to explore further
)
YAML_BITS = ["", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:os.system ",
             "<<: *a", "'", '"', "\t", "#", "~", "null", "2023-02-30", "-1", "1e999", "\x00",
             "../../etc/passwd", "/etc/passwd", "{{ 7*7 }}", "是", "  ", "\n", "..", "%"]  # fmt: skip
JINJA_BITS = ["{{", "}}", "{%", "%}", "{% for x in m %}", "{% endfor %}", "{{ m.nope }}",
              "{{ 'x' * 10**9 }}", "{{ ''.__class__ }}", "{% include '/etc/passwd' %}",
              "{{ 10 ** 10 ** 10 }}", "{{ m | nofilter }}", "{% set x = x %}", "{#", "#}",
              "{{ range(10**9) | list }}", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"]  # fmt: skip


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    for where, how, bit in edits:
        i = where % len(lines)
        line = lines[i]
        if how == 0:
            del lines[i]
        elif how == 1:
            lines.insert(i, lines[(where * 7) % len(lines)])
        else:
            j = where % max(len(line), 1)
            lines[i] = line[:j] + bit + line[j + (how == 2) :]
        lines = lines or ["\n"]
    return "".join(lines)


def edits(bits: list[str]):
    return st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.sampled_from(bits)),
        min_size=1,
        max_size=5,
    )


@FUZZ
@given(spec=st.sampled_from(SPECS), changes=edits(YAML_BITS))
def test_a_mutated_campaign_file_is_loaded_or_refused_with_locations(
    tmp_path_factory, spec, changes
):
    folder = tmp_path_factory.mktemp("spec")
    shutil.copytree(spec.parent, folder / "c", dirs_exist_ok=True)
    path = folder / "c" / "campaign.yaml"
    text = _mutate(spec.read_text(encoding="utf-8"), changes)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    lines = max(len(text.splitlines()), 1)
    start = time.perf_counter()
    try:
        load(path)
        event("loaded")
    except SpecError as exc:
        event("refused")
        assert exc.issues
        for issue in exc.issues:
            assert issue.message and issue.line >= 1 and issue.col >= 1, issue
            if issue.file == str(path):
                assert issue.line <= lines + 1, issue
    assert time.perf_counter() - start < SECONDS


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(spec=st.sampled_from(SPECS), changes=edits(YAML_BITS))
def test_validate_exits_0_or_2_and_never_with_a_traceback(tmp_path_factory, spec, changes):
    folder = tmp_path_factory.mktemp("cli")
    shutil.copytree(spec.parent, folder / "c", dirs_exist_ok=True)
    path = folder / "c" / "campaign.yaml"
    path.write_text(_mutate(spec.read_text(encoding="utf-8"), changes), encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["validate", str(path)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@FUZZ
@given(name=st.sampled_from(["phase.md.j2", "final.md.j2", "branch.md.j2"]),
       changes=edits(JINJA_BITS))  # fmt: skip
def test_a_mutated_template_renders_or_fails_at_its_line(name, changes):
    source = _mutate(builtin_template(name)[0], changes)
    start = time.perf_counter()
    try:
        render_source(source, "t.j2", {"m": {"a": 1}, "campaign": {"title": "测试"}})
        event("rendered")
    except ReportTemplateError as exc:
        event("refused")
        assert str(exc).startswith("t.j2"), exc
        assert "AttributeError: 'ReportEnvironment'" not in str(exc)
    assert time.perf_counter() - start < SECONDS


CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "不想担当", "自己找", "领导点", "jiguan", "局机关党支部", "=1/0", "2023-02-30",
                     "2023-04-01", "P-01", "P-01 ", "\u200b", "x" * 5000, "-1", "1e308"]),
    st.integers(-10**12, 10**12).map(str),
)  # fmt: skip


@pytest.fixture(scope="module")
def bapo(tmp_path_factory):
    """八破八立 synced into a fresh SQLite database."""
    home = tmp_path_factory.mktemp("bapo")
    loaded = load(shipped_root() / "bapo-bali-2023" / "campaign.yaml")
    engine = db.open_database(f"sqlite:///{home / 'c.db'}")
    sync_campaign(engine=engine, loaded=loaded)
    yield engine, loaded, home
    engine.dispose()


def _counts(engine) -> tuple[int, ...]:
    with db.read_session(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t))
            for t in (db.Submission, db.Filing, db.AuditEntry)
        )


@FUZZ
@given(data=st.data())
def test_a_mutated_sheet_is_imported_or_refused_at_its_cells_and_nothing_half_written(bapo, data):
    engine, loaded, home = bapo
    sample = shipped_root() / "bapo-bali-2023" / "data" / "problems.csv"
    rows = list(csv.reader(io.StringIO(sample.read_text(encoding="utf-8"))))
    for _ in range(data.draw(st.integers(1, 6))):
        r = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(CELLS)
    path = home / "problems.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    before = _counts(engine)
    start = time.perf_counter()
    try:
        import_file(engine=engine, loaded=loaded, form_id="problems", path=path,
                    now=dt.datetime(2023, 4, 30, tzinfo=dt.UTC))  # fmt: skip
        event("imported")
    except CampaignflowError as exc:
        event("refused")
        assert _counts(engine) == before  # refused: nothing written, not even the filing
        for issue in getattr(exc, "issues", []):
            assert issue.row >= 1 and issue.cell.startswith(issue.sheet + "!"), issue
            assert issue.message
    assert time.perf_counter() - start < SECONDS
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2_000_000  # KB: under 2 GB
