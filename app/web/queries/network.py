"""The queries of the cooperation network (/graph): dated events chosen as the timeline chooses them (country,
years; first first, at most `NETWORK_EVENTS`), then what they link to one step away (participants, places,
programmes discussed) and the countries of those participants and places, then the links among all of them.
Bounded at every step (`NETWORK_NODES`), so a 1M-triple release draws what a small one does."""

from __future__ import annotations

from app.config import Settings
from app.store import GraphStore
from app.web.model import Network
from app.web.queries.common import PROLOGUE, classes_of, iri_ref, labels_of
from app.web.queries.graph import graph_parts, links_among
from app.web.queries.timeline import timeline

NETWORK_EVENTS = 20
"""Events the network is drawn around (the first ones matching the filters)."""
NETWORK_NODES = 70
"""Most nodes drawn: the events, then what they link to, in the order found."""


def network(store: GraphStore, settings: Settings, *, country: str | None = None, year_from: int | None = None,
            year_to: int | None = None) -> Network:
    events = timeline(store, settings, country=country, year_from=year_from, year_to=year_to, limit=NETWORK_EVENTS,
                      offer_countries=True)
    shown = [i.node.value for i in events.items]
    if shown:
        values = " ".join(iri_ref(e) for e in shown)
        rows = store.select(
            PROLOGUE + f"SELECT DISTINCT ?x WHERE {{ VALUES ?e {{ {values} }} "
                       f"{{ ?e defcoop:participant|defcoop:location|defcoop:discussed ?x }} UNION "
                       f"{{ ?e defcoop:participant/defcoop:country ?x }} UNION "
                       f"{{ ?e defcoop:location/defcoop:inCountry ?x }} FILTER(isIRI(?x)) }} LIMIT {NETWORK_NODES * 4}")
        shown += sorted({r["x"].value for r in rows} - set(shown))[:NETWORK_NODES - len(shown)]
    edges = links_among(store, shown, settings.base_iri) if shown else []
    kinds = classes_of(store, shown, settings.base_iri)
    labels = labels_of(store, {*shown, *kinds.values(), *(p for e in edges for p in e[2])}, settings.base_iri)
    degree: dict[str, int] = {}
    for s, o, _, _ in edges:
        degree[s], degree[o] = degree.get(s, 0) + 1, degree.get(o, 0) + 1

    node, edge = graph_parts(labels, kinds, degree)

    return Network(nodes=tuple(node(x) for x in shown if degree.get(x) or x in {i.node.value for i in events.items}),
                   edges=tuple(edge(*e) for e in edges), events=len(events.items), events_total=events.total,
                   timeline=events)
