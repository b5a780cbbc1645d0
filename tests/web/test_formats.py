"""The format registry and content negotiation every view relies on."""

from __future__ import annotations

import pytest

from app.web.errors import HTTPError
from app.web.renderers import (
    FORMATS,
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_FORMATS,
    RDF_XML,
    RESULTS_CSV,
    RESULTS_FORMATS,
    RESULTS_JSON,
    RESULTS_TSV,
    RESULTS_XML,
    TURTLE,
    choose,
    lookup,
    negotiate,
)


def test_names_extensions_and_media_types_are_unique() -> None:
    for attribute in ("name", "media_type"):
        values = [getattr(fmt, attribute) for fmt in FORMATS]
        assert len(values) == len(set(values)), attribute
    assert len({fmt.extension for fmt in FORMATS}) == len(FORMATS)


def test_every_rdf_and_results_format_names_its_library_formats() -> None:
    for fmt in (*RDF_FORMATS, *RESULTS_FORMATS):
        assert fmt.rdflib and fmt.oxigraph and fmt.w3c, fmt.name


@pytest.mark.parametrize(
    ("key", "among", "expected"),
    [
        ("ttl", FORMATS, TURTLE),
        (".jsonld", FORMATS, JSON_LD),
        ("text/turtle", FORMATS, TURTLE),
        ("text/turtle; charset=utf-8", FORMATS, TURTLE),
        ("rdf+xml", FORMATS, RDF_XML),
        ("n3", FORMATS, TURTLE),
        ("json", FORMATS, RESULTS_JSON),
        ("json", RDF_FORMATS, JSON_LD),
        ("application/json", RESULTS_FORMATS, RESULTS_JSON),
        ("xml", RESULTS_FORMATS, RESULTS_XML),
        ("xml", RDF_FORMATS, RDF_XML),
        ("CSV", FORMATS, RESULTS_CSV),
        ("excel", FORMATS, None),
    ],
)
def test_lookup(key: str, among: tuple, expected: object) -> None:
    assert lookup(key, among) is expected


@pytest.mark.parametrize(
    ("accept", "offered", "expected"),
    [
        (None, RDF_FORMATS, TURTLE),
        ("", RESULTS_FORMATS, RESULTS_JSON),
        ("*/*", RDF_FORMATS, TURTLE),
        ("application/n-triples", RDF_FORMATS, N_TRIPLES),
        ("text/turtle;q=0.5, application/ld+json", RDF_FORMATS, JSON_LD),
        ("text/turtle;q=0, */*", RDF_FORMATS, JSON_LD),
        ("text/*", RESULTS_FORMATS, RESULTS_CSV),
        ("text/csv;q=0, text/*", RESULTS_FORMATS, RESULTS_TSV),
        ("text/csv, */*", RESULTS_FORMATS, RESULTS_CSV),  # same q: the more specific range wins
        ("TEXT/CSV", RESULTS_FORMATS, RESULTS_CSV),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", (*RDF_FORMATS, HTML), HTML),
        ("application/xml", (*RDF_FORMATS, HTML), RDF_XML),
        ("image/png", RESULTS_FORMATS, None),
        ("application/sparql-results+json;q=0", RESULTS_FORMATS, None),
    ],
)
def test_negotiate(accept: str | None, offered: tuple, expected: object) -> None:
    assert negotiate(accept, offered) is expected


def test_choose_prefers_the_format_parameter() -> None:
    assert choose(RESULTS_FORMATS, "text/csv", "tsv") is RESULTS_TSV


@pytest.mark.parametrize(
    ("override", "accept", "status"), [("excel", None, 400), ("turtle", None, 406), (None, "image/png", 406)]
)
def test_choose_says_why_nothing_fits(override: str | None, accept: str | None, status: int) -> None:
    with pytest.raises(HTTPError) as raised:
        choose(RESULTS_FORMATS, accept, override)
    assert raised.value.status == status


def test_text_types_say_their_charset() -> None:
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert JSON_LD.content_type == "application/ld+json"
