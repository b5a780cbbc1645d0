"""The queries of the other pages: an entity's RDF description, the classes and a class's index, search, the dataset
summary and property usage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from app.config import Settings
from app.facets import FacetIndex
from app.search import NAME_PROPERTIES, Match, NameIndex
from app.store import GraphStore
from app.vocab import (
    DEFCOOP,
    ONTOLOGY_IRI,
    ONTOLOGY_NS,
    RDF_TYPE,
)
from app.web.model import (
    ClaimParts,
    ClassCount,
    ClassIndex,
    Hit,
    Node,
    SearchResults,
    Summary,
)
from app.web.queries.common import (
    PROLOGUE,
    Names,
    first_value,
    in_graph,
    iri_ref,
    labels_of,
    last_segment,
    property_counts,
    string_literal,
)


def description(store: GraphStore, iri: str, limit: int) -> tuple[list[ox.Triple], bool]:
    """The entity's RDF description: triples with it as subject and triples pointing at it, at most `limit` of
    each (True when some were left off); sorted, without the union default graph's duplicates."""
    try:
        node = iri_ref(iri)
    except ValueError:
        return [], False
    out = store.triples(f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ "
                        f"{{ SELECT DISTINCT ?p ?o WHERE {{ {node} ?p ?o }} LIMIT {int(limit) + 1} }} }}")
    into = store.triples(f"CONSTRUCT {{ ?s ?p {node} }} WHERE {{ "
                         f"{{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} }} LIMIT {int(limit) + 1} }} }}")
    truncated = len(set(out)) > limit or len(set(into)) > limit
    triples = sorted(set(out), key=str)[:limit] + sorted(set(into), key=str)[:limit]
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))), truncated


def classes(store: GraphStore, counts: Mapping[str, int] | None = None) -> list[ClassCount]:
    """Every class of the DefCoop ontology with its number of instances, by label.

    `counts` (class IRI → instances, as in the release manifest's `classes`) saves counting; without it the
    store counts (one GROUP BY over all types).
    """
    rows = store.select(
        PROLOGUE + "SELECT ?c ?label ?definition WHERE { " + in_graph(
            f"<{ONTOLOGY_IRI}>", f"?c a owl:Class FILTER(STRSTARTS(STR(?c), {string_literal(ONTOLOGY_NS)})) "
            "OPTIONAL { ?c rdfs:label ?label } OPTIONAL { ?c skos:definition ?definition }") + " }"
    )
    if counts is None:
        counts = property_counts(store, PROLOGUE + f"SELECT ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?p "
                                           f"FILTER(STRSTARTS(STR(?p), {string_literal(ONTOLOGY_NS)})) }} GROUP BY ?p")
    found: dict[str, ClassCount] = {}
    for row in rows:
        iri = row["c"].value
        if iri in found and found[iri].definition:
            continue
        label = row["label"].value if "label" in row else last_segment(iri)
        definition = row["definition"].value if "definition" in row else None
        found[iri] = ClassCount(Node(iri, label), iri[len(ONTOLOGY_NS):], int(counts.get(iri, 0)), definition)
    return sorted(found.values(), key=lambda c: c.node.label.lower())


