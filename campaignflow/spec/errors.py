"""Located spec errors: `file:line:column: message`, then the line and a caret."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import CampaignflowError


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a campaign file (or a file it points to)."""

    file: str
    line: int
    col: int
    message: str
    source_line: str | None = None  # the offending line, for the caret display
    cell: str | None = None  # `sheet!B3` for problems inside a spreadsheet

    @property
    def location(self) -> str:
        if self.cell:
            return f"{self.file}!{self.cell}"
        return f"{self.file}:{self.line}:{self.col}"

    def render(self) -> str:
        head = f"{self.location}: {self.message}"
        if self.source_line is None:
            return head
        gutter = f"{self.line:>5} | "
        caret_pad = _display_width(self.source_line[: max(self.col - 1, 0)])
        return f"{head}\n{gutter}{self.source_line}\n{' ' * (len(gutter) - 2)}| {' ' * caret_pad}^"

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.cell is not None, self.line, self.col, self.message)


def _display_width(text: str) -> int:
    """Terminal columns of `text` (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class SpecError(CampaignflowError):
    """A campaign file is invalid; carries every issue found, sorted by position."""

    def __init__(self, issues: list[SpecIssue]) -> None:
        self.issues = sorted(set(issues), key=lambda i: i.sort_key)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(issue.render() for issue in self.issues)

    @property
    def summary(self) -> str:
        files = sorted({Path(i.file).name for i in self.issues})
        return f"{len(self.issues)} 处错误（{', '.join(files)}）"
