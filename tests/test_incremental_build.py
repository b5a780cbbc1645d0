"""A build after some files changed publishes exactly what a build from scratch of the same files publishes: the
same bytes in every dump, the same quads in the store it serves (which it made from the previous release's store
by swapping the chunks that changed, app/pipeline/chunks.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from app.config import ROOT, load_settings
from app.history import graph_digests
from app.pipeline import Progress, build
from app.search import NameIndex
from bench.generate import generate
from tests.test_build_scale import settings

BLANK = """@prefix defcoop: <https://w3id.org/defcoop/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix firm: <https://w3id.org/defcoop/id/firm/> .
@prefix source: <https://w3id.org/defcoop/id/source/> .
<https://w3id.org/defcoop/id/claim/blank-1> {{
  firm:blank-node-works a defcoop:Firm ; rdfs:label "Blank Node Works"@en ;
    rdfs:comment [ rdfs:label "{note}"@en ] .
}}
<https://w3id.org/defcoop/graph/provenance/blank> {{
  source:blank a defcoop:Source ; dcterms:title "Blank"@en .
  <https://w3id.org/defcoop/id/claim/blank-1> a defcoop:Claim ; prov:wasDerivedFrom source:blank ;
    defcoop:epistemicStatus <https://w3id.org/defcoop/id/epistemic-status/curated> ; defcoop:rationale "test" .
}}
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("gen") / "data"
    generate(data, 6_000, claims_per_source=25)
    return data


def facts(data: Path, name: str) -> Path:
    return data / "facts" / name


def rename_an_official(data: Path) -> None:
    path = facts(data, "generated-00001.trig")
    path.write_text(path.read_text(encoding="utf-8").replace('"Official 1-1"@en', '"Official 1-1 (renamed)"@en'),
                    encoding="utf-8")


def remove_the_first_file(data: Path) -> None:
    """Its firms are stated again by later files: their triples now belong to a later file's chunk."""
    facts(data, "generated-00000.trig").unlink()


def add_a_file(data: Path) -> None:
    (data / "facts" / "blank.trig").write_text(BLANK.format(note="first"), encoding="utf-8")


def change_a_blank_node(data: Path) -> None:
    (data / "facts" / "blank.trig").write_text(BLANK.format(note="second"), encoding="utf-8")


EDITS: dict[str, tuple[Callable[[Path], None] | None, Callable[[Path], None]]] = {
    "a label renamed": (None, rename_an_official),
    "the first file removed": (None, remove_the_first_file),
    "a file added": (None, add_a_file),
    "a blank node changed": (add_a_file, change_a_blank_node),
}


NEEDLES = ("official", "official 1-1", "renamed", "forge", "blank node", "moscow", "of")


def published(build_dir: Path) -> tuple[dict[str, tuple[str, str]], set[ox.Quad], dict[str, str], dict[str, int],
                                        set[tuple[str, str, str]], dict[str, Any]]:
    """A build dir's current release: each download's checksums, its store's quads, each graph's digest, the links
    its name index counted (summed over the chunks), its facet index's rows, and the rest of its indexes' content
    by text (not by row ids), with what searches for `NEEDLES` find."""
    release = build_dir / "current"
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    sums = {name: (d["sha256"], d["gzip"]["sha256"]) for name, d in manifest["downloads"].items()}
    graphs = {g: e["digest"] for g, e in json.loads((release / "graphs.json").read_text(encoding="utf-8")).items()}
    with sqlite3.connect(release / "search.sqlite") as index:
        links = dict(index.execute("SELECT iri, n FROM links"))
        names = {table: sorted(index.execute(f"SELECT * FROM {table}")) for table in ("names", "entities", "labels")}
    with sqlite3.connect(release / "facets.sqlite") as index:
        facets = set(index.execute("SELECT e.text, f.facet, v.text FROM facets f JOIN terms e ON e.id = f.entity "
                                   "JOIN terms v ON v.id = f.value"))
        members = sorted(index.execute("SELECT c.text, e.text FROM members m JOIN terms c ON c.id = m.class "
                                       "JOIN terms e ON e.id = m.entity"))
        counts = sorted(index.execute("SELECT c.text, v.facet, t.text, v.n FROM value_counts v JOIN terms c ON "
                                      "c.id = v.class JOIN terms t ON t.id = v.value"))
        ordered = [row[0] for row in index.execute("SELECT text FROM terms ORDER BY id")]
    assert ordered == sorted(ordered), "term ids follow the terms' order (class pages page by id)"
    found = {needle: NameIndex(release / "search.sqlite").find(needle, 20) for needle in NEEDLES}
    indexes = {**names, "members": members, "value_counts": counts, "found": found,
               "counted": (manifest["search_names"], manifest["facet_rows"])}
    return sums, set(ox.Store.read_only(str(release / "store"))), graphs, links, facets, indexes


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_rebuild_publishes_what_a_build_from_scratch_publishes(generated: Path, tmp_path: Path, edit: str) -> None:
    before, after = EDITS[edit]
    data = tmp_path / "data"
    shutil.copytree(generated, data)
    if before:
        before(data)
    build(settings(data, tmp_path / "incremental"))
    after(data)
    progress = Progress(quiet=True)
    build(settings(data, tmp_path / "incremental"), progress)
    build(settings(data, tmp_path / "scratch"))
    note = {s.name: s.note for s in progress.stages}["publish"]
    assert "store updated" in note  # the previous release's store, with the changed chunks swapped
    incremental, scratch = published(tmp_path / "incremental"), published(tmp_path / "scratch")
    assert incremental[0] == scratch[0]
    assert incremental[1] == scratch[1]
    assert incremental[2] == scratch[2]
    assert incremental[3] == scratch[3] and incremental[3]
    assert incremental[4] == scratch[4] and any(facet == "year" for _, facet, _ in incremental[4])
    assert incremental[5] == scratch[5]
    if edit == "a file added":  # new entities: new terms, for which the facet index gives every term its id again
        assert "indexes updated for" in note
    if edit == "a label renamed":  # the previous release's indexes, with the renamed official's rows written again
        assert "indexes updated for 1 entity" in note
        assert [m.iri for m in incremental[5]["found"]["renamed"][0]][:1] == [
            "https://w3id.org/defcoop/id/person/generated-00001-00001"]


