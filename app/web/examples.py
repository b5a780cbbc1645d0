"""Example queries: the ontology's competency questions (`ontology/competency-questions/*.rq`).

Each file starts with comment lines: the first is the question; `# param: ?name prefix:Class` lines make the
question take a parameter (an instance of the class), whose default is the query's `VALUES ?name { <iri> }`
clause; the rest (such as the `# expect:` table the tests check) are for the test suite; the query is what follows
them. Each question is a page of its own (/questions/{slug}); the SPARQL page lists the same examples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.config import Settings
from app.vocab import PREFIXES

FOLDER = "competency-questions"


PARAM = re.compile(r"^#\s*param:\s*\?(\w+)\s+(\w+):(\w+)\s*$")
"""`# param: ?country defcoop:Country`"""


def values_clause(name: str) -> re.Pattern[str]:
    """The `VALUES ?name { <iri> }` clause that holds a parameter's value in the query."""
    return re.compile(r"VALUES\s+\?" + re.escape(name) + r"\s*\{\s*<([^<>\s]*)>\s*\}")


@dataclass(frozen=True)
class Param:
    """A question's parameter: the query variable, the class its values belong to, the value the query holds."""

    name: str
    class_iri: str
    default: str


@dataclass(frozen=True)
class Example:
    """One example: `slug` (the file's stem, e.g. `01-delegation-leader`), the question, the query text and the
    parameters it takes."""

    slug: str
    question: str
    query: str
    params: tuple[Param, ...] = field(default=())

    def bind(self, values: Mapping[str, str]) -> str:
        """The query with each parameter's VALUES clause holding `values[name]` (an IRI the caller has checked),
        else its default."""
        query = self.query
        for param in self.params:
            chosen = values.get(param.name, param.default)
            query = values_clause(param.name).sub(lambda _, v=chosen, n=param.name: f"VALUES ?{n} {{ <{v}> }}",
                                                  query, count=1)
        return query


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
        query = "\n".join(lines[header:]).strip() + "\n"
        found.append(Example(path.stem, question, query, tuple(_params(lines[:header], query, path))))
    return found


def _params(header: list[str], query: str, path: Path) -> list[Param]:
    params = []
    for line in header:
        found = PARAM.match(line)
        if found is None:
            continue
        name, prefix, local = found.groups()
        default = values_clause(name).search(query)
        if default is None or prefix not in PREFIXES:
            raise ValueError(f"{path.name}: parameter ?{name} needs a known prefix and a "
                             f"`VALUES ?{name} {{ <iri> }}` clause in the query")
        params.append(Param(name, PREFIXES[prefix] + local, default.group(1)))
    return params
