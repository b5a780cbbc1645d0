"""Releases over time, as the build records them: every release kept, its inputs' checksums, a digest per graph
with the release it first appeared in, and what changed since the release before it."""

from __future__ import annotations

import hashlib
import json
import random

import pyoxigraph as ox

from app.config import ROOT
from app.history import GRAPHS_FILE, graph_digests, read_graphs
from app.search import NAME_PROPERTIES
from app.store import open_release_store
from app.vocab import RDFS_LABEL
from tests.conftest import EDITED_LABEL, History

EDITED_FACTS = "data/facts/india-russia-defence-manufacturing-moscow.trig"
FIXTURE_FILES = {"data/facts/xss-label.trig", "data/sources/xss-label.txt"}


def _triples(release) -> set[ox.Triple]:  # type: ignore[no-untyped-def]
    return set(ox.parse(path=str(release.downloads_dir / "defcoop.nt"), format=ox.RdfFormat.N_TRIPLES))


def _graph_of_label(release, label_n3: str) -> str:  # type: ignore[no-untyped-def]
    label = ox.parse(f"<x:s> <x:p> {label_n3} .".encode(), format=ox.RdfFormat.N_TRIPLES).__next__().object
    rows = open_release_store(release).select(
        f"SELECT ?g WHERE {{ GRAPH ?g {{ ?x <{RDFS_LABEL}> {label} }} FILTER(STRSTARTS(STR(?g), "
        f"\"https://w3id.org/defcoop/id/claim/\")) }}")
    assert len(rows) == 1, rows
    return rows[0]["g"].value


def test_every_release_is_kept_by_default(release_history: History) -> None:
    assert release_history.first.path.is_dir() and release_history.second.path.is_dir()
    assert release_history.first.id < release_history.second.id


def test_a_release_records_the_checksums_of_its_inputs(release_history: History) -> None:
    inputs = release_history.first.manifest["inputs"]
    facts = ROOT / EDITED_FACTS
    assert inputs[EDITED_FACTS] == hashlib.sha256(facts.read_bytes()).hexdigest()
    assert {"ontology/defcoop.ttl", "shapes/firm.ttl", "data/sources/india-russia-defence-manufacturing-moscow.txt"} \
        <= set(inputs)


def test_the_first_release_has_everything_added(release_history: History) -> None:
    changes = release_history.first.manifest["changes"]
    assert changes["previous"] is None
    assert changes["inputs"]["added"] == sorted(release_history.first.manifest["inputs"])
    assert changes["triples"] == {"added": release_history.first.manifest["triples"], "removed": 0}


def test_a_release_says_what_changed_since_the_one_before(release_history: History) -> None:
    first, second = release_history.first, release_history.second
    changes = second.manifest["changes"]
    assert changes["previous"] == first.id
    assert set(changes["inputs"]["added"]) == FIXTURE_FILES
    assert changes["inputs"]["changed"] == [EDITED_FACTS] and changes["inputs"]["removed"] == []
    assert changes["claims"] == {"added": 1, "removed": 0}
    old, new = _triples(first), _triples(second)
    assert changes["triples"] == {"added": len(new - old), "removed": len(old - new)}
    assert changes["triples"]["removed"] >= 1  # the old label
    names = ", ".join(f"<{p}>" for p in NAME_PROPERTIES)
    named = f"SELECT DISTINCT ?x WHERE {{ ?x ?p ?name FILTER(?p IN ({names})) }}"
    before = {r["x"].value for r in open_release_store(first).select(named)}
    after = {r["x"].value for r in open_release_store(second).select(named)}
    assert changes["entities"] == {"added": len(after - before), "removed": len(before - after)}
    assert changes["entities"]["added"] >= 2  # the fixture's person and source
    graphs = changes["graphs"]
    assert graphs["added"] == 2 and graphs["removed"] == 0  # the new claim and the new source's provenance graph
    assert graphs["changed"] >= 1


def test_each_graph_records_when_it_first_appeared_and_since_when_it_is_unchanged(release_history: History) -> None:
    first, second = release_history.first, release_history.second
    graphs = read_graphs(second.path)
    assert graphs is not None
    edited = _graph_of_label(second, EDITED_LABEL[1])
    assert graphs[edited]["first"] == first.id and graphs[edited]["since"] == second.id
    added = "https://w3id.org/defcoop/id/claim/xss-label-01"
    assert graphs[added]["first"] == second.id == graphs[added]["since"]
    unchanged = [g for g, e in graphs.items() if e["since"] == first.id]
    assert unchanged, "no graph kept its content between the two releases"
    old = read_graphs(first.path)
    assert old is not None
    assert all(graphs[g]["digest"] == old[g]["digest"] for g in unchanged)


def test_graph_digests_count_quads_and_do_not_depend_on_order(release_history: History, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dump = release_history.second.downloads_dir / "defcoop.nq"
    lines = dump.read_bytes().splitlines(keepends=True)
    random.Random(7).shuffle(lines)
    shuffled = tmp_path / "shuffled.nq"
    shuffled.write_bytes(b"".join(lines))
    digests = graph_digests(dump)
    assert digests == graph_digests(shuffled)
    assert sum(e["quads"] for e in digests.values()) == release_history.second.manifest["quads"]
    recorded = json.loads((release_history.second.path / GRAPHS_FILE).read_text(encoding="utf-8"))
    assert {g: e["digest"] for g, e in recorded.items()} == {g: e["digest"] for g, e in digests.items()}
