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
from app.vocab import DEFCOOP, PREFIXES
from app.web import pictures, timeline_picture, urls
from app.web.context import app_settings
from app.web.model import Entity, Facet, LinkPage, Node
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


def search_facet_note(shown: int, more: bool) -> str:
    """What a search page's facet counts are over: the matches shown, or every match."""
    if more:
        return f"Counts are over the {count(shown)} matches shown; more entities match."
    return f"Counts are over all {plural(shown, 'match', 'matches')}."


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
