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
