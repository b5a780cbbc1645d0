"""A page of a hub's inverse links: the entities linking to an entity by one property, in IRI order, paged.

Both queries are bounded whatever the hub's size: a count, and one page (ORDER BY over the property's subjects,
then OFFSET/LIMIT, which Oxigraph answers from its object-property index without labels); only the page's entities
are then named. IRI order, not label order: sorting by label would read the label of every linking entity.
"""

from __future__ import annotations

import pyoxigraph as ox

from app.store import GraphStore
from app.web.model import LinkPage, Node
from app.web.queries.common import first_value, iri_ref, labels_of


def inverse_links(store: GraphStore, iri: str, prop: str, limit: int, offset: int, base_iri: str) -> LinkPage | None:
    """Entities `?x` with `?x prop iri`, `limit` from `offset` in IRI order; None when there are none (ValueError
    when `iri` or `prop` is no IRI)."""
    node, predicate = iri_ref(iri), iri_ref(prop)
    total = int(first_value(store.select(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x {predicate} {node} }}"), "n", 0))
    if total == 0:
        return None
    rows = store.select(f"SELECT DISTINCT ?x WHERE {{ ?x {predicate} {node} FILTER(isIRI(?x)) }} "
                        f"ORDER BY ?x OFFSET {int(offset)} LIMIT {int(limit)}")
    found = [r["x"].value for r in rows if isinstance(r.get("x"), ox.NamedNode)]
    names = labels_of(store, [*found, iri, prop], base_iri)
    return LinkPage(names.node(ox.NamedNode(iri)), names.property(ox.NamedNode(prop)),
                    tuple(Node(x, names.label(x)) for x in found), total, offset, limit)
