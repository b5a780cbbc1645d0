"""What every page query shares: escaping of IRIs and text into SPARQL, counts by property, and names.

IRIs and user text reach a query only through `iri_ref()` / `string_literal()` (pyoxigraph's N-Triples escaping,
which is valid SPARQL), never by pasting raw input. `labels_of()` names any set of IRIs in batches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from app.search import LABELS, label_index, label_rank
from app.store import GraphStore
from app.vocab import (
    DCT_DESCRIPTION,
    DCT_TITLE,
    ONTOLOGY_NS,
    PREFIXES,
    RDF_LANGSTRING,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    SKOS_PREF,
    XSD_STRING,
)
from app.web.model import (
    Node,
    Term,
)

FIRST = (RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT_TITLE, DCT_DESCRIPTION)
"""Properties an entity page lists first, in this order; the others follow by label."""


LABEL_BATCH = 500
"""IRIs named per query by `labels_of()` (one VALUES block each): a page with more links asks in batches."""
PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


Row = tuple[ox.NamedNode, Term, ox.NamedNode]  # property, linked term, graph


def in_graph(graph: str, pattern: str, var: str = "graph") -> str:
    """`pattern` in the graph `graph` (an IRI reference), written `VALUES ?var { graph } GRAPH ?var { … }` rather
    than `GRAPH <graph> { … }`: the same on every store, and Virtuoso, given the default graph, leaves a constant
    GRAPH empty unless it is also named in FROM NAMED (a variable GRAPH reaches every graph)."""
    return f"VALUES ?{var} {{ {graph} }} GRAPH ?{var} {{ {pattern} }}"


def iri_ref(iri: str) -> str:
    """`<iri>` for a query; ValueError if `iri` is not a valid absolute IRI (so nothing can break out)."""
    return str(ox.NamedNode(iri))


def string_literal(text: str) -> str:
    """A SPARQL string literal of `text`, escaped (quotes, backslashes, newlines)."""
    return str(ox.Literal(text))


def first_value(rows: list[dict[str, Any]], name: str, default: Any) -> Any:
    for row in rows:
        if name in row:
            return row[name].value
    return default


def distinct_count(store: GraphStore, pattern: str, var: str, cap: int) -> int:
    """How many distinct values `pattern` binds `var` to, counted up to `cap` (the count stays bounded)."""
    counted = f"SELECT DISTINCT ?{var} WHERE {{ {pattern} }} LIMIT {int(cap)}"
    return int(first_value(store.select(PROLOGUE + f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {counted} }} }}"), "n", 0))


def property_counts(store: GraphStore, query: str) -> dict[str, int]:
    """property IRI → count, from a query selecting ?p and ?n."""
    return {r["p"].value: int(r["n"].value) for r in store.select(query) if isinstance(r.get("p"), ox.NamedNode)}


def labels_of(store: GraphStore, iris: Iterable[str], base_iri: str) -> Names:
    """Names of `iris`: rdfs:label, then skos:prefLabel, then dcterms:title; English, then untagged, then any. Read
    from the release's name index when it holds labels (chosen by the build as below: 1 ms for 500 IRIs at 1M,
    against 20-25 ms for the graph query), else from the graph."""
    iris = sorted({i for i in iris if i})
    index = label_index(store.release_dir)
    indexed = index.labels(iris) if index is not None else None
    if indexed is not None:
        return Names(indexed, base_iri)
    # one branch per naming property: `?x ?p ?l FILTER(?p IN …)` would scan every triple of a well-linked ?x
    branches = " UNION ".join(f"{{ ?x <{p}> ?l BIND({n} AS ?p) }}" for n, p in enumerate(LABELS))
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for start in range(0, len(iris), LABEL_BATCH):
        values = " ".join(iri_ref(i) for i in iris[start:start + LABEL_BATCH])
        for r in store.select(f"SELECT DISTINCT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} {branches} "
                              "FILTER(isLiteral(?l)) }"):
            label = r["l"]
            rank = label_rank(LABELS[int(r["p"].value)], label.language)
            key = r["x"].value
            if key not in best or (rank, label.value) < best[key]:
                best[key] = (rank, label.value)
    return Names({k: v[1] for k, v in best.items()}, base_iri)


def derived_graphs(base_iri: str) -> tuple[str, str]:
    """(inferred, merged): the graph of what the reasoner entails, and the graph a store without a default graph of
    its own holds the merged default graph in (Virtuoso: app/virtuoso.py), which states nothing of its own."""
    return f"{base_iri}graph/inferred", f"{base_iri}graph/default"


def classes_of(store: GraphStore, nodes: list[str], base_iri: str) -> dict[str, str]:
    """Each node's DefCoop class: one it is asserted to have (the most specific, as data states types), else any."""
    inferred, merged = derived_graphs(base_iri)
    values = " ".join(iri_ref(x) for x in nodes)
    rows = store.select(
        f"SELECT ?x ?c ?g WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x <{RDF_TYPE}> ?c }} "
        f"FILTER(STRSTARTS(STR(?c), {string_literal(ONTOLOGY_NS)}) && ?g != <{merged}>) }}")
    best: dict[str, tuple[bool, str]] = {}
    for r in rows:
        rank = (r["g"].value == inferred, r["c"].value)
        x = r["x"].value
        if x not in best or rank < best[x]:
            best[x] = rank
    return {x: c for x, (_, c) in best.items()}


@dataclass(frozen=True)
class Names:
    """Turns terms into Nodes with the labels found; an unlabelled DefCoop IRI is named by its last segment,
    any other IRI by itself."""

    found: Mapping[str, str]
    base_iri: str

    def label(self, iri: str) -> str:
        if iri in self.found:
            return self.found[iri]
        return last_segment(iri) if iri.startswith((self.base_iri, ONTOLOGY_NS)) else iri

    def node(self, term: Term) -> Node:
        if isinstance(term, ox.NamedNode):
            return Node(term.value, self.label(term.value))
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            shown = None if datatype in (XSD_STRING, RDF_LANGSTRING) else compact(datatype)
            return Node(term.value, term.value, "literal", term.language, shown)
        return Node(str(term), "(blank node)", "blank")

    def property(self, term: ox.NamedNode) -> Node:
        """A property with its ontology label, else its local name in words (`seeAlso` → `see also`)."""
        iri = term.value
        if iri in self.found:
            return Node(iri, self.found[iri])
        return Node(iri, re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last_segment(iri)).lower())


def compact(iri: str) -> str:
    """`xsd:date` for `http://www.w3.org/2001/XMLSchema#date`: the IRI with a known prefix, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def last_segment(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
