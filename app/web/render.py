"""Renderers: entity pages (HTML with schema.org JSON-LD in the head, or the RDF description in each RDF
format) and the filters templates format values with.

An entity URL offers `ENTITY_FORMATS` (HTML first, so browsers and `*/*` get the page); the format comes
from the URL's extension (`/id/city/moscow.ttl`) or from Accept (renderers.py). HTML goes through
`entity_page()`; every RDF format through `rdf_document()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from flask import render_template, url_for

from app.config import Settings
from app.facets import FACETS
from app.vocab import DEFCOOP, PREFIXES, RDF_TYPE, RDFS_LABEL
from app.web import pictures, timeline_picture, urls
from app.web.context import app_settings
from app.web.model import Entity, Facet, LinkPage, Network, Node, Profile, Timeline
from app.web.releases import EntityHistory
from app.web.renderers import (
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    RESULTS_CSV,
    TURTLE,
    Format,
    write_graph,
    write_solutions,
)

ENTITY_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""What an entity URL can answer in, the default first."""
RDF_DOCUMENTS: tuple[Format, ...] = ENTITY_FORMATS[1:]
TIMELINE_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSON_LD, RESULTS_CSV)
"""What /timeline answers in (by Accept or `format=`), the default first."""
TIMELINE_FILTERS = ("country", "programme")
"""Entity types /timeline filters by name (`country=`, `programme=`); other entities' pages link to `involving=`."""

SCHEMA_TYPES: dict[str, str] = {str(k): v for k, v in {
    DEFCOOP.Meeting: "Event", DEFCOOP.Visit: "Event", DEFCOOP.Event: "Event",
    DEFCOOP.Person: "Person",
    DEFCOOP.Firm: "Corporation", DEFCOOP.GovernmentBody: "GovernmentOrganization",
    DEFCOOP.IndustryAssociation: "Organization", DEFCOOP.Organisation: "Organization",
    DEFCOOP.FirmGroup: "Organization", DEFCOOP.Delegation: "Organization",
    DEFCOOP.Country: "Country", DEFCOOP.City: "City", DEFCOOP.Place: "Place",
    DEFCOOP.Source: "CreativeWork", DEFCOOP.Claim: "Claim", DEFCOOP.WeaponSystem: "Product",
    DEFCOOP.QuantitativeFact: "QuantitativeValue", DEFCOOP.Programme: "Project",
    DEFCOOP.EquipmentType: "DefinedTerm", DEFCOOP.Sector: "DefinedTerm", DEFCOOP.EpistemicStatus: "DefinedTerm",
    DEFCOOP.ProgrammeStatus: "DefinedTerm", DEFCOOP.Comparator: "DefinedTerm", DEFCOOP.OwnershipType: "DefinedTerm",
}.items()}
"""The schema.org type a DefCoop class is presented as in the page's embedded JSON-LD."""
DESCRIPTION = PREFIXES["dcterms"] + "description"
ALT_LABEL = PREFIXES["skos"] + "altLabel"
EXACT_MATCH = PREFIXES["skos"] + "exactMatch"


def prefixes(settings: Settings, triples: list[ox.Triple]) -> dict[str, str]:
    """Prefixes of an entity document: the vocabularies, and one per entity type it mentions
    (`person:` for `{base}id/person/`), so Turtle reads `person:sanjeev-kumar`."""
    found = dict(PREFIXES)
    for triple in triples:
        for term in (triple.subject, triple.object):
            kind = entity_kind(term.value, settings) if isinstance(term, ox.NamedNode) else None
            if kind and kind not in found:
                found[kind] = f"{settings.id_prefix}{kind}/"
    return found


def entity_kind(iri: str, settings: Settings) -> str | None:
    """`person` for `{base}id/person/…`: the entity type an IRI's prefix (`person:`) is named after, else None."""
    if not iri.startswith(settings.id_prefix):
        return None
    kind, slash, _ = iri[len(settings.id_prefix):].partition("/")
    return kind if slash and re.fullmatch(r"[a-z][a-z0-9-]*", kind) else None


