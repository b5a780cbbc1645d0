"""Entities that look like duplicates: the same label in the same class, or the same identifier elsewhere
(`skos:exactMatch`, `owl:sameAs`) under two DefCoop IRIs. A build warns with the location of each (it still
publishes: two firms may share a name), so an editor merges them or tells them apart.

Each unit lists its entities' asserted classes, labels and identifiers when it is analysed (`Unit.names_file`,
cached with it); grouping them across units is a pass over dictionaries, with no query over the store (an
inferred superclass would make a city and a country named alike look like one place, so types are asserted ones).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from app.pipeline.errors import Problem
from app.pipeline.units import Unit

Locate = Callable[[str], tuple[Path | None, int | None]]


def look_alike(units: Iterable[Unit], locate: Locate) -> list[Problem]:
    """A warning per group of entities that look like one: where each is described, and what to do."""
    types: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    by_target: dict[str, set[str]] = {}
    for unit in units:
        names = json.loads(unit.names_file.read_text(encoding="utf-8"))
        for iri, cls in names["types"]:
            types.setdefault(iri, set()).add(cls)
        for iri, label in names["labels"]:
            labels.setdefault(iri, set()).add(label)
        for iri, target in names["matches"]:
            by_target.setdefault(target, set()).add(iri)
    by_name: dict[tuple[str, str], set[str]] = {}
    for iri, classes in types.items():
        for cls in classes:
            for label in labels.get(iri, ()):
                by_name.setdefault((cls, label), set()).add(iri)
    found = [_warning(f"entities of class {cls.rsplit('#', 1)[-1]} with the same label {label!r}", iris, locate)
             for (cls, label), iris in sorted(by_name.items()) if len(iris) > 1]
    found += [_warning(f"entities with the same identifier <{target}>", iris, locate)
              for target, iris in sorted(by_target.items()) if len(iris) > 1]
    return found


def _warning(what: str, iris: set[str], locate: Locate) -> Problem:
    members = sorted(iris)
    where = []
    for iri in members:
        file, line = locate(iri)
        where.append(f"<{iri}> ({file or 'unknown file'}{f':{line}' if line else ''})")
    file, line = locate(members[0])
    return Problem(
        "duplicates", f"{what} look like duplicates: " + ", ".join(where), file=file, line=line, subject=members[0],
        fix="if they are one thing, keep one IRI and replace the others with it in every facts file; if they are "
            "different, give each a label that tells them apart")
