"""The relation graph's queries: an entity's neighbours one hop away (both directions), the most connected of them
for hubs, the links among them, and each node's class.

Every query is bounded: neighbours are found with LIMIT (`GRAPH_CANDIDATES`), ranked by degree only among those,
and links are looked up between the few nodes shown (VALUES on both ends), so a hub of a 1M-triple store costs
what an ordinary entity does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pyoxigraph as ox

from app.config import Settings
from app.search import label_index
from app.store import GraphStore
from app.vocab import RDF_TYPE
from app.web.model import GraphEdge, GraphNode, Node, RelationGraph
from app.web.queries.common import Names, classes_of, derived_graphs, distinct_count, iri_ref, labels_of, string_literal

GRAPH_NODES = 25
"""Most neighbours a relation graph shows; a hub shows its most connected ones and says how many it leaves out."""
GRAPH_CANDIDATES = 200
"""Neighbours of a hub read (in the store's order) to pick the most connected from; bounds the ranking query
(degrees of 200 cost 8 ms at 1M, of 500 21 ms)."""
NEIGHBOURS_COUNTED = 1_000
"""A hub's neighbours are counted up to this many ("1,000 or more" beyond): counting stays bounded (the claims'
status "stated", 28,000 neighbours at 1M: 121 ms counted to 100,000, 52 ms to 10,000, 5 ms to 1,000; the page's
link groups give each property's exact count)."""


def neighbourhood(store: GraphStore, iri: str, settings: Settings) -> RelationGraph | None:
    """The relation graph of `iri`: itself, at most `GRAPH_NODES` neighbours (DefCoop entities it links to or that
    link to it, types aside) and every link among them (asserted links; a pair linked only by inference keeps that
    link, marked inferred). None when the entity has no neighbours."""
    try:
        node = iri_ref(iri)
    except ValueError:
        return None
    entities = string_literal(settings.id_prefix)
    near = (f"{{ {node} ?p ?x }} UNION {{ ?x ?p {node} }} "
            f"FILTER(isIRI(?x) && ?x != {node} && ?p != <{RDF_TYPE}> && STRSTARTS(STR(?x), {entities}))")
    candidates = [r["x"].value for r in store.select(
        f"SELECT DISTINCT ?x WHERE {{ {near} }} LIMIT {GRAPH_CANDIDATES + 1}")]
    if not candidates:
        return None
    total = len(candidates)
    if total > GRAPH_CANDIDATES:
        total = distinct_count(store, near, "x", NEIGHBOURS_COUNTED)
        candidates = candidates[:GRAPH_CANDIDATES]
    degrees = _degrees(store, candidates) if len(candidates) > GRAPH_NODES else {}
    chosen = sorted(candidates, key=lambda x: (-degrees.get(x, 0), x))[:GRAPH_NODES]
    shown = [iri, *chosen]
    edges = links_among(store, shown, settings.base_iri)
    kinds = classes_of(store, shown, settings.base_iri)
    labels = labels_of(store, {*shown, *kinds.values(), *(p for e in edges for p in e[2])}, settings.base_iri)

    graph_node, edge = graph_parts(labels, kinds, degrees)

    return RelationGraph(
        centre=graph_node(iri),
        neighbours=tuple(graph_node(x) for x in chosen),
        edges=tuple(edge(*e) for e in edges),
        total=total,
        counted_all=total < NEIGHBOURS_COUNTED,
    )


def graph_parts(labels: Names, kinds: Mapping[str, str], degrees: Mapping[str, int]
                ) -> tuple[Callable[[str], GraphNode], Callable[..., GraphEdge]]:
    """How a graph's nodes (an IRI with its label, class and degree) and links (subject, object, properties,
    inferred) become page model."""
    def graph_node(x: str) -> GraphNode:
        kind = kinds.get(x)
        return GraphNode(Node(x, labels.label(x)), Node(kind, labels.label(kind)) if kind else None, degrees.get(x, 0))

    def edge(s: str, o: str, props: tuple[str, ...], inferred: bool) -> GraphEdge:
        named = sorted((labels.property(ox.NamedNode(p)) for p in props), key=lambda n: n.label)
        return GraphEdge(labels.node(ox.NamedNode(s)), labels.node(ox.NamedNode(o)), tuple(named), inferred)

    return graph_node, edge


def _degrees(store: GraphStore, nodes: list[str]) -> dict[str, int]:
    """How many links (types aside) each node has, either way: from the release's name index, which counted them
    at publish (a neighbour that is itself a hub cost 10-15 ms to count at 1M), else from the store."""
    index = label_index(store.release_dir)
    counted = index.links(nodes) if index is not None else None
    if counted is not None:
        return counted
    values = " ".join(iri_ref(x) for x in nodes)
    rows = store.select(
        f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} "
        f"{{ ?x ?p ?y FILTER(isIRI(?y) && ?p != <{RDF_TYPE}>) }} UNION {{ ?y ?p ?x }} }} GROUP BY ?x")
    return {r["x"].value: int(r["n"].value) for r in rows}


def links_among(store: GraphStore, nodes: list[str], base_iri: str) -> list[tuple[str, str, tuple[str, ...], bool]]:
    """(subject, object, properties, inferred) for the links between any two of `nodes`: the asserted properties of
    each linked pair, or the inferred ones when nothing asserts a link between them."""
    inferred, merged = derived_graphs(base_iri)
    refs = " ".join(iri_ref(x) for x in nodes)
    # each node's links, joined to the others as a sub-select: Oxigraph then hashes the objects (34 ms for the
    # network's 70 nodes at 1M) instead of testing each link with IN (77 ms) or looking up each pair (112 ms)
    rows = store.select(f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {refs} }} GRAPH ?g {{ ?s ?p ?o }} "
                        f"{{ SELECT ?o WHERE {{ VALUES ?o {{ {refs} }} }} }} FILTER(?s != ?o && ?g != <{merged}>) }}")
    found: dict[tuple[str, str], dict[str, bool]] = {}
    for r in rows:
        props = found.setdefault((r["s"].value, r["o"].value), {})
        asserted = r["g"].value != inferred
        props[r["p"].value] = props.get(r["p"].value, False) or asserted
    asserted_pairs = {frozenset(k) for k, props in found.items() if any(props.values())}
    edges = []
    for (s, o), props in sorted(found.items()):
        if frozenset((s, o)) in asserted_pairs:
            kept = tuple(sorted(p for p, a in props.items() if a))
            if kept:
                edges.append((s, o, kept, False))
        else:
            edges.append((s, o, tuple(sorted(props)), True))
    return edges
