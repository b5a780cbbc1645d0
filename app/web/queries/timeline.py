"""The timeline's queries: dated events (meetings, visits, other events) in order of their first day, filtered by a
country, a programme, an entity they involve and years, each with the claims its date comes from.

The data has no dates of its own for agreements or programmes: a programme's milestones are the dated events that
discussed it, so it has a timeline of those (`programme=`), and each item names the programmes discussed at it.

Bounded: at most `TIMELINE_ITEMS` events are read, their total is counted separately, and details are read for the
events shown (VALUES). Which events come first is read from the release's event index (app/events.py: an indexed
range, ~1 ms at 1M, where the graph query groups and sorts every matching event: 60-90 ms for the whole release or a
country); without one (an older release), from the graph (`chosen_events`), which gives the same events.
"""

from __future__ import annotations

import pyoxigraph as ox

from app import events as events_index
from app.config import Settings
from app.store import GraphStore
from app.vocab import DEFCOOP, EDITORIAL_INFERENCE, PREFIXES
from app.web.model import Node, Timeline, TimelineItem
from app.web.queries.common import PROLOGUE, classes_of, distinct_count, first_value, iri_ref, labels_of

TIMELINE_ITEMS = 200
"""Most events one timeline shows; it says how many more match (narrow them by country, programme or years)."""
ENTITY_TIMELINE_ITEMS = 50
"""Most events the timeline of an entity page shows (a country's or programme's page links to /timeline for all)."""
TIMELINE_CLASSES = frozenset(str(c) for c in (DEFCOOP.Delegation, DEFCOOP.Firm, DEFCOOP.FirmGroup,
                                              DEFCOOP.Organisation, DEFCOOP.Programme, DEFCOOP.Country))
"""Entities whose pages show their own timeline (when they have dated events)."""
COUNTRIES_LISTED = 300
"""Most countries the timeline's filter offers."""
TIE_ROOM = 20
"""Events read past a timeline's limit, so that those sharing its last day are seldom read again (`first_events`)."""
LOOKED_UP_EVENTS = 500
"""Up to this many events of a timeline's country or entity, their days are looked up one event at a time (`_dated`)."""
EVENTS_READ = 10_000
"""Most events `events_among` reads to name them in later queries (beyond, those queries repeat its sub-selects)."""


def involves(iri: str) -> str:
    """A pattern binding ?e to the events `iri` takes part in (app/events.py's `INVOLVEMENT`): as a participant,
    through a participant's country, as the place or the place's country, as a programme discussed, or as a partner
    in one."""
    return events_index.involves(iri_ref(iri))


def _involved(iris: tuple[str, ...]) -> str:
    # each as a sub-query first: Oxigraph then joins from its few events
    return " ".join(f"{{ SELECT DISTINCT ?e WHERE {{ {involves(iri)} }} }}" for iri in iris)


def events_among(store: GraphStore, *iris: str) -> str:
    """A pattern binding ?e to the events every one of `iris` takes part in (`involves`), for several queries about the
    same events: the events are read once and named (VALUES), so each query joins from them instead of evaluating the
    sub-selects again; beyond `EVENTS_READ` events, the sub-selects themselves. The release's event index names them
    when it has one."""
    pattern = _involved(iris)
    index = events_index.event_index(store.release_dir)
    if index is not None:
        found = index.involving(iris, EVENTS_READ + 1)
    else:
        rows = store.select(PROLOGUE + f"SELECT DISTINCT ?e WHERE {{ {pattern} }} LIMIT {EVENTS_READ + 1}")
        found = [r["e"].value for r in rows if isinstance(r["e"], ox.NamedNode)]
    if len(found) > EVENTS_READ:
        return pattern
    return f"VALUES ?e {{ {' '.join(iri_ref(e) for e in found)} }}"


