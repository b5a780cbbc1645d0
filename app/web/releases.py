"""Releases over time for the site: the list of kept releases with what changed in each, a diff between any two
(graph by graph from their `graphs.json`, quad by quad from their stores), and the diff written as RDF Patch or
as added / removed N-Quads. Read from the releases' history files (app/history.py); no release is ever changed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from app.history import read_graphs
from app.search import index_path, knows
from app.store import GraphStore, Release, releases
from app.web import queries

CHANGE_KINDS = ("added", "removed", "changed")
MEMENTOS_SHOWN = 10
"""Earlier releases an entity page links to (the newest); its TimeMap lists them all."""


@dataclass(frozen=True)
class ReleaseSummary:
    """One kept release as /releases lists it."""

    release: Release
    previous: str | None
    """The id of the release it followed (None for the first)."""
    changes: dict[str, Any]
    """The manifest's `changes` (counts are None where the previous release did not record them)."""

    @property
    def id(self) -> str:
        return self.release.id

    @property
    def manifest(self) -> dict[str, Any]:
        return self.release.manifest


def summary(release: Release) -> ReleaseSummary:
    changes = release.manifest.get("changes") or {}
    return ReleaseSummary(release, changes.get("previous"), changes)


def listing_json(kept: list[Release], current: Release | None, root: str) -> list[dict[str, Any]]:
    """/releases for programs: each kept release, newest first, with its URL and what changed in it."""
    return [{"id": s.id, "url": f"{root}releases/{s.id}", "built_at": s.manifest.get("built_at"),
             "previous": s.previous, "triples": s.manifest.get("triples"), "claims": s.manifest.get("claims"),
             "changes": s.changes, "current": current is not None and s.id == current.id}
            for s in map(summary, kept)]


@dataclass(frozen=True)
class GraphChange:
    graph: str
    kind: str
    """added, removed or changed"""
    quads_before: int
    quads_after: int


@dataclass(frozen=True)
class Diff:
    """What differs between two releases, graph by graph (claims first, then by name)."""

    old: Release
    new: Release
    graphs: list[GraphChange]

    def of_kind(self, kind: str) -> list[GraphChange]:
        return [g for g in self.graphs if g.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in CHANGE_KINDS}


class NotRecorded(Exception):
    """A release was built before releases recorded their graphs: it cannot be compared."""


def diff(old: Release, new: Release, claim_prefix: str) -> Diff:
    before, after = read_graphs(old.path), read_graphs(new.path)
    if before is None or after is None:
        raise NotRecorded(old.id if before is None else new.id)
    found = [GraphChange(g, "added", 0, after[g]["quads"]) for g in after.keys() - before.keys()]
    found += [GraphChange(g, "removed", before[g]["quads"], 0) for g in before.keys() - after.keys()]
    found += [GraphChange(g, "changed", before[g]["quads"], after[g]["quads"])
              for g in before.keys() & after.keys() if before[g]["digest"] != after[g]["digest"]]
    return Diff(old, new, sorted(found, key=lambda c: (not c.graph.startswith(claim_prefix), c.graph)))


def quad_changes(found: Diff, old_store: GraphStore, new_store: GraphStore) -> Iterator[tuple[str, ox.Quad]]:
    """("D", quad) for each quad only in the old release and ("A", quad) for each only in the new, graph by graph,
    deletions of a graph before its additions."""
    for change in found.graphs:
        before = set(queries.graph_quads(old_store, change.graph)) if change.kind != "added" else set()
        after = set(queries.graph_quads(new_store, change.graph)) if change.kind != "removed" else set()
        for sign, quads in (("D", before - after), ("A", after - before)):
            for quad in sorted(quads, key=str):
                yield sign, quad


def rdf_patch(found: Diff, changes: Iterator[tuple[str, ox.Quad]], release_url: str) -> Iterator[bytes]:
    """The diff as RDF Patch (https://afs.github.io/rdf-patch/): the `id` and `prev` headers name the two releases,
    then one transaction of `D` and `A` rows in N-Quads term syntax."""
    yield f"H id <{release_url}{found.new.id}> .\n".encode()
    yield f"H prev <{release_url}{found.old.id}> .\n".encode()
    yield b"TX .\n"
    for sign, quad in changes:
        yield f"{sign} {quad.subject} {quad.predicate} {quad.object} {quad.graph_name} .\n".encode()
    yield b"TC .\n"


def nquads(changes: Iterator[tuple[str, ox.Quad]], sign: str) -> Iterator[bytes]:
    """The added (`A`) or removed (`D`) quads as N-Quads."""
    for found, quad in changes:
        if found == sign:
            yield f"{quad.subject} {quad.predicate} {quad.object} {quad.graph_name} .\n".encode()


@dataclass(frozen=True)
class EntityHistory:
    """What an entity page says about time: the release each of its claims first appeared in, and the earlier
    releases that name the entity (newest first), with how many more its TimeMap lists."""

    first_seen: dict[str, str]
    earlier: list[Release]
    more: int


def entity_history(build_dir: Path, release: Release, iri: str, claims: Iterable[str]) -> EntityHistory:
    graphs = _graphs(release.path) or {}
    first_seen = {c: graphs[c]["first"] for c in claims if c in graphs and "first" in graphs[c]}
    earlier = [r for r in releases(build_dir) if r.id < release.id and names(r, iri)]
    return EntityHistory(first_seen, earlier[:MEMENTOS_SHOWN], max(0, len(earlier) - MEMENTOS_SHOWN))


def names(release: Release, iri: str) -> bool:
    """Whether `release` names the entity (its search index knows the IRI)."""
    path = index_path(release.path)
    return path.is_file() and knows(path, iri)


def prime(release: Release) -> None:
    """Read what entity pages need of `release` before the first request does (graphs.json: 0.2 s at 1M)."""
    _graphs(release.path)


@functools.lru_cache(maxsize=4)
def _graphs(path: Path) -> dict[str, dict[str, Any]] | None:
    """A release's graphs.json, read once per release (it never changes)."""
    return read_graphs(path)
