"""Competency questions: each .rq file is a question an analyst asks, with its expected answer in comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ROOT
from app.store import EmbeddedStore

QUESTIONS = sorted((ROOT / "ontology" / "competency-questions").glob("*.rq"))


def expected_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """The `# expect:` table of a question file: header row, then one row per answer."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("# expect:") + 1
    table = []
    for line in lines[start:]:
        if not line.startswith("# |"):
            break
        table.append(tuple(cell.strip() for cell in line[len("# |"):].rstrip("|").split("|")))
    return list(table[0]), table[1:]


def test_there_are_at_least_twelve_questions() -> None:
    assert len(QUESTIONS) >= 12


@pytest.mark.parametrize("path", QUESTIONS, ids=[p.stem for p in QUESTIONS])
def test_competency_question_answers(store: EmbeddedStore, path: Path) -> None:
    header, expected = expected_rows(path)
    rows = store.select(path.read_text(encoding="utf-8"))
    actual = [tuple(row[v].value if v in row else "" for v in header) for row in rows]
    assert expected, f"{path.name} has no expected answer"
    assert sorted(actual) == sorted(expected)
