"""The timeline's order holds on a generated release with many events: first day first, then IRI, and the first
`limit` events are exactly those a plain `ORDER BY ?start ?e LIMIT` gives, also where the limit falls among events
that share a day (the query orders by day alone and settles ties itself, app/web/queries/timeline.py)."""

from __future__ import annotations

import importlib

import pytest

from app.config import Settings
from app.store import GraphStore
from app.web.queries.timeline import timeline

timeline_queries = importlib.import_module("app.web.queries.timeline")  # the package exports a function of that name

PREFIXES = "PREFIX defcoop: <https://w3id.org/defcoop/ontology#>\n"


def reference(store: GraphStore, limit: int) -> list[str]:
    rows = store.select(PREFIXES + f"SELECT ?e (MIN(?d) AS ?start) WHERE {{ ?e defcoop:startDate ?d }} "
                                   f"GROUP BY ?e ORDER BY ?start ?e LIMIT {limit}")
    return [r["e"].value for r in rows]


@pytest.mark.parametrize("chooser", ["event index", "graph"])
@pytest.mark.parametrize("tie_room", [0, 1, timeline_queries.TIE_ROOM])
def test_the_first_events_are_in_day_then_iri_order_where_days_are_shared(
        generated: tuple[GraphStore, Settings], tie_room: int, chooser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # with no room past the limit every tie is read again by a second query; with room, mostly from the first
    monkeypatch.setattr(timeline_queries, "TIE_ROOM", tie_room)
    store, settings = generated
    if chooser == "graph":  # as for a release without an event index
        monkeypatch.setattr(store, "release_dir", None)
    everything = reference(store, 100_000)
    days = [r["start"].value for r in store.select(
        PREFIXES + "SELECT ?e (MIN(?d) AS ?start) WHERE { ?e defcoop:startDate ?d } GROUP BY ?e ORDER BY ?start ?e")]
    ties = [i for i in range(1, len(days)) if days[i] == days[i - 1]]
    assert ties, "the generated data has no two events on one day: the test would not see the tie-break"
    for limit in sorted({1, 2, *ties, *(i + 1 for i in ties), len(days) - 1, len(days)}):
        shown = [item.node.value for item in timeline(store, settings, limit=limit).items]
        assert shown == everything[:limit], f"limit {limit}"


def test_a_countrys_timeline_is_the_same_whether_its_events_days_are_looked_up_or_joined(
        generated: tuple[GraphStore, Settings], monkeypatch: pytest.MonkeyPatch) -> None:
    # few events: each one's days looked up (OPTIONAL); many: joined with every event's days; the answer is one
    store, settings = generated
    monkeypatch.setattr(store, "release_dir", None)  # the graph chooses the events, not the event index
    india = settings.id_prefix + "country/india"
    looked_up = timeline(store, settings, country=india, limit=30)
    monkeypatch.setattr(timeline_queries, "LOOKED_UP_EVENTS", 0)
    joined = timeline(store, settings, country=india, limit=30)
    assert looked_up.total > 30 and looked_up.items and joined == looked_up
