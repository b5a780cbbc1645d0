"""Running one query against the store (app/web/sparql/runner.py), in this process and without a web app: the row
cap and how truncation is stated, the answer's format, the dataset, and what a client is told when it fails."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from app.config import load_settings
from app.store import GraphStore, open_store
from app.web import renderers
from app.web.errors import HTTPError
from app.web.sparql import runner
from app.web.sparql.runner import Answer, Job, execute, failure
from tests.web.conftest import BASE, BULK_SIZE, make_job

MAX_ROWS = 5
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
FIRM_LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX defcoop: <https://w3id.org/defcoop/ontology#> "
    "SELECT ?label WHERE { ?s a defcoop:Firm ; rdfs:label ?label } ORDER BY ?label"
)


@pytest.fixture(scope="module")
def store(release_dir: Path) -> GraphStore:
    return open_store(load_settings({"build_dir": release_dir}))


@pytest.fixture(scope="module")
def job(release_dir: Path) -> Job:
    """A job for LABELS with the row cap MAX_ROWS; tests replace what they vary."""
    return make_job(release_dir, LABELS, max_rows=MAX_ROWS)


def run(store: GraphStore, job: Job, **changes: object) -> Answer:
    return execute(store, dataclasses.replace(job, **changes))


def labels(answer: Answer) -> list[str]:
    return [row["label"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]


# --- the row cap ---------------------------------------------------------------------------------


def test_rows_beyond_the_cap_are_left_off_and_that_is_stated(store: GraphStore, job: Job) -> None:
    answer = run(store, job)
    assert answer.truncated and answer.count == MAX_ROWS == answer.max_rows
    document = json.loads(answer.body)
    assert len(document["results"]["bindings"]) == MAX_ROWS
    assert document["defcoop"] == {"truncated": True, "sparql_max_rows": MAX_ROWS}


def test_rows_at_the_cap_are_not_truncated(store: GraphStore, job: Job) -> None:
    answer = run(store, job, query=f"{LABELS} LIMIT {MAX_ROWS}")
    assert not answer.truncated and answer.count == MAX_ROWS
    assert "defcoop" not in json.loads(answer.body)


MIXED = (
    'SELECT ?s ?label ?kind WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label '
    'OPTIONAL { ?s a ?kind } } ORDER BY ?s ?label ?kind'
)
"""Rows with unbound values, literals with and without a language, IRIs: what a results format must keep."""


def solutions(answer: Answer) -> list[dict[str, str]]:
    """The rows of a SELECT answer, parsed by Oxigraph's results parser (terms as N-Triples text)."""
    parsed = ox.parse_query_results(answer.body, format=answer.format.oxigraph)
    names = [v.value for v in parsed.variables]
    return [{n: str(row[n]) for n in names if row[n] is not None} for row in parsed]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_an_answer_oxigraph_writes_is_the_answer_written_row_by_row(store: GraphStore, job: Job, fmt: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the cap, JSON, XML and TSV answers are written by Oxigraph (renderers.native_solutions): the same rows as
    DefCoop's own writers give (which write CSV, and every answer over the cap)."""
    native = run(store, job, query=MIXED, format=fmt, max_rows=10_000)
    monkeypatch.setattr(runner, "NATIVE_FORMATS", ())
    by_hand = run(store, job, query=MIXED, format=fmt, max_rows=10_000)
    assert not native.truncated and native.count == by_hand.count > MAX_ROWS
    if fmt == "csv":  # CSV loses the terms' kinds: compare the text
        assert native.body == by_hand.body
    else:
        assert solutions(native) == solutions(by_hand)
        assert any(len(row) < 3 for row in solutions(native)), "MIXED must have unbound values"


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_an_answer_over_the_cap_oxigraph_wrote_is_cut_and_marked(store: GraphStore, job: Job, fmt: str) -> None:
    whole = run(store, job, query=MIXED, format=fmt, max_rows=10_000)
    answer = run(store, job, query=MIXED, format=fmt)
    assert answer.truncated and answer.count == MAX_ROWS
    assert solutions(answer) == solutions(whole)[:MAX_ROWS]
    if fmt != "tsv":  # TSV has no place for the marker: the header says it
        assert b"urn:defcoop:truncated:sparql_max_rows=5" in answer.body


def test_an_answer_too_large_for_oxigraph_to_write_whole_is_run_again_and_cut(
        store: GraphStore, job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past NATIVE_MAX_BYTES Oxigraph stops writing (the memory an answer takes before it is cut stays bounded): the
    query runs again and is written row by row, capped."""
    whole = run(store, job, query=MIXED, max_rows=10_000)
    monkeypatch.setattr(renderers, "NATIVE_MAX_BYTES", 200)
    answer = run(store, job, query=MIXED)
    assert answer.truncated and solutions(answer) == solutions(whole)[:MAX_ROWS]
    small = run(store, job, query=f"{MIXED} LIMIT 1", max_rows=10_000)
    assert not small.truncated and small.count == 1


@pytest.mark.parametrize(("fmt", "marked"), [("turtle", True), ("nt", True), ("trig", True), ("nq", True),
                                               ("jsonld", False), ("rdf-xml", False)])
def test_triples_beyond_the_cap_are_left_off(store: GraphStore, job: Job, fmt: str, marked: bool) -> None:
    answer = run(store, job, query="CONSTRUCT WHERE { ?s ?p ?o }", format=fmt)
    assert answer.truncated and answer.count == MAX_ROWS
    marker = f"# truncated: only the first {MAX_ROWS} triples (setting sparql_max_rows)\n"
    assert answer.body.decode().startswith(marker) is marked
    assert BULK_SIZE > MAX_ROWS


def test_ask_is_one_answer_never_truncated(store: GraphStore, job: Job) -> None:
    answer = run(store, job, query="ASK { ?s ?p ?o }", max_rows=0)
    assert json.loads(answer.body) == {"head": {}, "boolean": True}
    assert not answer.truncated and answer.count == 1


# --- formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "fmt", "expected"),
    [
        (LABELS, None, None, "json"),
        (LABELS, "text/csv", None, "csv"),
        (LABELS, "text/csv", "xml", "xml"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", None, None, "turtle"),
        ("DESCRIBE <https://w3id.org/defcoop/id/firm-acme>", "application/n-triples", None, "n-triples"),
    ],
)
def test_the_answer_is_in_a_format_the_query_form_offers(store: GraphStore, job: Job, query: str,
                                                         accept: str | None, fmt: str | None, expected: str) -> None:
    assert run(store, job, query=query, accept=accept, format=fmt).format.name == expected


@pytest.mark.parametrize(("query", "fmt", "form"), [(LABELS, "turtle", "SELECT"),
                                                     ("CONSTRUCT WHERE { ?s ?p ?o }", "csv", "CONSTRUCT")])
def test_a_format_the_form_cannot_have_is_a_406_naming_the_form(store: GraphStore, job: Job, query: str, fmt: str,
                                                                form: str) -> None:
    with pytest.raises(HTTPError) as refused:
        run(store, job, query=query, format=fmt)
    assert refused.value.status == 406 and refused.value.message.endswith(f"({form} query)")


def test_construct_answers_parse_as_rdf(store: GraphStore, job: Job) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/claim-2> {{ ?s ?p ?o }} }}"
    answer = run(store, job, query=query)
    assert len(rdflib.Graph().parse(data=answer.body, format="turtle")) == 3 == answer.count


# --- the dataset ---------------------------------------------------------------------------------


def test_from_narrows_the_default_graph(store: GraphStore, job: Job) -> None:
    query = FIRM_LABELS.replace("WHERE", f"FROM <{BASE}graph/claim-1> WHERE", 1)
    assert labels(run(store, job, query=query)) == ["Acme Defence"]


def test_the_protocols_dataset_replaces_from(store: GraphStore, job: Job) -> None:
    query = FIRM_LABELS.replace("WHERE", f"FROM <{BASE}graph/claim-1> WHERE", 1)
    answer = run(store, job, query=query, default_graphs=(f"{BASE}graph/claim-2",))
    assert labels(answer) == ["<script>alert(1)</script>"]


@pytest.mark.parametrize("changes", [{"query": "SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }"},
                                     {"named_graphs": (f"{BASE}graph/nothing",)}])
def test_graphs_outside_the_store_are_refused_before_running(store: GraphStore, job: Job,
                                                             changes: dict[str, object]) -> None:
    with pytest.raises(HTTPError) as refused:
        run(store, job, **changes)
    assert refused.value.status == 400 and "is not a graph of this dataset" in refused.value.message


def test_the_guard_runs_first(store: GraphStore, job: Job) -> None:
    with pytest.raises(HTTPError) as refused:
        run(store, job, query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert refused.value.status == 400 and "sparql_allowed_services" in refused.value.message


def test_a_query_the_engine_rejects_is_a_syntax_error(store: GraphStore, job: Job) -> None:
    with pytest.raises(HTTPError) as refused:
        run(store, job, query="SELECT (COUNT(?s) AS ?n) ?o WHERE { ?s ?p ?o }")  # ?o neither grouped nor aggregated
    assert refused.value.status == 400 and refused.value.message.startswith("SPARQL syntax error:")


# --- what a client is told when running fails ----------------------------------------------------


def test_failure_keeps_an_http_error() -> None:
    error = HTTPError(406, "no acceptable format")
    assert failure(error) is error


def test_failure_of_a_request_to_another_server_is_a_502_that_does_not_repeat_its_words() -> None:
    error = failure(ConnectionRefusedError("secret banner of 10.0.0.7:5432"))
    assert error.status == 502
    assert "ConnectionRefusedError" in error.message and "secret" not in error.message


def test_any_other_failure_is_a_500_naming_it() -> None:
    error = failure(RuntimeError("boom"))
    assert error.status == 500 and error.message == "the query failed: RuntimeError: boom"