def class_index(store: GraphStore, class_iri: str, limit: int, offset: int,
                base_iri: str = Settings.base_iri, narrowed: tuple[list[str], int] | None = None) -> ClassIndex | None:
    """Instances `offset` … `offset + limit` of a DefCoop class (the store's stable order, then by label within
    the page), its total, definition and neighbouring classes; None if the ontology has no such class. With
    `narrowed` (a page of instances and their total, from the facet index), those instances instead."""
    try:
        node = iri_ref(class_iri)
    except ValueError:
        return None
    about = store.select(
        PROLOGUE + "SELECT ?label ?definition WHERE { " + in_graph(
            f"<{ONTOLOGY_IRI}>", f"{node} a owl:Class OPTIONAL {{ {node} rdfs:label ?label }} "
            f"OPTIONAL {{ {node} skos:definition ?definition }}") + " }"
    )
    if not about or not class_iri.startswith(ONTOLOGY_NS):
        return None
    if narrowed is not None:
        items, total = [ox.NamedNode(iri) for iri in narrowed[0]], narrowed[1]
    else:
        total = int(first_value(store.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {node} }}"), "n", 0))
        items = [r["x"] for r in store.select(
            f"SELECT DISTINCT ?x WHERE {{ ?x a {node} }} LIMIT {int(limit)} OFFSET {int(offset)}")]
    near = store.select(
        PROLOGUE + "SELECT ?super ?sub WHERE { " + in_graph(
            f"<{ONTOLOGY_IRI}>", f"{{ {node} rdfs:subClassOf ?super FILTER(isIRI(?super)) }} UNION "
            f"{{ ?sub rdfs:subClassOf {node} }}") + " }"
    )
    supers = {r["super"].value for r in near if "super" in r}
    subs = {r["sub"].value for r in near if "sub" in r and isinstance(r["sub"], ox.NamedNode)}
    labels = labels_of(store, {x.value for x in items if isinstance(x, ox.NamedNode)} | supers | subs, base_iri)
    return ClassIndex(
        node=Node(class_iri, first_value(about, "label", last_segment(class_iri))),
        name=class_iri[len(ONTOLOGY_NS):],
        definition=first_value(about, "definition", None),
        total=total,
        items=tuple(sorted((labels.node(x) for x in items), key=lambda n: n.label.lower())),
        offset=offset,
        limit=limit,
        superclasses=tuple(sorted((labels.node(ox.NamedNode(s)) for s in supers), key=lambda n: n.label.lower())),
        subclasses=tuple(sorted((labels.node(ox.NamedNode(s)) for s in subs), key=lambda n: n.label.lower())),
    )


def search(store: GraphStore, text: str, limit: int, settings: Settings, index: NameIndex | None,
           facets: FacetIndex | None = None, chosen: Mapping[str, str] | None = None) -> SearchResults:
    """Entities (IRIs under `{base}id/`) with a label, preferred or alternative label or title containing `text`,
    case-insensitively; at most `limit` hits, exact matches first, then prefix matches, then by label; with
    `chosen` facet values, only entities that have them all (the name index narrows with the facet index).

    The release's name index answers (app/search.py); without one (a remote store with no local release) the
    names are scanned with SPARQL, and there are no facets to narrow by."""
    needle = text.strip().lower()
    if not needle:
        return SearchResults(text, (), False)
    if index is not None:
        found_matches, more = index.find(needle, limit, chosen, facets.path if facets else None)
        if index.shows_hits():
            return _ranked(text, needle, _hits_of(found_matches, settings.base_iri), more)
        matches = {m.iri: list(m.names) for m in found_matches}
    else:
        matches, more = _scan_names(store, needle, limit, settings.id_prefix)
    found = list(matches)[:limit]
    inferred = f"<{settings.base_iri}graph/inferred>"
    merged = f"<{settings.base_iri}graph/default>"  # on Virtuoso, the default graph is a graph too (app/virtuoso.py)
    typed = store.select(
        f"SELECT DISTINCT ?x ?t WHERE {{ VALUES ?x {{ {' '.join(iri_ref(x) for x in found)} }} "
        f"GRAPH ?g {{ ?x a ?t }} FILTER(?g != {inferred} && ?g != {merged}) }}"
    ) if found else []
    types: dict[str, set[str]] = {}
    for r in typed:
        types.setdefault(r["x"].value, set()).add(r["t"].value)
    labels = labels_of(store, {*found, *(t for ts in types.values() for t in ts)}, settings.base_iri)
    hits = []
    for x in found:
        node = labels.node(ox.NamedNode(x))
        hits.append(Hit(
            node,
            None if node.label in matches[x] else matches[x][0],
            tuple(sorted((labels.node(ox.NamedNode(t)) for t in types.get(x, ())), key=lambda n: n.label)),
        ))

    return _ranked(text, needle, hits, more)


def _hits_of(matches: list[Match], base_iri: str) -> list[Hit]:
    """Hits from the name index alone: the label and classes it holds for each entity."""
    labels = Names({m.iri: m.label for m in matches if m.label} | {t: n for m in matches for t, n in m.types if n},
                   base_iri)
    hits = []
    for m in matches:
        node = labels.node(ox.NamedNode(m.iri))
        hits.append(Hit(node, None if node.label in m.names else m.names[0],
                        tuple(sorted((labels.node(ox.NamedNode(t)) for t, _ in m.types), key=lambda n: n.label))))
    return hits


