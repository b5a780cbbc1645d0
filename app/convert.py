"""rdflib ↔ Oxigraph, the one place the two libraries' terms and graphs are converted (build and site alike).

The build validates with pySHACL (rdflib) and stores with Oxigraph; the site describes the dataset with rdflib
graphs and writes every document with Oxigraph's serialisers."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node


def to_oxigraph(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph's triples as Oxigraph triples (through N-Triples, which both read and write exactly)."""
    return list(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """An Oxigraph term as the rdflib term of the same value."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
