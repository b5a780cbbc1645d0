"""Facets of a class index and of search hits, Datasette style, from the release's facet index (app/facets.py):
each facet not yet chosen with its most frequent values among the instances that have every chosen value (or among
the search hits a page shows). The index does the counting; the store only names the values shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from app.facets import BY_KEY, FACETS, FacetIndex
from app.store import GraphStore
from app.web.model import Facet, FacetValue, Node
from app.web.queries.common import labels_of

FACET_VALUES = 12
"""Values a facet lists (those with most instances first)."""


def facets(store: GraphStore, index: FacetIndex, class_iri: str, chosen: Mapping[str, str], base_iri: str
           ) -> tuple[tuple[Facet, ...], dict[str, Node]]:
    """Each facet not yet chosen, with its most frequent values among the instances that match `chosen`; and
    each chosen value as a Node (named)."""
    counted = {kind.key: index.counts(class_iri, chosen, kind.key, FACET_VALUES) for kind in FACETS
               if kind.key not in chosen}
    return _named(store, counted, chosen, base_iri)


def search_facets(store: GraphStore, index: FacetIndex, hits: Sequence[str], chosen: Mapping[str, str],
                  base_iri: str) -> tuple[tuple[Facet, ...], dict[str, Node]]:
    """Each facet not yet chosen, with its most frequent values among the search hits `hits` (IRIs: the hits a
    page shows, already narrowed to `chosen`); and each chosen value as a Node (named)."""
    counted = index.counts_among(hits, (kind.key for kind in FACETS if kind.key not in chosen), FACET_VALUES)
    return _named(store, counted, chosen, base_iri)


def _named(store: GraphStore, counted: Mapping[str, list[tuple[str, int]]], chosen: Mapping[str, str],
           base_iri: str) -> tuple[tuple[Facet, ...], dict[str, Node]]:
    """Counted values and chosen values, with the labels of those that are IRIs (one store query)."""
    iris = {v for kind in FACETS if kind.by_iri for v, _ in counted.get(kind.key, ())}
    iris |= {v for k, v in chosen.items() if BY_KEY[k].by_iri}
    labels = labels_of(store, iris, base_iri)

    def node(key: str, value: str) -> Node:
        return labels.node(ox.NamedNode(value)) if BY_KEY[key].by_iri else Node(value, value, "literal")

    found = tuple(Facet(kind.key, kind.title, tuple(FacetValue(node(kind.key, v), n) for v, n in counted[kind.key]))
                  for kind in FACETS if counted.get(kind.key))
    return found, {k: node(k, v) for k, v in chosen.items()}
