"""The query guard (app/web/sparql/guard.py), without a web app: what a user query may not do, and the status and
reason a client gets for it. The same refusals over HTTP: test_sparql_protocol.py; parser differentials:
test_outbound_bypass.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_settings
from app.store import GraphStore, open_store
from app.web.errors import HTTPError
from app.web.sparql.guard import check_graph, normalise, prepare
from tests.web.conftest import BASE

REMOTE = "http://127.0.0.1:9/sparql"
ALLOWED = "http://allowed.example/sparql"


def refusal(query: str, allowed_services: tuple[str, ...] = ()) -> HTTPError:
    with pytest.raises(HTTPError) as refused:
        prepare(query, allowed_services)
    return refused.value


# --- SERVICE -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{REMOTE}> {{ ?s ?p ?o }} }}",
        "PREFIX r: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE r:sparql { ?s ?p ?o } }",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER NOT EXISTS {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }} }}",
        f"DESCRIBE ?s WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }} }}",
    ],
    ids=["iri", "silent", "prefixed-name", "sub-select", "exists", "not-exists", "optional", "union", "minus"],
)
def test_service_is_refused_wherever_it_stands(query: str) -> None:
    refused = refusal(query)
    assert refused.status == 400
    assert f"SERVICE <{REMOTE}> is not allowed" in refused.message
    assert "sparql_allowed_services" in refused.message


def test_service_to_an_allowed_endpoint_passes() -> None:
    prepared = prepare(f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}", (ALLOWED,))
    assert prepared.form == "SELECT"


def test_allowing_one_endpoint_allows_no_other() -> None:
    refused = refusal(f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ }} SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}", (ALLOWED,))
    assert refused.status == 400 and f"<{REMOTE}>" in refused.message
    assert refusal(f"ASK {{ SERVICE <{ALLOWED}x> {{ ?s ?p ?o }} }}", (ALLOWED,)).status == 400  # exact IRIs only


def test_service_named_by_a_variable_is_refused_even_when_its_value_is_allowed() -> None:
    refused = refusal(f"SELECT * WHERE {{ BIND(<{ALLOWED}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}", (ALLOWED,))
    assert refused.status == 400
    assert "SERVICE ?e is not allowed" in refused.message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:9/> { }",
        'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" AS ?x) }',
        "SELECT ?x WHERE { BIND(<http://127.0.0.1:9/SERVICE> AS ?x) }",
    ],
    ids=["comment", "string", "iri"],
)
def test_the_word_service_outside_the_algebra_passes(query: str) -> None:
    assert prepare(query).form == "SELECT"


@pytest.mark.parametrize(
    "query",
    [
        f"ASK {{ \\u0053ERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
        f"ASK {{ \\U00000053ERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
        "ASK { SERVICE <\\u0068ttp://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        f"ASK {{ #\\u000ASERVICE <{REMOTE}> {{ ?s ?p ?o }}\n }}",
        f"ASK {{ #\\u000DSERVICE <{REMOTE}> {{ ?s ?p ?o }}\n }}",
    ],
    ids=["escaped-keyword", "long-escaped-keyword", "escaped-iri", "comment-ended-by-escaped-lf",
         "comment-ended-by-escaped-cr"],
)
def test_escaped_service_is_seen_and_refused(query: str) -> None:
    refused = refusal(query)
    assert refused.status == 400
    assert f"SERVICE <{REMOTE}> is not allowed" in refused.message


def test_doubly_escaped_text_is_refused() -> None:
    refused = refusal(f"ASK {{ \\u005Cu0053ERVICE <{REMOTE}> {{ ?s ?p ?o }} }}")
    assert refused.status == 400 and "doubly escaped" in refused.message


# --- normalisation: the checked text is the executed text ----------------------------------------


def test_prepared_text_is_normalised() -> None:
    assert normalise("ASK {\r\n}\r") == "ASK {\n}\n"
    assert normalise("ASK { FILTER(STR('\\u0041') = '\\U00000042') }") == "ASK { FILTER(STR('A') = 'B') }"
    assert prepare("ASK {\r}\r").text == "ASK {\n}\n"


def test_a_bad_escape_is_a_syntax_error() -> None:
    with pytest.raises(HTTPError) as refused:
        normalise("ASK { FILTER('\\U00110000' = '') }")  # beyond the last code point
    assert refused.value.status == 400 and refused.value.message.startswith("SPARQL syntax error")


# --- updates, syntax, forms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        f"INSERT DATA {{ <{BASE}id/x> <{BASE}id/y> <{BASE}id/z> }}",
        "DELETE WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP GRAPH <https://w3id.org/defcoop/graph/claim-1>",
        f"LOAD <{REMOTE}>",
        "CREATE GRAPH <http://example.org/g>",
        "\\u0043LEAR ALL",
    ],
    ids=["insert-data", "delete-where", "modify", "clear", "drop", "load", "create", "escaped-clear"],
)
def test_updates_are_refused_as_read_only(query: str) -> None:
    refused = refusal(query)
    assert refused.status == 403
    assert "read-only" in refused.message


@pytest.mark.parametrize("query", ["SELEC", "SELECT ?s WHERE { ?s ?p ?o ", "SELECT * WHERE { ?s foo:bar ?o }"])
def test_syntax_errors_are_a_400_not_an_update_refusal(query: str) -> None:
    refused = refusal(query)
    assert refused.status == 400
    assert refused.message.startswith("SPARQL syntax error:")


@pytest.mark.parametrize("query", ["", "  \n\t", "\\u0020"])
def test_an_empty_query_is_refused(query: str) -> None:
    refused = refusal(query)
    assert refused.status == 400 and refused.message == "the query is empty"


@pytest.mark.parametrize(
    ("query", "form"),
    [("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("ASK {}", "ASK"),
     ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"), ("DESCRIBE <http://example.org/x>", "DESCRIBE")],
)
def test_prepare_names_the_query_form(query: str, form: str) -> None:
    assert prepare(query).form == form


def test_from_and_from_named_become_the_dataset() -> None:
    prepared = prepare(f"SELECT * FROM <{BASE}graph/a> FROM <{BASE}graph/b> FROM NAMED <{BASE}graph/c> "
                       "WHERE { ?s ?p ?o }")
    assert prepared.default_graphs == (f"{BASE}graph/a", f"{BASE}graph/b")
    assert prepared.named_graphs == (f"{BASE}graph/c",)
    assert prepare("ASK {}").default_graphs == () == prepare("ASK {}").named_graphs


# --- graphs named by FROM / the protocol must be graphs of the store -----------------------------


@pytest.fixture(scope="module")
def store(release_dir: Path) -> GraphStore:
    return open_store(load_settings({"build_dir": release_dir}))


def test_a_graph_of_the_store_passes(store: GraphStore) -> None:
    check_graph(store, f"{BASE}graph/claim-1")  # no HTTPError


@pytest.mark.parametrize("graph", [f"{REMOTE}/data.ttl", f"{BASE}graph/nothing"])
def test_a_graph_outside_the_store_is_refused(store: GraphStore, graph: str) -> None:
    with pytest.raises(HTTPError) as refused:
        check_graph(store, graph)
    assert refused.value.status == 400
    assert f"<{graph}> is not a graph of this dataset" in refused.value.message


def test_a_graph_name_that_is_not_an_iri_is_refused(store: GraphStore) -> None:
    with pytest.raises(HTTPError) as refused:
        check_graph(store, "not an IRI")
    assert refused.value.status == 400 and "not an absolute IRI" in refused.value.message
