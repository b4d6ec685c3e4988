"""民主测评 and the 躺平式 review: scoring ballots, grades, quotas, vetoes and classification.

The rules (all configurable in the ballot form's `evaluation:` section, see `spec.models.Evaluation`):

- **Valid vote**: a ballot whose grade has points (不了解 has none and is left out of every score
  and rate under the default `denominator: valid_votes`).
- **Score**: for each rater group with a weight, the mean points of its valid votes; then the
  weighted mean of those group means. A group with no valid vote for that person drops out and
  the remaining weights are re-normalised (they need not add up to 1). Votes of a group not in
  `rater_groups` are counted as ballots but not scored. Without `rater_groups`, the plain mean of
  all valid votes. Rounded to 2 decimals; sums use `math.fsum`, so the order of ballots never
  matters.
- **Grade**: the best grade whose floor the score reaches; a floor is `grade_floors[grade]` or,
  by default, halfway between that grade's points and the next lower grade's.
- **Quotas** (`{grade: 优秀, at_most: 0.3}`): at most ⌊0.3 × people with a score⌋ people keep
  that grade; the rest, lowest scores first (and everyone tied with the first one over the quota,
  so that ties are treated alike), move down one grade. Quotas apply best grade first.
- **Rates**: 优秀率 = votes for the best grade / denominator; 称职以上率 = votes for `pass_grade`
  (default: the second-best) or better / denominator. The denominator is the valid votes
  (`valid_votes`) or the round's headcount of the person's rater groups (`headcount`; the number
  of ballots when no headcount is recorded).
- **Indicators** are manifestations (表现). The ballot ticks are counted over valid ballots and
  reported (count, share, and a weighted 表现指数 in [-1, 1]: Σ category weight × Σ indicator
  weight × share, each normalised, sign from `direction`); they do not change the score.
- **Veto**: with `veto_rule: confirmed` (default) a veto indicator confirmed for the person in
  the findings form (`conclusion` = `confirmed_value`) puts them in the `veto: true` class
  regardless of score; `ballots`: ticked on more than `veto_share` (default half) of their valid
  ballots; `either`: both count.
- **Classification**: the veto class when vetoed; otherwise the first class with
  `min_score ≤ score < max_score` (lower bound included, upper bound excluded); a reason is given
  for each person.
- **Anonymity**: ballots carry no rater identity. A person with fewer than `min_ballots_shown`
  valid votes gets no score, grade or vote counts (only a veto can classify them); a rater-group
  breakdown is shown only for groups with at least `min_ballots_shown` ballots.
"""

from __future__ import annotations

from .models import (
    DoubleVote,
    EvaluationError,
    PersonResult,
    RoundResult,
    Vote,
)
from .report import report_data, result_table
from .rounds import (
    ballot_forms,
    confirmations,
    evaluate_all,
    evaluate_round,
    findings_form,
    record_cast,
    round_keys,
)
from .scoring import (
    grade_floors,
    pass_grade,
    score_of,
    score_round,
    scored_grades,
)

__all__ = [
    "DoubleVote",
    "EvaluationError",
    "PersonResult",
    "RoundResult",
    "Vote",
    "ballot_forms",
    "confirmations",
    "evaluate_all",
    "evaluate_round",
    "findings_form",
    "grade_floors",
    "pass_grade",
    "record_cast",
    "report_data",
    "result_table",
    "round_keys",
    "score_of",
    "score_round",
    "scored_grades",
]
