"""Facets of a class index, Datasette style: the countries, cities, programmes, years and epistemic statuses the
instances of a class are linked to, each value with how many instances it has; chosen values narrow the list
and combine (an instance must have every one).

Each facet is a graph pattern that binds `?f{n}` for the instance `?x` (`n` keeps the facets' variables apart
when several are combined). A chosen IRI is joined in with VALUES, a chosen year with a FILTER; the text of a
chosen value reaches the query only through `iri_ref()` / `string_literal()`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from app.store import GraphStore
from app.web.model import Facet, FacetValue, Node
from app.web.queries.common import PROLOGUE, iri_ref, labels_of, string_literal

FACET_VALUES = 12
"""Values a facet lists (those with most instances first)."""
YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class FacetKind:
    key: str
    """The URL parameter (`?country=`)."""
    title: str
    pattern: str
    by_iri: bool = True
    """Values are IRIs (shown by label, linked); else text (a year)."""

    def numbered(self, n: str) -> str:
        """The pattern with its variables suffixed by `n`."""
        return self.pattern.replace("{n}", n)


FACETS = (
    FacetKind("country", "Country", "?x ?p{n} ?f{n} . ?f{n} a defcoop:Country ."),
    FacetKind("city", "City", "?x ?p{n} ?f{n} . ?f{n} a defcoop:City ."),
    FacetKind("programme", "Programme", "?x ?p{n} ?f{n} . ?f{n} a defcoop:Programme ."),
    FacetKind("year", "Year", "?x ?p{n} ?d{n} . FILTER(DATATYPE(?d{n}) IN (xsd:date, xsd:dateTime, xsd:gYear)) "
                              "BIND(SUBSTR(STR(?d{n}), 1, 4) AS ?f{n})", by_iri=False),
    FacetKind("status", "Epistemic status", "{ GRAPH ?g{n} { ?x ?p{n} ?o{n} } ?g{n} defcoop:epistemicStatus ?f{n} } "
                                            "UNION { ?x defcoop:epistemicStatus ?f{n} }"),
)
BY_KEY = {f.key: f for f in FACETS}


class BadFacet(ValueError):
    """A chosen facet value that is not an IRI (or, for a year, four digits)."""


def chosen_clauses(chosen: Mapping[str, str]) -> str:
    """The patterns every listed instance must match: one per chosen facet value. BadFacet for a bad value."""
    clauses = []
    for n, (key, value) in enumerate(sorted(chosen.items())):
        kind = BY_KEY[key]
        pattern = kind.numbered(f"c{n}")
        if kind.by_iri:
            try:
                clauses.append(f"VALUES ?fc{n} {{ {iri_ref(value)} }} {pattern}")
            except ValueError:
                raise BadFacet(f"{key} must be an IRI, not {value!r}") from None
        elif YEAR.match(value):
            clauses.append(f"{{ {pattern} FILTER(?fc{n} = {string_literal(value)}) }}")
        else:
            raise BadFacet(f"{key} must be a year of four digits, not {value!r}")
    return " ".join(clauses)


def facets(store: GraphStore, class_iri: str, chosen: Mapping[str, str], base_iri: str
           ) -> tuple[tuple[Facet, ...], dict[str, Node]]:
    """Each facet not yet chosen, with its most frequent values among the instances that match `chosen`; and
    each chosen value as a Node (named)."""
    node, narrowed = iri_ref(class_iri), chosen_clauses(chosen)
    found = []
    for kind in FACETS:
        if kind.key in chosen:
            continue
        rows = store.select(
            PROLOGUE + f"SELECT ?f (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {node} . {narrowed} "
            f"{kind.numbered('')} }} GROUP BY ?f ORDER BY DESC(?n) ?f LIMIT {FACET_VALUES}")
        if not rows:
            continue
        labels = labels_of(store, {r["f"].value for r in rows}, base_iri) if kind.by_iri else None
        values = tuple(FacetValue(labels.node(r["f"]) if labels else Node(r["f"].value, r["f"].value, "literal"),
                                  int(r["n"].value)) for r in rows)
        found.append(Facet(kind.key, kind.title, values))
    iris = {v for k, v in chosen.items() if BY_KEY[k].by_iri}
    labels = labels_of(store, iris, base_iri)
    named = {k: labels.node(ox.NamedNode(v)) if BY_KEY[k].by_iri else Node(v, v, "literal") for k, v in chosen.items()}
    return tuple(found), named
