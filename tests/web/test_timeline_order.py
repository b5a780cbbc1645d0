"""The timeline's order holds on a generated release with many events: first day first, then IRI, and the first
`limit` events are exactly those a plain `ORDER BY ?start ?e LIMIT` gives, also where the limit falls among events
that share a day (the query orders by day alone and settles ties itself, app/web/queries/timeline.py)."""

from __future__ import annotations

import pytest

from app.config import Settings, load_settings
from app.pipeline import build
from app.store import GraphStore, open_release_store
from app.web.queries.timeline import timeline
from bench.generate import generate

PREFIXES = "PREFIX defcoop: <https://w3id.org/defcoop/ontology#>\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GraphStore, Settings]:
    root = tmp_path_factory.mktemp("timeline-order")
    generate(root / "data", 20_000, claims_per_source=200)
    settings = load_settings({"data_dir": root / "data", "build_dir": root / "build"}, environ={})
    return open_release_store(build(settings).release), settings


def reference(store: GraphStore, limit: int) -> list[str]:
    rows = store.select(PREFIXES + f"SELECT ?e (MIN(?d) AS ?start) WHERE {{ ?e defcoop:startDate ?d }} "
                                   f"GROUP BY ?e ORDER BY ?start ?e LIMIT {limit}")
    return [r["e"].value for r in rows]


def test_the_first_events_are_in_day_then_iri_order_where_days_are_shared(
        generated: tuple[GraphStore, Settings]) -> None:
    store, settings = generated
    everything = reference(store, 100_000)
    days = [r["start"].value for r in store.select(
        PREFIXES + "SELECT ?e (MIN(?d) AS ?start) WHERE { ?e defcoop:startDate ?d } GROUP BY ?e ORDER BY ?start ?e")]
    ties = [i for i in range(1, len(days)) if days[i] == days[i - 1]]
    assert ties, "the generated data has no two events on one day: the test would not see the tie-break"
    for limit in sorted({1, 2, *ties, *(i + 1 for i in ties), len(days) - 1, len(days)}):
        shown = [item.node.value for item in timeline(store, settings, limit=limit).items]
        assert shown == everything[:limit], f"limit {limit}"
