"""Loading N-Triples and N-Quads (app/pipeline/load.py `load_rdf`): text without blank nodes goes to Oxigraph's own
loader, text with them is read triple by triple so that their labels are kept; both give the same quads, in the
graph asked for."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from app.pipeline.load import load_rdf

GRAPH = ox.NamedNode("https://w3id.org/defcoop/graph/inferred")
EX = "http://example.org/"
PLAIN = [
    ox.Triple(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("mentions _:x in a literal")),
    ox.Triple(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal('quotes " and \\ backslash', language="en")),
    ox.Triple(ox.NamedNode(EX + "ü"), ox.NamedNode(EX + "p"), ox.Literal("7", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))),
]
WITH_BLANK = [*PLAIN[1:], ox.Triple(ox.BlankNode("b1"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "a"))]


@pytest.mark.parametrize("on_disk", [False, True], ids=["in memory", "on disk"])
@pytest.mark.parametrize("triples", [PLAIN[1:], PLAIN, WITH_BLANK], ids=["plain", "'_:' in a literal", "blank node"])
def test_ntriples_land_in_the_graph_with_their_blank_nodes_labels(triples: list[ox.Triple], on_disk: bool,
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "unit.nt"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    for n, source in enumerate(({"path": path}, {"data": path.read_bytes()})):
        store = ox.Store(str(tmp_path / f"store{n}")) if on_disk else ox.Store()
        load_rdf(store, ox.RdfFormat.N_TRIPLES, graph=GRAPH, on_disk=on_disk, **source)  # type: ignore[arg-type]
        assert set(store) == {ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in triples}


@pytest.mark.parametrize("triples", [PLAIN[1:], WITH_BLANK], ids=["plain", "blank node"])
def test_nquads_keep_their_graphs_and_blank_nodes_labels(triples: list[ox.Triple]) -> None:
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(EX + f"g{n}")) for n, t in enumerate(triples)]
    store = ox.Store()
    load_rdf(store, ox.RdfFormat.N_QUADS, data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    assert set(store) == set(quads)
