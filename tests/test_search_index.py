"""The release's name index: what search finds through it, and that it finds what the store holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.config import load_settings
from app.facets import FACETS
from app.pipeline.publish import Published
from app.search import NameIndex, index_path, write_index
from app.store import GraphStore, open_release_store
from app.web import queries
from app.web.queries import graph as graph_queries

NAMES = [
    ("x:moscow", "Moscow"), ("x:moscow-meeting", "Meetings in Moscow"), ("x:moscow-region", "Moscow Oblast"),
    ("x:percent", "100% owned"), ("x:under", "snake_case"), ("x:quote", 'the "Works"'),
    ("x:sidm", "Society of Indian Defence Manufacturers"), ("x:sidm", "SIDM"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> NameIndex:
    path = tmp_path_factory.mktemp("index") / "search.sqlite"
    assert write_index(path, NAMES) == len(NAMES)
    return NameIndex(path)


def iris(index: NameIndex, text: str, limit: int = 10) -> list[str]:
    return [m.iri for m in index.find(text, limit)[0]]


def test_exact_then_prefix_then_contains(index: NameIndex) -> None:
    assert iris(index, "moscow") == ["x:moscow", "x:moscow-region", "x:moscow-meeting"]
    assert iris(index, "MOSCOW") == iris(index, "moscow")


def test_short_text_and_wildcard_characters_are_plain_text(index: NameIndex) -> None:
    assert iris(index, "mo") == ["x:moscow", "x:moscow-region", "x:moscow-meeting"]  # under 3 characters: a scan
    assert iris(index, "%") == ["x:percent"]
    assert iris(index, "_") == ["x:under"]
    assert iris(index, '"works"') == ["x:quote"]
    assert iris(index, "nothing like it") == []


def test_an_entity_is_one_hit_whatever_names_match_and_the_limit_says_more(index: NameIndex) -> None:
    matches, more = index.find("s", 10)
    assert len({m.iri for m in matches}) == len(matches)
    assert next(m for m in matches if m.iri == "x:sidm").names == ("SIDM", "Society of Indian Defence Manufacturers")
    first, more = index.find("moscow", 2)
    assert [m.iri for m in first] == ["x:moscow", "x:moscow-region"] and more


@pytest.mark.parametrize("text", ["moscow", "Mos", "sidm", "de", "programme", "india", "zzz"])
def test_the_index_finds_what_a_scan_of_the_store_finds(published: Published, text: str) -> None:
    """The build's index holds every name the published graph gives an entity."""
    settings = load_settings({"build_dir": published.release.path.parent.parent}, environ={})
    store = open_release_store(published.release)
    index = NameIndex(index_path(published.release.path))
    by_index = queries.search(store, text, 1000, settings, index)
    by_scan = queries.search(store, text, 1000, settings, None)
    assert [h.node.value for h in by_index.hits] == [h.node.value for h in by_scan.hits]
    assert (text == "zzz") == (not by_index.hits)


def test_each_release_ships_its_index(published: Published) -> None:
    assert index_path(published.release.path).is_file()
    assert published.manifest["search_names"] > 50


class RefusingStore(GraphStore):
    """A store that answers nothing: search must answer from the name index alone."""

    def query(self, sparql, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"search queried the store: {sparql[:80]}")


ENTITIES = {"x:moscow": ("Moscow", (("c:City", "City"),)),
            "x:moscow-meeting": ("Meetings in Moscow", (("c:Meeting", "Meeting"),)),
            "x:sidm": ("Society of Indian Defence Manufacturers", (("c:Association", "Association"),
                                                                  ("c:Organisation", "Organisation")))}


