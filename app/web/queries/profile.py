"""The queries of a cooperation profile between two countries: the events involving both (the timeline's own
query), the programmes discussed at them or with both as partners, each side's participants, and the quantitative
claims that relate the two, with their citations. Every list is bounded (`PROFILE_ITEMS`)."""

from __future__ import annotations

import pyoxigraph as ox

from app.config import Settings
from app.store import GraphStore
from app.vocab import XSD_STRING
from app.web.model import Node, Profile, ProfileQuantity, ProfileSide, Term
from app.web.queries.common import PROLOGUE, iri_ref, labels_of
from app.web.queries.timeline import events_among, timeline

PROFILE_ITEMS = 200
"""Most programmes, participants per side and quantitative claims a profile lists."""


def profile(store: GraphStore, settings: Settings, first: str, second: str) -> Profile | None:
    """The profile of countries `first` and `second` (IRIs); None unless both are countries and differ."""
    a, b = iri_ref(first), iri_ref(second)
    if first == second or not store.ask(PROLOGUE + f"ASK {{ {a} a defcoop:Country . {b} a defcoop:Country }}"):
        return None
    pair = events_among(store, first, second)
    events = timeline(store, settings, country=first, involving=second, events=pair)
    programmes = [r["p"].value for r in store.select(
        PROLOGUE + f"SELECT DISTINCT ?p WHERE {{ {{ {pair} ?e defcoop:discussed ?p }} UNION "
                   f"{{ ?p a defcoop:Programme ; defcoop:partner {a}, {b} }} }} LIMIT {PROFILE_ITEMS}")]
    sides = {c: [r["x"].value for r in store.select(
        PROLOGUE + f"SELECT DISTINCT ?x WHERE {{ {pair} ?e defcoop:participant ?x . ?x defcoop:country {iri_ref(c)} }} "
                   f"LIMIT {PROFILE_ITEMS}")] for c in (first, second)}
    # what links to both, first (3 ms at 1M), then which of it are quantities (in one query with the rest: 23 ms)
    both = " ".join(iri_ref(r["q"].value) for r in store.select(
        PROLOGUE + f"SELECT DISTINCT ?q WHERE {{ ?q ?p1 {a} . ?q ?p2 {b} FILTER(isIRI(?q)) }}"))
    quantities = store.select(
        PROLOGUE + f"SELECT ?q ?value ?claim ?status ?quote WHERE {{ VALUES ?q {{ {both} }} "
                   f"?q a defcoop:QuantitativeFact . GRAPH ?claim {{ ?q defcoop:value ?value }} "
                   f"?claim defcoop:epistemicStatus ?status OPTIONAL {{ ?claim defcoop:quote ?quote }} }} "
                   f"ORDER BY ?q ?claim LIMIT {PROFILE_ITEMS}")
    wanted = {first, second, *programmes, *sides[first], *sides[second]}
    wanted |= {r[k].value for r in quantities for k in ("q", "claim", "status")}
    labels = labels_of(store, wanted, settings.base_iri)

    def node(iri: str) -> Node:
        return Node(iri, labels.label(iri))

    def nodes(iris: list[str]) -> tuple[Node, ...]:
        return tuple(sorted(map(node, iris), key=lambda n: n.label.lower()))

    return Profile(
        first=node(first), second=node(second), timeline=events, programmes=nodes(programmes),
        sides=tuple(ProfileSide(node(c), nodes(sides[c])) for c in (first, second)),
        quantities=tuple(ProfileQuantity(node(r["q"].value), r["value"].value, _datatype(r["value"]),
                                         node(r["claim"].value), node(r["status"].value),
                                         r["quote"].value if "quote" in r else None) for r in quantities))


def _datatype(term: Term) -> str | None:
    return term.datatype.value if isinstance(term, ox.Literal) and term.datatype.value != XSD_STRING else None
