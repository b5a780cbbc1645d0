"""Problems a build finds, located so a data editor can act on them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, which rule it breaks, what to do."""

    check: str  # e.g. "syntax", "shape", "quote", "vocabulary", "reasoner", "provenance"
    message: str
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    subject: str | None = None
    shape: str | None = None
    fix: str | None = None

    def location(self) -> str:
        where = str(self.file) if self.file else "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def render(self) -> str:
        lines = [f"{self.location()}: [{self.check}] {self.message}"]
        if self.subject:
            lines.append(f"    subject: <{self.subject}>")
        if self.shape:
            lines.append(f"    shape:   {self.shape}")
        if self.fix:
            lines.append(f"    fix:     {self.fix}")
        return "\n".join(lines)


def warnings_report(warnings: list[Problem], outcome: str) -> str:
    """What a build or validation that succeeded (`outcome`: what it did all the same) still warns about."""
    n = len(warnings)
    return "\n".join([f"{n} warning{'s' if n != 1 else ''} ({outcome}):",
                      *(w.render() for w in warnings)])


class BuildFailed(Exception):
    """The input is not publishable; `problems` says why. Nothing was published."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found; nothing was published."
        return "\n".join([head, *(p.render() for p in self.problems)])
