"""The queries of release history: a graph's quads (what a diff compares)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from app.store import GraphStore
from app.web.queries.common import iri_ref


def graph_quads(store: GraphStore, graph: str) -> Iterator[ox.Quad]:
    """Every quad of the named graph `graph`."""
    name = ox.NamedNode(graph)
    for row in store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"):
        yield ox.Quad(row["s"], row["p"], row["o"], name)
