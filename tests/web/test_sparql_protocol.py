"""The SPARQL 1.1 Protocol at /sparql, in process (Flask test client; queries still run in worker processes)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import format_datetime

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.query import Result

from tests.web.conftest import BASE, BUILT_AT, BULK_SIZE, CROSS_PRODUCT, TEST_SETTINGS, Listener

LABELS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?label WHERE { ?s rdfs:label ?label }"
FIRM_LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX defcoop: <https://w3id.org/defcoop/ontology#> "
    "SELECT ?label WHERE { ?s a defcoop:Firm ; rdfs:label ?label } ORDER BY ?label"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + BASE + "graph/claim-2> { ?s ?p ?o } }"
CLAIM_1 = BASE + "graph/claim-1"
CLAIM_2 = BASE + "graph/claim-2"
MAX_ROWS = TEST_SETTINGS["sparql_max_rows"]
MAX_BYTES = TEST_SETTINGS["max_request_bytes"]


def bindings(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in row.items()} for row in response.get_json(force=True)["results"]["bindings"]]


def firm_labels(response) -> list[str]:
    return [row["label"] for row in bindings(response)]


def count(client: FlaskClient) -> int:
    return int(bindings(client.get("/sparql", query_string={"query": COUNT}))[0]["n"])


# --- the three ways to send a query --------------------------------------------------------------


def test_get_query_answers_json_results(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": FIRM_LABELS})
    assert response.mimetype == "application/sparql-results+json"
    assert firm_labels(response) == ["<script>alert(1)</script>", "Acme Defence"]


def test_post_form_answers_like_get(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": FIRM_LABELS})
    assert firm_labels(response) == ["<script>alert(1)</script>", "Acme Defence"]


def test_post_sparql_query_body_answers_like_get(client: FlaskClient) -> None:
    response = client.post("/sparql", data=FIRM_LABELS.encode(), content_type="application/sparql-query")
    assert firm_labels(response) == ["<script>alert(1)</script>", "Acme Defence"]


def test_ask_answers_a_boolean(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.get_json(force=True) == {"head": {}, "boolean": True}


def test_two_queries_are_refused(client: FlaskClient) -> None:
    response = client.post("/sparql?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert response.status_code == 400


def test_post_without_query_is_refused(client: FlaskClient) -> None:
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


def test_other_post_content_types_are_refused(client: FlaskClient) -> None:
    response = client.post("/sparql", data=b"ASK {}", content_type="text/plain")
    assert response.status_code == 415


# --- content negotiation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/csv"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8, */*;q=0.1", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/csv;q=0, text/*", "text/tab-separated-values"),
        ("image/png, */*;q=0.01", "application/sparql-results+json"),
    ],
)
def test_select_results_follow_accept_q_values(client: FlaskClient, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": FIRM_LABELS}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    ("fmt", "media_type", "rdflib_format"),
    [
        ("json", "application/sparql-results+json", "json"),
        ("xml", "application/sparql-results+xml", "xml"),
        ("csv", "text/csv", "csv"),
        ("tsv", "text/tab-separated-values", "tsv"),
        ("text/csv", "text/csv", "csv"),
        ("srx", "application/sparql-results+xml", "xml"),
    ],
)
def test_format_parameter_overrides_accept(client: FlaskClient, fmt: str, media_type: str, rdflib_format: str) -> None:
    query = {"query": FIRM_LABELS, "format": fmt}
    response = client.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == media_type
    result = Result.parse(io.BytesIO(response.data), format=rdflib_format)
    assert sorted(str(row[0]) for row in result) == ["<script>alert(1)</script>", "Acme Defence"]


def test_csv_follows_the_standard(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": FIRM_LABELS, "format": "csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["label"], ["<script>alert(1)</script>"], ["Acme Defence"]
    ]


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
        ("application/json", "json-ld"),
        ("application/rdf+xml;q=0.3, application/n-triples;q=0.7", "nt"),
    ],
)
def test_construct_answers_rdf_in_the_accepted_format(
    client: FlaskClient, accept: str | None, rdflib_format: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200, response.data
    graph = rdflib.Dataset() if rdflib_format in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=response.data, format=rdflib_format)
    labels = {str(o) for o in graph.objects(None, rdflib.RDFS.label)}
    assert labels == {"<script>alert(1)</script>"}
    assert len(graph) == 3


def test_describe_answers_rdf(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{BASE}id/firm-acme>"})
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (rdflib.URIRef(BASE + "id/firm-acme"), rdflib.RDFS.label, rdflib.Literal("Acme Defence", lang="en")) in graph


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        (FIRM_LABELS, "image/png", None),
        (FIRM_LABELS, "text/turtle", None),
        (CONSTRUCT, "application/sparql-results+json", None),
        (FIRM_LABELS, None, "turtle"),
        (CONSTRUCT, None, "csv"),
    ],
)
def test_unacceptable_formats_get_406(client: FlaskClient, query: str, accept: str | None, fmt: str | None) -> None:
    query_string = {"query": query} | ({"format": fmt} if fmt else {})
    response = client.get("/sparql", query_string=query_string, headers={"Accept": accept} if accept else {})
    assert response.status_code == 406, response.data


def test_unknown_format_name_is_a_400(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": FIRM_LABELS, "format": "excel"})
    assert response.status_code == 400
    assert "excel" in response.get_data(as_text=True)


# --- refused queries -----------------------------------------------------------------------------


def test_syntax_error_is_a_400_with_the_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o "})
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert message.startswith("SPARQL syntax error:")
    assert "found end of text" in message and "line:1" in message


def test_query_the_engine_rejects_is_a_400_with_its_message(client: FlaskClient) -> None:
    query = "SELECT (COUNT(?s) AS ?n) ?o WHERE { ?s ?p ?o }"  # ?o is neither grouped nor aggregated
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("SPARQL syntax error:")


def test_unknown_prefix_is_a_400(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s foo:bar ?o }"})
    assert response.status_code == 400
    assert "foo" in response.get_data(as_text=True)


def test_errors_are_json_for_json_clients(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and "SPARQL syntax error" in error["message"]


UPDATE = f"INSERT DATA {{ GRAPH <{CLAIM_1}> {{ <{BASE}id/x> <{BASE}id/y> <{BASE}id/z> }} }}"


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post("/sparql", data=UPDATE.encode(), content_type="application/sparql-update"),
        lambda c: c.post("/sparql", data={"update": UPDATE}),
        lambda c: c.get("/sparql", query_string={"update": UPDATE}),
        lambda c: c.get("/sparql", query_string={"query": UPDATE}),
        lambda c: c.post("/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"}),
        lambda c: c.post("/sparql", data=b"CLEAR ALL", content_type="application/sparql-query"),
        lambda c: c.get("/sparql", query_string={"query": "LOAD <http://127.0.0.1:9/data.ttl>"}),
    ],
    ids=["sparql-update-body", "update-form-field", "update-get-parameter", "insert-as-query",
         "delete-as-form-query", "clear-as-query-body", "load-as-query"],
)
def test_updates_are_refused_and_change_nothing(client: FlaskClient, send: Callable[[FlaskClient], object]) -> None:
    before = count(client)
    response = send(client)
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    assert count(client) == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "PREFIX r: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE r:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
        "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    ],
)
def test_service_is_refused(client: FlaskClient, query: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "sparql_allowed_services" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:9/> { }",
        'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" AS ?x) }',
    ],
)
def test_service_in_comments_and_strings_is_harmless(client: FlaskClient, query: str) -> None:
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


def test_allowed_service_is_queried(make_app: Callable[..., Flask], listener: Listener) -> None:
    client = make_app(sparql_allowed_services=(listener.url,), sparql_workers=1).test_client()
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert listener.connections == 1
    assert response.status_code >= 500  # the stand-in answers 500


def test_service_not_allowed_does_not_connect(client: FlaskClient, listener: Listener) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    time.sleep(0.2)
    assert listener.connections == 0


# --- the dataset ---------------------------------------------------------------------------------


def test_default_graph_is_the_union(client: FlaskClient) -> None:
    assert len(bindings(client.get("/sparql", query_string={"query": LABELS}))) == MAX_ROWS  # capped


def test_default_graph_uri_narrows_the_default_graph(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": FIRM_LABELS, "default-graph-uri": CLAIM_1})
    assert firm_labels(response) == ["Acme Defence"]


def test_default_graph_uri_repeats(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": FIRM_LABELS, "default-graph-uri": [CLAIM_1, CLAIM_2]})
    assert firm_labels(response) == ["<script>alert(1)</script>", "Acme Defence"]


def test_named_graph_uri_limits_graph_patterns(client: FlaskClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    everything = {row["g"] for row in bindings(client.get("/sparql", query_string={"query": query}))}
    assert {CLAIM_1, CLAIM_2, BASE + "graph/provenance", BASE + "graph/bulk"} == everything
    narrowed = client.get("/sparql", query_string={"query": query, "named-graph-uri": CLAIM_2})
    assert bindings(narrowed) == [{"g": CLAIM_2}]


def test_from_narrows_the_default_graph(client: FlaskClient) -> None:
    query = FIRM_LABELS.replace("SELECT ?label WHERE", f"SELECT ?label FROM <{CLAIM_2}> WHERE")
    assert firm_labels(client.get("/sparql", query_string={"query": query})) == ["<script>alert(1)</script>"]


def test_protocol_dataset_replaces_from(client: FlaskClient) -> None:
    query = FIRM_LABELS.replace("SELECT ?label WHERE", f"SELECT ?label FROM <{CLAIM_2}> WHERE")
    response = client.get("/sparql", query_string={"query": query, "default-graph-uri": CLAIM_1})
    assert firm_labels(response) == ["Acme Defence"]


@pytest.mark.parametrize(
    "query_string",
    [
        {"query": "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }"},
        {"query": "SELECT * FROM NAMED <http://127.0.0.1:9/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "http://127.0.0.1:9/data.ttl"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "named-graph-uri": BASE + "graph/nothing"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "not an IRI"},
    ],
)
def test_graphs_outside_the_store_are_refused(client: FlaskClient, query_string: dict[str, str]) -> None:
    response = client.get("/sparql", query_string=query_string)
    assert response.status_code == 400
    assert "graph" in response.get_data(as_text=True)


# --- limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_row_cap_truncation_is_stated(client: FlaskClient, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": LABELS, "format": fmt})
    assert response.status_code == 200
    assert response.headers["X-DefCoop-Truncated"] == "true"
    assert response.headers["X-DefCoop-Max-Rows"] == str(MAX_ROWS)
    assert len(Result.parse(io.BytesIO(response.data), format=fmt).bindings) == MAX_ROWS
    if fmt == "json":
        document = response.get_json(force=True)
        assert document["defcoop"] == {"truncated": True, "sparql_max_rows": MAX_ROWS}
        assert document["head"]["link"] == [f"urn:defcoop:truncated:sparql_max_rows={MAX_ROWS}"]
    if fmt == "xml":
        assert f'<link href="urn:defcoop:truncated:sparql_max_rows={MAX_ROWS}"/>' in response.get_data(as_text=True)


def test_results_at_the_cap_are_not_truncated(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": f"{LABELS} LIMIT {MAX_ROWS}"})
    assert response.headers["X-DefCoop-Truncated"] == "false"
    assert "defcoop" not in response.get_json(force=True)
    assert len(bindings(response)) == MAX_ROWS


def test_construct_truncation_is_stated(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.headers["X-DefCoop-Truncated"] == "true"
    assert response.get_data(as_text=True).startswith("# truncated")
    assert len(rdflib.Graph().parse(data=response.data, format="turtle")) == MAX_ROWS
    assert BULK_SIZE > MAX_ROWS


def test_time_limit_stops_the_query_and_names_the_setting(make_app: Callable[..., Flask]) -> None:
    client = make_app(sparql_time_limit_s=1, sparql_workers=1).test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # worker is warm
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": CROSS_PRODUCT, "timeout": "100"})
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert "sparql_time_limit_s" in response.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # a fresh worker


def test_timeout_parameter_lowers_the_limit(client: FlaskClient) -> None:
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": CROSS_PRODUCT, "timeout": "0.5"})
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert "timeout=0.5" in response.get_data(as_text=True)


@pytest.mark.parametrize("timeout", ["soon", "0", "-1"])
def test_bad_timeout_is_a_400(client: FlaskClient, timeout: str) -> None:
    assert client.get("/sparql", query_string={"query": "ASK {}", "timeout": timeout}).status_code == 400


def test_large_sparql_query_body_is_a_413(client: FlaskClient) -> None:
    body = ("# padding\n" * (MAX_BYTES // 10 + 1) + "ASK {}").encode()
    response = client.post("/sparql", data=body, content_type="application/sparql-query")
    assert response.status_code == 413
    assert "max_request_bytes" in response.get_data(as_text=True)


def test_large_form_body_is_a_413(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "ASK {}" + " " * MAX_BYTES})
    assert response.status_code == 413


def test_long_query_string_is_a_414(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}" + " " * MAX_BYTES})
    assert response.status_code == 414


# --- headers: CORS, validators -------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", query_string={"query": "ASK {}"}),
        lambda c: c.post("/sparql", data={"query": "ASK {}"}),
        lambda c: c.get("/sparql", query_string={"query": "SELEC"}),
        lambda c: c.get("/sparql"),
    ],
)
def test_cors_allows_any_origin(client: FlaskClient, send: Callable[[FlaskClient], object]) -> None:
    response = send(client)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-DefCoop-Truncated" in response.headers["Access-Control-Expose-Headers"]


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("query_string", [{"query": FIRM_LABELS}, {}])
def test_get_answers_carry_validators_and_honour_if_none_match(client: FlaskClient, query_string: dict) -> None:
    first = client.get("/sparql", query_string=query_string)
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert first.headers["Last-Modified"] == format_datetime(datetime.fromisoformat(BUILT_AT), usegmt=True)
    again = client.get("/sparql", query_string=query_string, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_if_modified_since_gives_304(client: FlaskClient) -> None:
    later = format_datetime(datetime.fromisoformat(BUILT_AT) + timedelta(hours=1), usegmt=True)
    earlier = format_datetime(datetime.fromisoformat(BUILT_AT) - timedelta(hours=1), usegmt=True)
    query_string = {"query": FIRM_LABELS}
    assert client.get("/sparql", query_string=query_string, headers={"If-Modified-Since": later}).status_code == 304
    assert client.get("/sparql", query_string=query_string, headers={"If-Modified-Since": earlier}).status_code == 200


def test_etag_depends_on_query_and_accept(client: FlaskClient) -> None:
    def etag(query: str, accept: str) -> str:
        return client.get("/sparql", query_string={"query": query}, headers={"Accept": accept}).headers["ETag"]

    assert etag(FIRM_LABELS, "text/csv") == etag(FIRM_LABELS, "text/csv")
    assert etag(FIRM_LABELS, "text/csv") != etag(FIRM_LABELS, "application/sparql-results+json")
    assert etag(FIRM_LABELS, "text/csv") != etag(LABELS, "text/csv")


def test_post_answers_have_no_etag(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": FIRM_LABELS})
    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_errors_have_no_etag(client: FlaskClient) -> None:
    assert "ETag" not in client.get("/sparql", query_string={"query": "SELEC"}).headers


# --- the service description ---------------------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("*/*", "turtle"),
    ],
)
def test_service_description(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format=rdflib_format)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert graph.value(service, SD.endpoint) == rdflib.URIRef("http://localhost/sparql")
    assert graph.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["JSON-LD"], FORMATS["N-Triples"],
            FORMATS.RDF_XML} <= formats
    default_graph = graph.value(graph.value(service, SD.defaultDataset), SD.defaultGraph)
    manifest_triples = 2 + 3 + 2 + BULK_SIZE + 0  # claim-1, claim-2, provenance, bulk
    assert graph.value(default_graph, VOID.triples).toPython() == manifest_triples
    assert manifest_triples == count_all(client)


def count_all(client: FlaskClient) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    return int(bindings(client.get("/sparql", query_string={"query": query}))[0]["n"])


def test_browsers_get_a_query_form(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<textarea id="query" name="query"' in page
    assert 'action="/sparql"' in page


def test_service_description_format_parameter(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"format": "nt"}, headers={"Accept": "text/html"})
    assert response.mimetype == "application/n-triples"
    assert json.loads(client.get("/sparql", query_string={"format": "jsonld"}).data)