def test_removing_the_first_file_moves_shared_triples_to_a_later_chunk(generated: Path) -> None:
    """What makes the removal above a test of chunk ownership: the first file shares triples with later ones."""
    first = set(ox.parse(path=str(facts(generated, "generated-00000.trig")), format=ox.RdfFormat.TRIG))
    later = set(ox.parse(path=str(facts(generated, "generated-00001.trig")), format=ox.RdfFormat.TRIG))
    shared = {ox.Triple(q.subject, q.predicate, q.object) for q in first} & {
        ox.Triple(q.subject, q.predicate, q.object) for q in later}
    assert shared


def test_after_the_ontology_changed_the_store_is_loaded_again(generated: Path, tmp_path: Path) -> None:
    """The head chunk (the ontology folder's graphs) changed: the store is loaded from the dumps, not updated."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    config = {"data_dir": generated, "build_dir": tmp_path / "build", "ontology_dir": ontology}
    build(load_settings(config, environ={}))
    main = next(p for p in sorted(ontology.glob("*.ttl")) if "owl:Ontology" in p.read_text(encoding="utf-8"))
    main.write_text(main.read_text(encoding="utf-8") + "\n<https://w3id.org/defcoop/ontology#Firm> "
                    "<http://www.w3.org/2000/01/rdf-schema#comment> \"An edited comment.\"@en .\n", encoding="utf-8")
    again = Progress(quiet=True)
    build(load_settings(config, environ={}), again)
    assert "store loaded" in {s.name: s.note for s in again.stages}["publish"]
    build(load_settings({**config, "build_dir": tmp_path / "scratch"}, environ={}))
    assert published(tmp_path / "build") == published(tmp_path / "scratch")


def test_each_gzip_dump_is_one_member_a_streaming_decoder_reads_to_the_end(generated: Path, tmp_path: Path) -> None:
    """The `.gz` twins are assembled from the chunks' deflate segments: still one gzip member, so a client that
    inflates one member (zlib with gzip framing, as many HTTP stacks do for Content-Encoding) gets the whole file."""
    build(settings(generated, tmp_path / "build"))
    downloads = tmp_path / "build" / "current" / "downloads"
    for packed in downloads.glob("*.gz"):
        inflater = zlib.decompressobj(wbits=31)
        plain = inflater.decompress(packed.read_bytes())
        assert inflater.eof and not inflater.unused_data, packed.name
        assert plain == (downloads / packed.stem).read_bytes(), packed.name


def test_the_graph_digests_from_the_chunks_are_those_of_the_nquads_dump(generated: Path, tmp_path: Path) -> None:
    """graphs.json (what /releases compares) sums each chunk's lines; reading the whole dump gives the same."""
    build(settings(generated, tmp_path / "build"))
    release = tmp_path / "build" / "current"
    assert json.loads((release / "graphs.json").read_text(encoding="utf-8")) == {
        g: {**e, "first": release.resolve().name, "since": release.resolve().name}
        for g, e in graph_digests(release / "downloads" / "defcoop.nq").items()}
