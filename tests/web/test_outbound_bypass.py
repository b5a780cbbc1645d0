"""Regression: parser differentials between rdflib (the checker) and Oxigraph (the executor) must not let a query
reach another server. Found in review: `#` + bare carriage return hid SERVICE from rdflib but not from Oxigraph."""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Callable
from typing import Any

import pytest
import requests

from app.pipeline.publish import Published
from app.web.errors import HTTPError
from app.web.sparql.guard import normalise, prepare
from app.web.sparql.pool import isolate_network
from tests.web.conftest import Listener

BYPASSES = {
    "comment ended by bare CR": "ASK { #\rSERVICE <{url}x> {{ ?a ?b ?c }}\n }",
    "comment ended by CR LF": "ASK { #\r\nSERVICE <{url}x> {{ ?a ?b ?c }}\n }",
    "silent, CR": "ASK { #\rSERVICE SILENT <{url}x> {{ ?a ?b ?c }}\n }",
    "comment ended by escaped CR": "ASK { #\\u000DSERVICE <{url}x> {{ ?a ?b ?c }}\n }",
    "comment ended by long-escaped CR": "ASK { #\\U0000000dSERVICE <{url}x> {{ ?a ?b ?c }}\n }",
    "escaped keyword": "ASK { \\u0053ERVICE <{url}x> {{ ?a ?b ?c }} }",
    "quote escaped outside a string": 'ASK { FILTER("a\\u0022 "=1) SERVICE <{url}x> {{ ?a ?b ?c }} FILTER("") }',
    "doubly escaped": "ASK { \\u005Cu0053ERVICE <{url}x> {{ ?a ?b ?c }} }",
}


@pytest.mark.parametrize("case", BYPASSES, ids=list(BYPASSES))
def test_checker_sees_what_the_executor_runs(case: str) -> None:
    query = BYPASSES[case].replace("{url}", "http://127.0.0.1:9/").replace("{{", "{").replace("}}", "}")
    with pytest.raises(HTTPError) as refused:
        prepare(query)
    assert refused.value.status == 400


@pytest.mark.parametrize("case", BYPASSES, ids=list(BYPASSES))
def test_live_endpoint_makes_no_request(case: str, live_server: Callable[..., Any], listener: Listener,
                                        published: Published) -> None:
    query = BYPASSES[case].replace("{url}", listener.url).replace("{{", "{").replace("}}", "}")
    # An unrelated allowed endpoint turns the workers' network isolation off: the query checks alone must hold.
    server = live_server({"build_dir": published.release.path.parent.parent,
                          "sparql_allowed_services": ["http://allowed.invalid/sparql"]})
    for send in (lambda: requests.get(server.sparql, params={"query": query}, timeout=10),
                 lambda: requests.post(server.sparql, data=query.encode(),
                                       headers={"Content-Type": "application/sparql-query"}, timeout=10)):
        assert send().status_code >= 400
    assert listener.connections == 0


def test_normalised_text_is_what_runs() -> None:
    assert normalise("ASK {\r\n}\r") == "ASK {\n}\n"
    assert prepare("ASK { FILTER(STR('\\u0041') = 'A') }").text == "ASK { FILTER(STR('A') = 'A') }"


def _connect_after_isolation(port: int, out: Any) -> None:
    isolated = isolate_network()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        out.put((isolated, "connected"))
    except OSError as exc:
        out.put((isolated, type(exc).__name__))


def test_isolated_worker_cannot_reach_loopback(listener: Listener) -> None:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_connect_after_isolation, args=(listener.port, out))
    process.start()
    process.join(20)
    isolated, outcome = out.get(timeout=5)
    if not isolated:
        pytest.skip("this kernel does not allow unprivileged network namespaces")
    assert outcome != "connected" and listener.connections == 0