def test_search_answers_from_the_index_alone_with_labels_and_types(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite"
    write_index(path, NAMES, ENTITIES)
    settings = load_settings({"build_dir": tmp_path}, environ={})
    found = queries.search(RefusingStore(), "moscow", 10, settings, NameIndex(path))
    assert [(h.node.value, h.node.label) for h in found.hits][:2] == [("x:moscow", "Moscow"),
                                                                      ("x:moscow-region", "x:moscow-region")]
    assert [t.label for t in found.hits[0].types] == ["City"]
    sidm = queries.search(RefusingStore(), "sidm", 10, settings, NameIndex(path)).hits
    assert [(h.node.label, h.matched, [t.label for t in h.types]) for h in sidm] == [
        ("Society of Indian Defence Manufacturers", "SIDM", ["Association", "Organisation"])]


@pytest.mark.parametrize("text", ["moscow", "Mos", "sidm", "india", "rus"])
def test_the_index_names_and_types_hits_as_the_store_does(published: Published, text: str) -> None:
    """Labels and types written at build time are those the store gives at query time; exact and prefix first."""
    settings = load_settings({"build_dir": published.release.path.parent.parent}, environ={})
    store = open_release_store(published.release)
    by_index = queries.search(RefusingStore(), text, 1000, settings, NameIndex(index_path(published.release.path)))
    by_scan = queries.search(store, text, 1000, settings, None)
    assert by_index.hits and by_index.hits == by_scan.hits
    needle = text.lower()
    ranks = [0 if h.node.label.lower() == needle or (h.matched or "").lower() == needle
             else 1 if h.node.label.lower().startswith(needle) or (h.matched or "").lower().startswith(needle)
             else 2 for h in by_index.hits]
    assert ranks == sorted(ranks)


def test_a_process_keeps_few_index_files_open(tmp_path: Path) -> None:
    """Regression: each release's index files, once opened by a page query, stayed open for the life of the process,
    so a pruned release's files kept their disk space."""
    from app.sqlite_file import OPEN_FILES, ReadOnlyFile, opened

    paths = []
    for n in range(OPEN_FILES + 3):
        path = tmp_path / f"index-{n}.sqlite"
        sqlite3.connect(path).close()
        paths.append(path)
    first = opened(ReadOnlyFile, paths[0])
    assert first is not None and opened(ReadOnlyFile, paths[0]) is first  # opened once
    for path in paths[1:]:
        opened(ReadOnlyFile, path)
    assert opened(ReadOnlyFile, paths[0]) is not first  # let go, opened again
    assert opened(ReadOnlyFile, tmp_path / "missing.sqlite") is None


def test_the_index_counts_each_entitys_links_as_the_store_does(published: Published) -> None:
    """The relation graph ranks a hub's neighbours by the links the index counted at publish (summed over the
    dumps' chunks): for every entity of the release, what the store's own count gives."""
    store = open_release_store(published.release)
    entities = sorted({r["x"].value for r in store.select(
        'SELECT DISTINCT ?x WHERE { { ?x ?p ?y } UNION { ?y ?p ?x } '
        'FILTER(isIRI(?x) && STRSTARTS(STR(?x), "https://w3id.org/defcoop/id/")) }')})
    assert len(entities) > 50
    counted = NameIndex(index_path(published.release.path)).links(entities)
    store.release_dir = None  # no index: the store counts
    assert counted == graph_queries._degrees(store, entities)
    assert max(counted.values()) > 20 and min(counted.values()) >= 1


def test_the_year_facet_read_from_the_dated_properties_is_the_one_read_from_every_triple(published: Published) -> None:
    """The build reads a year facet from the properties the chunks found with dates among their values; every year
    the whole graph gives an entity is there."""
    store = open_release_store(published.release)
    year = next(kind for kind in FACETS if kind.key == "year")
    everything = {(r["x"].value, r["f"].value) for r in store.select(
        f"SELECT DISTINCT ?x ?f WHERE {{ {year.pattern} FILTER(isIRI(?x) && "
        f'STRSTARTS(STR(?x), "https://w3id.org/defcoop/id/")) }}')}
    with sqlite3.connect(published.release.path / "facets.sqlite") as index:
        indexed = set(index.execute("SELECT e.text, v.text FROM facets f JOIN terms e ON e.id = f.entity "
                                    "JOIN terms v ON v.id = f.value WHERE f.facet = 'year'"))
    assert everything and indexed == everything