def _ranked(text: str, needle: str, hits: list[Hit], more: bool) -> SearchResults:
    """Exact matches first (of the label or the name that matched), then prefix matches, then by label."""

    def rank(hit: Hit) -> tuple[int, str]:
        names = [hit.node.label.lower(), (hit.matched or "").lower()]
        return (0 if needle in names else 1 if any(n.startswith(needle) for n in names) else 2, hit.node.label.lower())

    return SearchResults(text, tuple(sorted(hits, key=rank)), more)


def _scan_names(store: GraphStore, needle: str, limit: int, id_prefix: str) -> tuple[dict[str, list[str]], bool]:
    cap = 4 * (int(limit) + 1)  # rows, not entities: an entity may match by several labels
    contains = f"FILTER(CONTAINS(LCASE(?label), {string_literal(needle)}))"
    branches = " UNION ".join(f"{{ ?x <{p}> ?label {contains} }}" for p in NAME_PROPERTIES)
    rows = store.select(f"SELECT DISTINCT ?x ?label WHERE {{ {branches} }} LIMIT {cap}")
    matches: dict[str, list[str]] = {}
    for r in rows:
        if isinstance(r["x"], ox.NamedNode) and r["x"].value.startswith(id_prefix):
            matches.setdefault(r["x"].value, []).append(r["label"].value)
    return matches, len(matches) > limit or len(rows) == cap


def dataset_summary(manifest: Mapping[str, Any] | None) -> Summary:
    """Size and date of the release, as its build recorded them in the manifest (no query needed)."""
    manifest = manifest or {}
    class_counts = manifest.get("classes") or {}

    def number(value: Any) -> int | None:
        return value if isinstance(value, int) else None

    return Summary(
        triples=number(manifest.get("triples")),
        quads=number(manifest.get("quads")),
        claims=number(manifest.get("claims")),
        sources=number(class_counts.get(str(DEFCOOP.Source))),
        inferred_triples=number(manifest.get("inferred_triples")),
        built_at=manifest.get("built_at"),
        build_id=manifest.get("build_id"),
    )


def property_usage(store: GraphStore) -> dict[str, int]:
    """DefCoop property IRI → how many distinct triples use it (asserted or inferred, in any graph): the
    ontology page's "where used". One GROUP BY over the store, run once per release."""
    return property_counts(store, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o "
                          f"FILTER(STRSTARTS(STR(?p), {string_literal(ONTOLOGY_NS)})) }} }} }} GROUP BY ?p")



def claim_parts(store: GraphStore, claim_iri: str, base_iri: str) -> ClaimParts | None:
    """The parts of a claim's nanopublication, or None when `claim_iri` is not a described claim with facts."""
    try:
        node = iri_ref(claim_iri)
    except ValueError:
        return None
    provenance = string_literal(f"{base_iri}graph/provenance/")
    assertion = store.triples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {in_graph(node, '?s ?p ?o')} }}")
    description = store.triples(f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ GRAPH ?g {{ {node} ?p ?o }} "
                                f"FILTER(STRSTARTS(STR(?g), {provenance})) }}")
    if not assertion or not any(t.predicate.value == RDF_TYPE and t.object.value == str(DEFCOOP.Claim)
                                for t in description):
        return None
    license_iri = first_value(store.select(PROLOGUE + "SELECT ?license WHERE { " + in_graph(
                                  f"<{ONTOLOGY_IRI}>", f"<{ONTOLOGY_IRI}> dcterms:license ?license") + " }"),
                              "license", None)
    return ClaimParts(tuple(sorted(set(assertion), key=str)), tuple(sorted(set(description), key=str)), license_iri)


def is_instance(store: GraphStore, iri: str, class_iri: str) -> bool:
    """Whether `iri` is an instance of `class_iri` (False for text that is not an IRI)."""
    try:
        return store.ask(f"ASK {{ {iri_ref(iri)} a {iri_ref(class_iri)} }}")
    except ValueError:
        return False


def choices(store: GraphStore, class_iri: str, current: str, settings: Settings) -> tuple[Node, ...]:
    """What a question's parameter may be set to: the first `page_link_limit` instances of its class (by label),
    and the current value, whatever it is."""
    index = class_index(store, class_iri, settings.page_link_limit, 0, settings.base_iri)
    items = list(index.items) if index else []
    if all(n.value != current for n in items):
        items.append(labels_of(store, {current}, settings.base_iri).node(ox.NamedNode(current)))
    return tuple(sorted(items, key=lambda n: n.label.lower()))
