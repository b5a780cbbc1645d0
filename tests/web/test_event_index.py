"""The release's event index (app/events.py) chooses the same events as the graph queries it stands in for
(app/web/queries/timeline.py), for every filter a timeline, the network and a profile use; the build writes it, and
a release without one is still served, by the graph queries."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app.config import Settings
from app.events import FILE, event_index
from app.store import GraphStore
from app.web.queries.timeline import timeline

timeline_queries = importlib.import_module("app.web.queries.timeline")  # the package exports a function of that name
PREFIXES = "PREFIX defcoop: <https://w3id.org/defcoop/ontology#>\n"


def one_of(store: GraphStore, sparql: str) -> str:
    return str(store.select(PREFIXES + sparql + " LIMIT 1")[0]["x"].value)


@pytest.fixture(scope="module")
def filters(generated: tuple[GraphStore, Settings]) -> list[dict[str, object]]:
    store, settings = generated
    india, russia = settings.id_prefix + "country/india", settings.id_prefix + "country/russia"
    firm = one_of(store, "SELECT ?x WHERE { ?e defcoop:participant ?x . ?x a defcoop:Firm . ?e defcoop:startDate ?d }")
    programme = one_of(store, "SELECT ?x WHERE { ?e defcoop:discussed ?x . ?x a defcoop:Programme . "
                              "?e defcoop:startDate ?d }")
    city = one_of(store, "SELECT ?x WHERE { ?e defcoop:location ?x . ?e defcoop:startDate ?d }")
    years = sorted({r["d"].value[:4] for r in store.select(PREFIXES + "SELECT ?d WHERE { ?e defcoop:startDate ?d }")})
    assert len(years) > 2, "the generated data has too few years to filter by"
    middle = int(years[len(years) // 2])
    return [{}, {"limit": 7}, {"country": india}, {"country": india, "limit": 3}, {"involving": firm},
            {"involving": city}, {"programme": programme}, {"country": india, "programme": programme},
            {"country": india, "involving": russia}, {"year_from": middle}, {"year_to": middle},
            {"year_from": middle, "year_to": middle, "country": india}, {"year_from": 1000, "year_to": 1001},
            {"country": india, "involving": russia, "year_from": middle, "limit": 5}]


def test_the_event_index_chooses_the_events_the_graph_queries_choose(
        generated: tuple[GraphStore, Settings], filters: list[dict[str, object]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, settings = generated
    assert event_index(store.release_dir) is not None, "the build wrote no event index"
    indexed = [timeline(store, settings, **f) for f in filters]  # type: ignore[arg-type]
    monkeypatch.setattr(store, "release_dir", None)  # as for a release built without the index
    for f, by_index in zip(filters, indexed, strict=True):
        by_graph = timeline(store, settings, **f)  # type: ignore[arg-type]
        assert by_index == by_graph, f
    assert any(t.total > len(t.items) > 0 for t in indexed), "no filter had more events than shown"
    assert any(t.total == 0 for t in indexed) and any(0 < t.total == len(t.items) for t in indexed)


def test_the_event_index_names_a_pairs_events_as_the_graph_does(
        generated: tuple[GraphStore, Settings], monkeypatch: pytest.MonkeyPatch) -> None:
    store, settings = generated
    india, russia = settings.id_prefix + "country/india", settings.id_prefix + "country/russia"

    def events(*iris: str) -> set[str]:
        pattern = timeline_queries.events_among(store, *iris)
        return {r["e"].value for r in store.select(f"SELECT ?e WHERE {{ {pattern} }}")}

    indexed = [events(india), events(india, russia), events(russia)]
    monkeypatch.setattr(store, "release_dir", None)
    assert indexed == [events(india), events(india, russia), events(russia)]
    assert 0 < len(indexed[1]) < len(indexed[0])


def test_the_build_counts_the_dated_events_it_indexes(generated: tuple[GraphStore, Settings]) -> None:
    store, _ = generated
    assert store.release_dir is not None
    manifest = (store.release_dir / "manifest.json").read_text()
    dated = store.select(PREFIXES + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e defcoop:startDate ?d }")[0]["n"]
    assert f'"dated_events": {dated.value}' in manifest


def test_a_release_without_an_event_index_has_none(tmp_path: Path) -> None:
    assert event_index(tmp_path) is None and event_index(None) is None
    assert not (tmp_path / FILE).exists()
