"""The query page: what a browser gets at /sparql (Accept text/html). A query sent from it is answered on the page,
rendered server-side through the same workers and limits: a table that links DefCoop IRIs to their pages,
Turtle for graphs, truncation and errors stated, downloads in every format. Other clients are not affected."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from app.pipeline.publish import Published
from app.web import create_app
from app.web.examples import examples
from tests.web.conftest import BASE, CROSS_PRODUCT, TEST_SETTINGS

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PREFIXES = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX defcoop: <https://w3id.org/defcoop/ontology#> ")
FIRM_LABELS = PREFIXES + "SELECT ?label WHERE { ?s a defcoop:Firm ; rdfs:label ?label } ORDER BY ?label"
PEOPLE = PREFIXES + "SELECT ?person ?name WHERE { ?person a defcoop:Person ; rdfs:label ?name }"
MEETING_START = PREFIXES + "SELECT ?start WHERE { ?m a defcoop:Meeting ; defcoop:startDate ?start }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + BASE + "graph/claim-2> { ?s ?p ?o } }"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def page(client: FlaskClient, status: int = 200, **params: str) -> str:
    response = client.get("/sparql", query_string=params, headers=BROWSER)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def editor(text: str) -> str:
    """What the editor holds (unescaped)."""
    found = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', text, re.S)
    assert found
    return html.unescape(found.group(1))


def section(text: str, name: str) -> str:
    found = re.search(rf'<section class="{name}".*?</section>', text, re.S)
    assert found, f"no {name} section"
    return found.group(0)


@pytest.fixture(scope="module")
def site(published: Published) -> Iterator[FlaskClient]:
    """The real bundled build, for links to entity pages."""
    app = create_app({"build_dir": published.release.path.parent.parent, "sparql_workers": 1})
    yield app.test_client()
    app.extensions["defcoop.sparql"].close()


# --- the page without a query --------------------------------------------------------------------


def test_page_offers_an_editor_a_run_button_and_every_example(client: FlaskClient) -> None:
    text = page(client)
    assert '<textarea id="query" name="query"' in text and "SELECT ?thing ?label" in editor(text)
    assert '<button type="submit">Run query</button>' in text
    assert '<form id="sparql-form" class="sparql" method="get" action="/sparql">' in text
    for example in examples():
        assert f'<a href="/sparql?example={example.slug}" data-query="{escape(example.query)}">' in text
    assert '<script src="/static/sparql.js" defer></script>' in text
    assert "<table" not in text and 'role="alert"' not in text


def test_example_parameter_opens_an_example_in_the_editor(client: FlaskClient) -> None:
    example = examples()[8]
    text = page(client, example=example.slug)
    assert editor(text) == example.query
    assert "<table" not in text  # loaded, not run


def test_unknown_example_is_a_404_page(client: FlaskClient) -> None:
    text = page(client, 404, example="<nope>")
    assert "There is no example query &#39;&lt;nope&gt;&#39;" in section(text, "query-error")


def test_script_is_served_and_fills_the_editor_only_through_value(client: FlaskClient) -> None:
    response = client.get("/static/sparql.js")
    script = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200
    assert "editor.value = link.dataset.query" in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


# --- answers on the page -------------------------------------------------------------------------


def test_select_is_a_table_linking_entities_with_literals_language_and_datatype(site: FlaskClient) -> None:
    text = page(site, query=PEOPLE)
    results = section(text, "results")
    assert "<th scope=\"col\">?person</th><th scope=\"col\">?name</th>" in results
    assert ('<a href="/id/person/sanjeev-kumar" title="https://w3id.org/defcoop/id/person/sanjeev-kumar">'
            "person:sanjeev-kumar</a>") in results
    assert '<span class="literal">Sanjeev Kumar</span> <span class="lang" title="language">@en</span>' in results
    assert "1 row." in results
    assert editor(text) == PEOPLE
    dated = section(page(site, query=MEETING_START), "results")
    assert '<span class="literal">2025-10-29</span> <span class="datatype" title="datatype">xsd:date</span>' in dated


def test_literals_from_the_data_are_escaped_in_the_table(client: FlaskClient) -> None:
    text = page(client, query=FIRM_LABELS)
    assert f'<span class="literal">{ESCAPED}</span>' in section(text, "results")
    assert "<script>alert" not in text


def test_ask_is_answered_in_words_and_a_table(client: FlaskClient) -> None:
    results = section(page(client, query="ASK { ?s ?p ?o }"), "results")
    assert "The answer is <strong>yes</strong>." in results
    assert '<th scope="col">ASK</th>' in results and '<span class="literal">true</span>' in results


def test_construct_is_shown_as_turtle_with_graph_downloads(client: FlaskClient) -> None:
    results = section(page(client, query=CONSTRUCT), "results")
    assert "3 triples, in Turtle." in results
    turtle = re.search(r'<pre class="turtle">(.*?)</pre>', results, re.S)
    assert turtle and '"<script>alert(1)</script>"' in html.unescape(turtle.group(1))
    assert "<script>alert" not in results
    formats = re.findall(r"&amp;format=([a-z-]+)\" download=\"results\.(\w+)\"", results)
    assert formats == [("turtle", "ttl"), ("json-ld", "jsonld"), ("n-triples", "nt"), ("rdf-xml", "rdf")]


def test_downloads_are_the_same_query_in_each_results_format(client: FlaskClient) -> None:
    results = section(page(client, query=FIRM_LABELS), "results")
    links = dict((fmt, html.unescape(url)) for url, fmt in
                 re.findall(r'<a href="(/sparql\?query=[^"]+&amp;format=([a-z]+))"', results))
    assert list(links) == ["json", "xml", "csv", "tsv"]
    csv = client.get(links["csv"], headers=BROWSER)  # a link followed in a browser downloads the file
    assert csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines() == ["label", "<script>alert(1)</script>", "Acme Defence"]


def test_truncation_is_stated_on_the_page_and_in_the_header(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers=BROWSER)
    text = response.get_data(as_text=True)
    assert response.headers["X-DefCoop-Truncated"] == "true"
    max_rows = TEST_SETTINGS["sparql_max_rows"]
    assert f"only the first {max_rows} rows are shown (setting <code>sparql_max_rows</code>)" in " ".join(text.split())
    assert section(text, "results").count("<tr><td>") == max_rows
    complete = client.get("/sparql", query_string={"query": FIRM_LABELS}, headers=BROWSER)
    assert complete.headers["X-DefCoop-Truncated"] == "false"
    assert "Truncated" not in complete.get_data(as_text=True)


# --- refused and failed queries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [("SELECT * WHERE { ?s ?p }", 400, "SPARQL syntax error"),
     ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
     ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400, "sparql_allowed_services")],
)
def test_refused_query_shows_status_and_message_and_keeps_the_query(
    client: FlaskClient, query: str, status: int, message: str
) -> None:
    text = page(client, status, query=query)
    error = section(text, "query-error")
    assert 'role="alert"' in error and f"<h2 id=\"error-heading\">{status} " in error and message in error
    assert editor(text) == query
    assert "<table" not in text


def test_time_limit_is_a_503_page_naming_the_setting(client: FlaskClient) -> None:
    text = page(client, 503, query=CROSS_PRODUCT, timeout="0.5")
    error = section(text, "query-error")
    assert "503 Service Unavailable" in error and "sparql_time_limit_s" in error


# --- other clients -------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", "application/sparql-results+json", "application/xml"])
def test_clients_that_do_not_ask_for_html_get_results(client: FlaskClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": FIRM_LABELS}, headers=headers)
    assert response.status_code == 200 and response.mimetype != "text/html"


def test_format_overrides_accept_both_ways(client: FlaskClient) -> None:
    csv = client.get("/sparql", query_string={"query": FIRM_LABELS, "format": "csv"}, headers=BROWSER)
    assert csv.mimetype == "text/csv"
    forced = client.get("/sparql", query_string={"query": FIRM_LABELS, "format": "html"})
    assert forced.mimetype == "text/html" and "<table" in forced.get_data(as_text=True)


def test_page_answers_conditional_requests(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": FIRM_LABELS}, headers=BROWSER)
    again = client.get("/sparql", query_string={"query": FIRM_LABELS},
                       headers={**BROWSER, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_downloads_keep_the_protocol_dataset_and_timeout(client: FlaskClient) -> None:
    graph = BASE + "graph/claim-1"
    text = page(client, query="SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": graph, "timeout": "5"})
    assert "2 rows." in section(text, "results")  # only claim-1's two triples
    (csv,) = [html.unescape(url) for url in re.findall(r'<a href="(/sparql\?[^"]+)"', text) if "format=csv" in url]
    assert f"&default-graph-uri={graph}&" in csv and csv.endswith("&timeout=5")
    assert len(client.get(csv).get_data(as_text=True).splitlines()) == 3
