"""What every surface shares: the headers on every answer, error bodies, "nothing published", absolute URLs
(the `public_url` setting against Host header reflection), and the template filters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from app.config import ROOT
from app.pipeline.publish import Published
from app.vocab import SD, VOID
from app.web import create_app
from app.web.render import plural, readable_time

PERSON = "/id/person/sanjeev-kumar"
SURFACES = ["/", PERSON, "/class/Programme", "/search?q=moscow", "/sparql", "/sparql?query=ASK%7B%7D", "/downloads",
            "/downloads/defcoop.ttl", "/context.jsonld", "/.well-known/void", "/ontology", "/shapes"]
ERRORS = ["/no/such/page", "/id/person/nobody", "/class/Programme?page=x", "/downloads/nothing.ttl",
          "/ontology.xyz", "/.well-known/void?format=excel", "/sparql?query=SELEC"]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PUBLIC = "https://defcoop.example.org/"


def build_dir(published: Published) -> Path:
    return published.release.path.parent.parent


@pytest.fixture(scope="module")
def public_app(published: Published) -> Iterator[Flask]:
    """The real build served with `public_url` set."""
    app = create_app({"build_dir": build_dir(published), "sparql_workers": 1, "public_url": PUBLIC})
    app.config["TESTING"] = True
    yield app
    app.extensions["defcoop.sparql"].close()


# --- headers on every answer ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", SURFACES + ERRORS)
def test_every_answer_allows_any_origin_and_forbids_sniffing(published_client: FlaskClient, path: str) -> None:
    response = published_client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["Access-Control-Allow-Origin"] == "*", path
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Accept" in response.vary


def test_preflight_names_the_routes_methods(published_client: FlaskClient) -> None:
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    sparql = published_client.options("/sparql", headers=preflight)
    assert {"GET", "POST"} <= set(sparql.headers["Access-Control-Allow-Methods"].split(", "))
    page = published_client.options(PERSON, headers=preflight)
    assert page.status_code == 200 and "POST" not in page.headers["Access-Control-Allow-Methods"]


# --- error bodies: text unless the client prefers JSON or HTML ---------------------------------------------


@pytest.mark.parametrize("path", ERRORS)
def test_errors_are_text_json_or_the_page_as_the_client_prefers(published_client: FlaskClient, path: str) -> None:
    plain = published_client.get(path)
    assert plain.status_code >= 400 and plain.mimetype == "text/plain", path
    message = plain.get_data(as_text=True).strip()
    as_json = published_client.get(path, headers={"Accept": "application/json, */*;q=0.1"})
    assert as_json.mimetype == "application/json"
    assert as_json.get_json()["error"] == {"status": plain.status_code, "message": message}
    page = published_client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == plain.status_code and page.mimetype == "text/html"
    assert "<h1>" in page.get_data(as_text=True)


def test_a_405_keeps_its_allow_header(published_client: FlaskClient) -> None:
    response = published_client.post("/downloads")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_nothing_published_is_one_503_everywhere(tmp_path: Path) -> None:
    app = create_app({"build_dir": tmp_path, "sparql_workers": 1})
    try:
        client = app.test_client()
        for path in SURFACES:
            if path == "/sparql":  # without a query: the Service Description, which needs no release
                continue
            response = client.get(path, headers={"Accept": "text/plain, */*;q=0.5"})
            assert response.status_code == 503, path
            assert response.get_data(as_text=True) == "nothing is published yet: run `defcoop build`\n", path
    finally:
        app.extensions["defcoop.sparql"].close()


# --- absolute URLs: public_url, else the Host header -------------------------------------------------------


def test_with_public_url_the_host_header_is_not_reflected(public_app: Flask) -> None:
    client = public_app.test_client()
    evil = {"Host": "evil.example"}
    void = client.get("/.well-known/void", headers=evil)
    sd = client.get("/sparql", headers={**evil, "Accept": "text/turtle"})
    listing = client.get("/downloads?format=json", headers=evil)
    entity = client.get(PERSON, headers=evil)
    for response in (void, sd, listing, entity):
        assert response.status_code == 200
        assert "evil.example" not in response.get_data(as_text=True)
    graph = Graph().parse(data=void.data, format="turtle")
    assert set(graph.objects(None, VOID.sparqlEndpoint)) == {URIRef(PUBLIC + "sparql")}
    assert set(Graph().parse(data=sd.data, format="turtle").objects(None, SD.endpoint)) == {URIRef(PUBLIC + "sparql")}
    assert listing.get_json()["description"] == PUBLIC + ".well-known/void"
    assert f'<link rel="canonical" href="{PUBLIC}id/person/sanjeev-kumar">' in entity.get_data(as_text=True)


def test_without_public_url_each_host_has_its_own_etag(published_client: FlaskClient) -> None:
    for path in ("/.well-known/void", "/sparql", PERSON):
        one = published_client.get(path, headers={"Host": "one.example", "Accept": "text/turtle"})
        two = published_client.get(path, headers={"Host": "two.example", "Accept": "text/turtle"})
        assert one.status_code == two.status_code == 200
        assert one.headers["ETag"] != two.headers["ETag"], path
        again = published_client.get(path, headers={"Host": "two.example", "Accept": "text/turtle",
                                                    "If-None-Match": one.headers["ETag"]})
        assert again.status_code == 200, path  # another host's validator does not revalidate


# --- presentation ----------------------------------------------------------------------------------------


def test_home_shows_the_build_time_readably(published_client: FlaskClient, published: Published) -> None:
    built_at = published.manifest["built_at"]
    page = published_client.get("/").get_data(as_text=True)
    assert f'<time datetime="{built_at}">{readable_time(built_at)}</time>' in page


def test_filters() -> None:
    assert readable_time("2026-11-25T19:34:00Z") == "25 Nov 2026, 19:34 UTC"
    assert readable_time("2026-11-25T21:34:00+02:00") == "25 Nov 2026, 19:34 UTC"
    assert readable_time("yesterday") == "yesterday" and readable_time(None) == "unknown"
    assert plural(1, "property", "properties") == "1 property"
    assert plural(2, "property", "properties") == "2 properties"
    assert plural(1234, "triple") == "1,234 triples"


def test_templates_hold_no_styles() -> None:
    for template in (ROOT / "app" / "web" / "templates").glob("*.html"):
        assert "<style" not in template.read_text(encoding="utf-8"), template.name