def entity_page(page: Entity, kind: str, slug: str, settings: Settings, history: EntityHistory | None = None) -> str:
    """The entity's HTML page; its head names the canonical URL (the current entity's, also on a page of an earlier
    release), the RDF documents and a schema.org description; `history` says when its claims appeared."""
    path = url_for("pages.entity", kind=kind, name=slug, release_id=None)
    canonical = urls.absolute(path, settings)
    timeline_filter = {kind: slug} if kind in TIMELINE_FILTERS else {"involving": f"{kind}/{slug}"}
    return render_template(
        "entity.html",
        page=page,
        canonical=canonical,
        alternates=[(f.title, f.media_type, url_for("pages.entity", kind=kind, name=f"{slug}.{f.extension}"))
                    for f in RDF_DOCUMENTS],
        describe=url_for("sparql.endpoint", query=f"DESCRIBE <{page.iri}>"),
        nanopub=url_for("nanopub.latest", claim_id=slug) if kind == "claim" and page.citation else None,
        schema=schema_org(page, canonical),
        graph_picture=pictures.relation_picture(page.graph) if page.graph else None,
        timeline_picture=timeline_picture.timeline_picture(page.timeline) if page.timeline else None,
        timeline_link=url_for("explore.timeline", **timeline_filter) if page.timeline else None,
        read_link=url_for("explore.read_source", slug=slug) if page.is_source and page.values(str(DEFCOOP.textFile))
        else None,
        history=history,
        all_links={g.property.value: url_for("pages.entity", kind=kind, name=slug, links=g.property.value)
                   for g in page.referenced_by if g.truncated},
        entity_path=path,
        timemap=url_for("releases.timemap", kind=kind, name=slug),
    )


def links_page(found: LinkPage, kind: str, slug: str) -> str:
    """A page of the entities linking to an entity by one property, with links to the pages before and after."""
    page = found.offset // found.limit + 1

    def here(n: int) -> str:
        return url_for("pages.entity", kind=kind, name=slug, links=found.property.value, page=n)

    return render_template("entity_links.html", found=found,
                           entity_path=url_for("pages.entity", kind=kind, name=slug),
                           previous=here(page - 1) if page > 1 else None,
                           next=here(page + 1) if found.has_next else None)


# --- the timeline ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    slug: str
    label: str
    selected: bool
    selected_second: bool = False
    """On /profiles: chosen as the second country."""

    @property
    def selected_first(self) -> bool:
        return self.selected


def pair_choices(countries: Sequence[Node], settings: Settings) -> list[Choice]:
    """The countries /profiles offers, by slug (the first two chosen by default)."""
    prefix = settings.id_prefix + "country/"
    found = [c for c in countries if c.value.startswith(prefix)]
    return [Choice(c.value[len(prefix):], c.label, n == 0, n == 1) for n, c in enumerate(found)]


NETWORK_HEADERS = ("from", "link", "to", "from IRI", "to IRI", "inferred")
"""The columns of the network's links as CSV."""


def network_page(found: Network, settings: Settings, args: Mapping[str, str]) -> str:
    """/graph: the filter form (countries by slug), the drawing, the links as a table, downloads of the same."""
    chosen = found.timeline.country.value if found.timeline.country else None
    prefix = settings.id_prefix + "country/"
    countries = [Choice(c.value[len(prefix):], c.label, c.value == chosen) for c in found.timeline.countries
                 if c.value.startswith(prefix)]
    kept = {k: v for k, v in args.items() if k in ("country", "from", "to") and v}
    return render_template("network.html", network=found, picture=pictures.network_picture(found),
                           countries=countries,
                           downloads={f.extension: url_for("explore.network", **kept, format=f.extension)
                                      for f in TIMELINE_FORMATS[1:]})


def network_document(found: Network, fmt: Format) -> bytes:
    """The network's links as RDF (each link a triple, each node named) or as CSV (one row per link)."""
    if fmt is RESULTS_CSV:
        rows = [[ox.Literal(e.source.label), ox.Literal(", ".join(p.label for p in e.properties)),
                 ox.Literal(e.target.label), ox.NamedNode(e.source.value), ox.NamedNode(e.target.value),
                 ox.Literal("yes" if e.inferred else "no")] for e in found.edges]
        return write_solutions(RESULTS_CSV, NETWORK_HEADERS, rows, None)
    label = ox.NamedNode(RDFS_LABEL)
    triples = [ox.Triple(ox.NamedNode(n.node.value), label, ox.Literal(n.node.label)) for n in found.nodes]
    triples += [ox.Triple(ox.NamedNode(e.source.value), ox.NamedNode(p.value), ox.NamedNode(e.target.value))
                for e in found.edges for p in e.properties]
    return write_graph(fmt, triples, PREFIXES)


def profile_page(found: Profile, first: str, second: str) -> str:
    """A profile's page: its events as a picture and a table, programmes, sides and figures (countries by slug)."""
    return render_template("profile.html", profile=found, first_slug=first, second_slug=second,
                           picture=timeline_picture.timeline_picture(found.timeline))


