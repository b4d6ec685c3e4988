"""What a report covers — a phase (or track), the whole campaign, or one branch in a phase —
as one small value: stored as its text (`phase:mobilise`, `final`, `branch:mobilise:b01`) in
the report table and in file names (`phase-mobilise-2023-03-31.md`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PHASE = "phase"
    FINAL = "final"
    BRANCH = "branch"


@dataclass(frozen=True)
class ReportScope:
    kind: Kind
    stage: str | None = None
    unit: str | None = None

    @classmethod
    def phase(cls, stage: str) -> ReportScope:
        return cls(Kind.PHASE, stage)

    @classmethod
    def final(cls) -> ReportScope:
        return cls(Kind.FINAL)

    @classmethod
    def branch(cls, stage: str, unit: str) -> ReportScope:
        return cls(Kind.BRANCH, stage, unit)

    @classmethod
    def of(cls, value: ReportScope | str) -> ReportScope:
        """`value` itself, or the scope its text names; ValueError for other text."""
        if isinstance(value, ReportScope):
            return value
        kind, _, rest = value.partition(":")
        if kind == Kind.FINAL and not rest:
            return cls.final()
        if kind == Kind.PHASE and rest and ":" not in rest:
            return cls.phase(rest)
        if kind == Kind.BRANCH and rest.count(":") == 1:
            stage, unit = rest.split(":")
            return cls.branch(stage, unit)
        raise ValueError(f"not a report scope: {value!r}")

    def __str__(self) -> str:
        return ":".join(p for p in (self.kind.value, self.stage, self.unit) if p is not None)

    @property
    def stem(self) -> str:
        """The scope in a file name."""
        return str(self).replace(":", "-")

    @property
    def name(self) -> str:
        """The scope in an artifact key: the stage (or unit) it covers, `final`."""
        return self.unit or self.stage or self.kind.value


def branch_prefix(stage: str) -> str:
    """The text every branch report scope of `stage` starts with (for a LIKE over the table)."""
    return f"{Kind.BRANCH.value}:{stage}:"