def _dated(store: GraphStore, among: str) -> str:
    """The pattern binding ?d to the start days of the events `among` binds (every event's when it is empty).

    After a few events (a firm's, a delegation's), OPTIONAL makes Oxigraph look up each one's days, where a plain join
    reads every event's (a firm's 5 events at 1M: 0.3 ms against 14 ms); after many (a country's 2,900), reading
    them all is the faster (25 ms against 37 ms). Which it is costs one bounded count."""
    if not among:
        return "?e defcoop:startDate ?d ."
    few = distinct_count(store, among, "e", LOOKED_UP_EVENTS + 1) <= LOOKED_UP_EVENTS
    return ("OPTIONAL { ?e defcoop:startDate ?d } FILTER(BOUND(?d))" if few
            else "?e defcoop:startDate ?d .")


def timeline(store: GraphStore, settings: Settings, *, country: str | None = None, programme: str | None = None,
             involving: str | None = None, year_from: int | None = None, year_to: int | None = None,
             limit: int = TIMELINE_ITEMS, offer_countries: bool = False, events: str | None = None) -> Timeline:
    """Dated events matching every filter given (IRIs; years inclusive), first day first; with `offer_countries`, also
    the countries a reader may filter by. `events`, from `events_among(store, country, involving)`, stands for the
    events of `country` and `involving` when the caller has read them already. The events are chosen by the
    release's event index when it has one (app/events.py), else by `chosen_events`."""
    among = tuple(iri for iri in (country, involving) if iri)
    index = events_index.event_index(store.release_dir)
    if index is not None:
        chosen, total = index.first(among, programme, year_from, year_to, limit)
    else:
        chosen, total = chosen_events(store, events or _involved(among), programme, year_from, year_to, limit)
    items, wanted = _items(store, settings, chosen)
    filters = {k: v for k, v in (("country", country), ("programme", programme), ("involving", involving)) if v}
    labels = labels_of(store, wanted | set(filters.values()), settings.base_iri)

    def node(iri: str | None) -> Node | None:
        return Node(iri, labels.label(iri)) if iri else None

    return Timeline(
        items=tuple(TimelineItem(node=node(e) or Node(e, e), kind=node(kind), start=start, end=end, date_status=status,
                                 date_claims=tuple(node(c) for c in claims),  # type: ignore[misc]
                                 places=tuple(node(p) for p in places),  # type: ignore[misc]
                                 programmes=tuple(node(p) for p in progs),  # type: ignore[misc]
                                 stated_day=day)
                    for e, kind, start, end, status, claims, places, progs, day in items),
        total=total, country=node(country), programme=node(programme), involving=node(involving),
        year_from=year_from, year_to=year_to, countries=countries(store, settings) if offer_countries else ())


def chosen_events(store: GraphStore, among: str, programme: str | None, year_from: int | None, year_to: int | None,
                  limit: int) -> tuple[list[str], int]:
    """By graph queries: the first `limit` dated events that `among` binds (a pattern; every event when empty),
    discussed `programme` when given, with a start day in the years, and how many there are."""
    where = [among]
    if programme:
        where.append(f"?e defcoop:discussed {iri_ref(programme)} .")
    where.append(_dated(store, among))
    if year_from is not None:
        where.append(f'FILTER(?d >= "{int(year_from):04d}-01-01"^^xsd:date)')
    if year_to is not None:
        where.append(f'FILTER(?d <= "{int(year_to):04d}-12-31"^^xsd:date)')
    body = " ".join(where)
    rows = first_events(store, body, limit)
    total = len(rows)
    if total == limit:
        total = int(first_value(store.select(PROLOGUE + f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {body} }}"),
                                "n", total))
    return [r["e"].value for r in rows if isinstance(r.get("e"), ox.NamedNode)], total