def timeline_page(found: Timeline, args: Mapping[str, str], settings: Settings) -> str:
    """The /timeline page: the filter form (countries by slug), the picture, the table, downloads of the same."""
    chosen = found.country.value if found.country else None
    countries = [Choice(c.value.rsplit("/", 1)[-1], c.label, c.value == chosen) for c in found.countries
                 if c.value.startswith(settings.id_prefix + "country/")]
    kept = {k: v for k, v in args.items() if k in ("country", "programme", "involving", "from", "to") and v}
    return render_template(
        "timeline.html",
        timeline=found,
        picture=timeline_picture.timeline_picture(found),
        countries=countries,
        programme_slug=kept.get("programme"),
        involving=kept.get("involving"),
        without_programme=url_for("explore.timeline", **{k: v for k, v in kept.items() if k != "programme"}),
        without_involving=url_for("explore.timeline", **{k: v for k, v in kept.items() if k != "involving"}),
        downloads=[(f.title, f.media_type, url_for("explore.timeline", **kept, format=f.extension))
                   for f in TIMELINE_FORMATS[1:]],
    )


TIMELINE_HEADERS = ("start date", "end date", "event", "kind", "date is", "date from claims", "places",
                    "programmes discussed", "IRI")
"""The columns of the timeline as CSV, as a spreadsheet shows them."""


def timeline_document(found: Timeline, fmt: Format) -> bytes:
    """The timeline's events as RDF (what each is, its name, dates, places and programmes discussed) or as CSV."""
    if fmt is not RESULTS_CSV:
        return write_graph(fmt, _timeline_triples(found), PREFIXES)

    def cell(text: str | None) -> ox.Literal | None:
        return ox.Literal(text) if text else None

    rows = [[cell(i.start), cell(i.end), cell(i.node.label), cell(i.kind.label if i.kind else None),
             cell(i.date_status), cell(" ".join(c.value for c in i.date_claims)),
             cell("; ".join(p.label for p in i.places)), cell("; ".join(p.label for p in i.programmes)),
             ox.NamedNode(i.node.value)] for i in found.items]
    return write_solutions(RESULTS_CSV, TIMELINE_HEADERS, rows, None)


def _timeline_triples(found: Timeline) -> list[ox.Triple]:
    date_type = ox.NamedNode(PREFIXES["xsd"] + "date")
    triples = []
    for i in found.items:
        event = ox.NamedNode(i.node.value)
        triples.append(ox.Triple(event, ox.NamedNode(RDFS_LABEL), ox.Literal(i.node.label)))
        if i.kind:
            triples.append(ox.Triple(event, ox.NamedNode(RDF_TYPE), ox.NamedNode(i.kind.value)))
        triples.append(ox.Triple(event, ox.NamedNode(str(DEFCOOP.startDate)), ox.Literal(i.start, datatype=date_type)))
        if i.end:
            triples.append(ox.Triple(event, ox.NamedNode(str(DEFCOOP.endDate)), ox.Literal(i.end, datatype=date_type)))
        triples += [ox.Triple(event, ox.NamedNode(str(DEFCOOP.location)), ox.NamedNode(p.value)) for p in i.places]
        triples += [ox.Triple(event, ox.NamedNode(str(DEFCOOP.discussed)), ox.NamedNode(p.value))
                    for p in i.programmes]
    return triples


PROFILE_HEADERS = ("part", "name", "IRI", "detail")
"""The columns of a profile as CSV: which part of the profile a row is, what it names, and what more it says."""


def profile_document(found: Profile, fmt: Format) -> bytes:
    """A profile as RDF (its events as the timeline gives them, its programmes, participants with their country,
    its figures with their values) or as CSV (one row per thing it lists)."""
    if fmt is RESULTS_CSV:
        def row(part: str, node: Node, detail: str | None) -> list[ox.Literal | ox.NamedNode | None]:
            return [ox.Literal(part), ox.Literal(node.label), ox.NamedNode(node.value),
                    ox.Literal(detail) if detail else None]

        rows = [row("event", i.node, f"{i.start} ({i.date_status})") for i in found.timeline.items]
        rows += [row("programme", p, None) for p in found.programmes]
        rows += [row("participant", p, side.country.label) for side in found.sides for p in side.participants]
        rows += [row("figure", q.node, f"{q.value} ({q.status.label}, {q.claim.label})") for q in found.quantities]
        return write_solutions(RESULTS_CSV, PROFILE_HEADERS, rows, None)
    label, triples = ox.NamedNode(RDFS_LABEL), _timeline_triples(found.timeline)
    for node in (found.first, found.second, *found.programmes):
        triples.append(ox.Triple(ox.NamedNode(node.value), label, ox.Literal(node.label)))
    for side in found.sides:
        for p in side.participants:
            triples.append(ox.Triple(ox.NamedNode(p.value), label, ox.Literal(p.label)))
            triples.append(ox.Triple(ox.NamedNode(p.value), ox.NamedNode(str(DEFCOOP.country)),
                                     ox.NamedNode(side.country.value)))
    for q in found.quantities:
        value = ox.Literal(q.value, datatype=ox.NamedNode(q.datatype)) if q.datatype else ox.Literal(q.value)
        triples.append(ox.Triple(ox.NamedNode(q.node.value), ox.NamedNode(str(DEFCOOP.value)), value))
    return write_graph(fmt, list(dict.fromkeys(triples)), PREFIXES)


