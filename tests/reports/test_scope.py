"""Report scopes: one value type, its text as stored and in file names, parsed back."""

from __future__ import annotations

import pytest

from campaignflow.reports.scope import ReportScope, branch_prefix


def test_scopes_round_trip_through_their_text():
    for scope, text, stem, name in [
        (ReportScope.phase("mobilise"), "phase:mobilise", "phase-mobilise", "mobilise"),
        (ReportScope.final(), "final", "final", "final"),
        (ReportScope.branch("examine", "b01"), "branch:examine:b01", "branch-examine-b01", "b01"),
    ]:
        assert (str(scope), scope.stem, scope.name) == (text, stem, name)
        assert ReportScope.of(text) == scope and ReportScope.of(scope) is scope
    assert str(ReportScope.branch("examine", "b01")).startswith(branch_prefix("examine"))


@pytest.mark.parametrize(
    "text", ["", "phase", "phase:", "final:x", "branch:a", "branch:a:b:c", "stage:x"]
)
def test_other_text_is_not_a_scope(text):
    with pytest.raises(ValueError):
        ReportScope.of(text)


def test_each_scope_renders_with_the_template_the_campaign_chose():
    from campaignflow.reports.render import BUILTIN_TEMPLATES, chosen_template
    from campaignflow.spec.models import Reports

    own = Reports(
        phase="templates/phase.md.j2",
        phases={"examine": "templates/examine.md.j2"},
        final="templates/final.md.j2",
        branch="templates/branch.md.j2",
    )
    plain = Reports()
    assert chosen_template(own, ReportScope.phase("examine")) == "templates/examine.md.j2"
    assert chosen_template(own, ReportScope.phase("mobilise")) == "templates/phase.md.j2"
    assert chosen_template(own, ReportScope.final()) == "templates/final.md.j2"
    assert chosen_template(own, ReportScope.branch("examine", "b01")) == "templates/branch.md.j2"
    for scope in (ReportScope.phase("examine"), ReportScope.final(), ReportScope.branch("a", "b")):
        assert chosen_template(plain, scope) is None
        assert BUILTIN_TEMPLATES[scope.kind] == f"{scope.kind.value}.md.j2"
