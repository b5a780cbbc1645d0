"""Renderers: entity pages (HTML with schema.org JSON-LD in the head, or the RDF description in each RDF
format), error answers, and the filters templates format values with.

An entity URL offers `ENTITY_FORMATS` (HTML first, so browsers and `*/*` get the page); the format comes
from the URL's extension (`/id/city/moscow.ttl`) or from Accept (formats.py). HTML goes through
`entity_page()`; every RDF format through `rdf_document()`.

Every refused request, on every surface, is answered by `error()`, in the client's preferred of plain text,
JSON and the HTML error page: text when it has no preference (`*/*`, no Accept), so scripts and SPARQL
clients read text (or JSON when they ask for it) and browsers get the page.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from flask import Response, render_template, request, url_for
from rdflib import Graph
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.config import Settings
from app.vocab import DEFCOOP, PREFIXES
from app.web import get_settings, urls
from app.web.errors import HTTPError
from app.web.formats import HTML, JSON, JSON_LD, N_TRIPLES, RDF_XML, RESULTS_JSON, TEXT, TURTLE, Format, negotiate
from app.web.queries import Entity

ENTITY_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""What an entity URL can answer in, the default first."""
RDF_DOCUMENTS: tuple[Format, ...] = ENTITY_FORMATS[1:]
ERROR_FORMATS: tuple[Format, ...] = (TEXT, RESULTS_JSON, HTML)
"""What an error body may be, the default first. RESULTS_JSON (with its alias application/json) so that SPARQL
clients asking only for results JSON get `{"error": …}` too; it is sent as plain JSON."""

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


def entity_page(page: Entity, kind: str, slug: str, settings: Settings) -> str:
    """The entity's HTML page; its head names the canonical URL, the RDF documents and a schema.org description."""
    canonical = urls.absolute(url_for("pages.entity", kind=kind, name=slug), settings)
    return render_template(
        "entity.html",
        page=page,
        canonical=canonical,
        alternates=[(f.title, f.media_type, url_for("pages.entity", kind=kind, name=f"{slug}.{f.extension}"))
                    for f in RDF_DOCUMENTS],
        describe=url_for("sparql.endpoint", query=f"DESCRIBE <{page.iri}>"),
        schema=schema_org(page, canonical),
    )


def rdf_document(triples: list[ox.Triple], fmt: Format, settings: Settings) -> bytes:
    """`triples` serialised in `fmt`; JSON-LD is compact with an inline @context (nothing fetched remotely)."""
    names = prefixes(settings, triples)
    if fmt is JSON_LD:
        graph = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return graph.serialize(format="json-ld", context=names, auto_compact=True, encoding="utf-8")
    assert isinstance(fmt.oxigraph, ox.RdfFormat)
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=names if fmt in (TURTLE, RDF_XML) else None)


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


def error(exc: HTTPError | HTTPException) -> Response:
    """The answer to a refused request (HTTPError, or werkzeug's own: unknown path, body too large, …) as text,
    JSON (`{"error": {"status", "message"}}`) or the HTML error page, as the client prefers (see the module)."""
    headers: list[tuple[str, str]] = []
    if isinstance(exc, HTTPException):
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # e.g. Allow on 405
        exc = HTTPError(exc.code or 500, _werkzeug_message(exc))
    fmt = negotiate(request.headers.get("Accept"), ERROR_FORMATS) or TEXT
    if fmt is HTML:
        heading = HTTP_STATUS_CODES.get(exc.status, "Error").capitalize()
        response = Response(render_template("error.html", heading=heading, message=exc.message), exc.status,
                            content_type=HTML.content_type)
    elif fmt is RESULTS_JSON:
        body = json.dumps({"error": {"status": exc.status, "message": exc.message}})
        response = Response(body, exc.status, content_type=JSON.content_type)
    else:
        response = Response(exc.message + "\n", exc.status, content_type=TEXT.content_type)
    response.headers.extend(headers)
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _werkzeug_message(exc: HTTPException) -> str:
    if exc.code == 404:
        return f"There is no page at {request.path}."
    if exc.code == 413:
        return f"the request body is larger than max_request_bytes = {get_settings().max_request_bytes}"
    return exc.description or exc.name


# --- template filters ---------------------------------------------------------------------------------------


def href(iri: str) -> str:
    """Where a link to `iri` goes: the local page for DefCoop IRIs, else the IRI."""
    return urls.href(iri, get_settings())


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


FILTERS = {"href": href, "count": count, "plural": plural, "readable_time": readable_time}
"""The filters every template may use (registered by create_app)."""