@dataclass(frozen=True)
class FacetLink:
    """A link of a facet list: to narrow the list to a value (with its count), or to drop a chosen value."""

    label: str
    url: str
    count: int | None = None


@dataclass(frozen=True)
class FacetView:
    title: str
    links: tuple[FacetLink, ...]


def facet_links(found: Sequence[Facet], named: Mapping[str, Node], chosen: Mapping[str, str],
                here: Callable[..., str]) -> tuple[tuple[FacetView, ...], tuple[FacetView, ...]]:
    """The facets as links that keep the other chosen values (`here(**params)` builds the page's URL): the values
    to narrow by, and the chosen values, each with the URL that drops it."""
    narrow = tuple(FacetView(f.title, tuple(FacetLink(v.node.label, here(**{**chosen, f.key: v.node.value}), v.count)
                                            for v in f.values)) for f in found)
    titles = {f.key: f.title for f in FACETS}
    active = tuple(FacetView(titles[k], (FacetLink(named[k].label,
                                                   here(**{o: v for o, v in chosen.items() if o != k})),))
                   for k in chosen)
    return narrow, active


def rdf_document(triples: list[ox.Triple], fmt: Format, settings: Settings) -> bytes:
    """`triples` serialised in `fmt` through the registry, with prefixes for the entity types it mentions."""
    return write_graph(fmt, triples, prefixes(settings, triples))


def schema_org(page: Entity, url: str) -> dict[str, Any]:
    """The entity in schema.org terms for `<script type="application/ld+json">`: type, name, description,
    other names, same-as links, and for events their place, dates and attendees, for people their post."""
    asserted = [t.node.value for t in page.types if not t.inferred] or [t.node.value for t in page.types]
    types = sorted({SCHEMA_TYPES[t] for t in asserted if t in SCHEMA_TYPES}) or ["Thing"]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@id": page.iri,
        "@type": types[0] if len(types) == 1 else types,
        "name": page.label,
        "url": url,
    }

    def texts(prop: str) -> list[str]:
        return [v.node.value for v in page.values(prop) if v.node.is_literal]

    def things(prop: str, kind: str | None = None) -> list[dict[str, str]]:
        return [{"@id": v.node.value, "name": v.node.label, **({"@type": kind} if kind else {})}
                for v in page.values(prop) if v.node.is_iri]

    optional: dict[str, Any] = {
        "description": texts(DESCRIPTION)[:1],
        "alternateName": texts(ALT_LABEL),
        "sameAs": [v.node.value for v in page.values(EXACT_MATCH) if v.node.is_iri],
        "location": things(str(DEFCOOP.location), "Place"),
        "startDate": texts(str(DEFCOOP.startDate))[:1],
        "endDate": texts(str(DEFCOOP.endDate))[:1],
        "attendee": things(str(DEFCOOP.participant)),
        "jobTitle": [v.node.label for v in page.values(str(DEFCOOP.holdsPost))][:1],
    }
    for key, found in optional.items():
        if found:
            data[key] = found[0] if len(found) == 1 else found
    return data


# --- errors -------------------------------------------------------------------------------------------------


# --- template filters ---------------------------------------------------------------------------------------


def href(iri: str) -> str:
    """Where a link to `iri` goes: the local page for DefCoop IRIs, else the IRI."""
    return urls.href(iri, app_settings())


def count(number: int | None) -> str:
    """1234567 → 1,234,567; None → unknown."""
    return "unknown" if number is None else f"{number:,}"


def plural(number: int | None, singular: str, many: str | None = None) -> str:
    """(1, "property", "properties") → '1 property'; (1234, "triple") → '1,234 triples'."""
    return f"{count(number)} {singular if number == 1 else many or singular + 's'}"


def readable_time(iso: str | None) -> str:
    """'2026-11-25T19:34:00+00:00' → '25 Nov 2026, 19:34 UTC' (naive times are UTC); other text as it is."""
    try:
        moment = datetime.fromisoformat(iso or "")
    except ValueError:
        return iso or "unknown"
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


FILTERS = {"href": href, "count": count, "plural": plural, "readable_time": readable_time,
           "day": timeline_picture.readable_day, "span": timeline_picture.readable_span}
"""The filters every template may use (registered by create_app)."""
