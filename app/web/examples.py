"""Example queries: the ontology's competency questions (`ontology/competency-questions/*.rq`).

Each file starts with comment lines: the first is the question, the rest (such as the `# expect:` table the
tests check) are for the test suite; the query is what follows them. The home page links each example to
`/sparql?query=…`; the SPARQL page lists the same examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.config import Settings

FOLDER = "competency-questions"


@dataclass(frozen=True)
class Example:
    """One example: `slug` (the file's stem, e.g. `01-delegation-leader`), the question and the query text."""

    slug: str
    question: str
    query: str


def examples(ontology_dir: Path | None = None) -> list[Example]:
    """The competency questions in `ontology_dir` (default: the `ontology_dir` setting's default), by file name."""
    folder = (ontology_dir or Settings().ontology_dir) / FOLDER
    found = []
    for path in sorted(folder.glob("*.rq")):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = 0
        while header < len(lines) and (lines[header].startswith("#") or not lines[header].strip()):
            header += 1
        question = lines[0].lstrip("#").strip() if lines and lines[0].startswith("#") else path.stem
        found.append(Example(path.stem, question, "\n".join(lines[header:]).strip() + "\n"))
    return found