def first_events(store: GraphStore, body: str, limit: int) -> list[dict[str, ox.Term]]:
    """The first `limit` events of `body` (binding ?e and its dates ?d) by first day, then IRI.

    Ordered by day alone, ties settled here, because ordering by the IRI too makes Oxigraph compare the strings of
    every matching event (660 ms over 19,000 events, against 30 ms by day alone). A few more than `limit` are read
    (`TIE_ROOM`): when the last of them falls on a later day than the last day shown, every event sharing that day
    is among them; only a longer run of one day needs a second query for all events up to it. Days are compared as
    written: the shapes hold defcoop:startDate to xsd:date."""
    grouped = f"SELECT ?e (MIN(?d) AS ?start) WHERE {{ {body} }} GROUP BY ?e"
    rows = store.select(PROLOGUE + f"{grouped} ORDER BY ?start LIMIT {int(limit) + TIE_ROOM}")
    if len(rows) == limit + TIE_ROOM and limit > 0 and rows[-1]["start"] == rows[limit - 1]["start"]:
        rows = store.select(PROLOGUE + f"{grouped} HAVING(MIN(?d) <= {rows[limit - 1]['start']})")
    rows.sort(key=lambda r: (r["start"].value, r["e"].value))
    return rows[:limit]


Raw = tuple[str, str | None, str, str | None, str, list[str], list[str], list[str], str | None]


def _items(store: GraphStore, settings: Settings, events: list[str]) -> tuple[list[Raw], set[str]]:
    """(event, class, start, end, date status, date claims, places, programmes, stated day) of each event, in order,
    and every IRI to name."""
    if not events:
        return [], set()
    values = " ".join(iri_ref(e) for e in events)
    rows = store.select(
        PROLOGUE + f"SELECT ?e ?p ?v ?g ?status WHERE {{ VALUES ?e {{ {values} }} "
        "{ VALUES ?p { defcoop:startDate defcoop:endDate } GRAPH ?g { ?e ?p ?v } "
        "  OPTIONAL { ?g defcoop:epistemicStatus ?status } } "
        "UNION { VALUES ?p { defcoop:location defcoop:discussed } ?e ?p ?v FILTER(isIRI(?v)) } "
        "UNION { VALUES ?p { defcoop:statedStartDay } ?e ?p ?v } }")
    inferred_status = settings.id_prefix + EDITORIAL_INFERENCE
    found: dict[str, dict[str, dict[str, set[str]]]] = {e: {} for e in events}
    for r in rows:
        prop = r["p"].value.removeprefix(PREFIXES["defcoop"])
        value = found[r["e"].value].setdefault(prop, {}).setdefault(r["v"].value, set())
        if "status" in r:
            value.add(f"{r['g'].value} {r['status'].value}")
    kinds = classes_of(store, events, settings.base_iri)
    items: list[Raw] = []
    wanted: set[str] = set(events) | set(kinds.values())
    for e in events:
        facts = found[e]
        starts = sorted(facts.get("startDate", {}))
        if not starts:
            continue
        start = starts[0]
        claims = sorted(facts["startDate"][start])
        inferred = bool(claims) and all(c.endswith(" " + inferred_status) for c in claims)
        places, progs = sorted(facts.get("location", {})), sorted(facts.get("discussed", {}))
        date_claims = sorted({c.split(" ", 1)[0] for c in claims})
        wanted |= {*places, *progs, *date_claims}
        ends = sorted(facts.get("endDate", {}))
        days = sorted(facts.get("statedStartDay", {}))
        items.append((e, kinds.get(e), start, ends[0] if ends else None, "inferred" if inferred else "stated",
                      date_claims, places, progs, days[0] if days else None))
    return items, wanted


def countries(store: GraphStore, settings: Settings) -> tuple[Node, ...]:
    """The countries of the release (at most `COUNTRIES_LISTED`), by name: what the timeline's filter offers."""
    found = [r["c"].value for r in store.select(
        PROLOGUE + f"SELECT DISTINCT ?c WHERE {{ ?c a defcoop:Country FILTER(isIRI(?c)) }} LIMIT {COUNTRIES_LISTED}")]
    labels = labels_of(store, found, settings.base_iri)
    return tuple(sorted((Node(c, labels.label(c)) for c in found), key=lambda n: n.label.lower()))
