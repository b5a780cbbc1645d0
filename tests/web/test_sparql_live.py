"""/sparql served by `defcoop serve` (gunicorn) and used by real SPARQL clients over HTTP."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from xml.dom.minidom import Document

import pytest
import rdflib
import requests
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper

from tests.conftest import STORES, LiveServer
from tests.web.conftest import BASE, CROSS_PRODUCT, Listener

pytestmark = pytest.mark.server

FIRM_LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX defcoop: <https://w3id.org/defcoop/ontology#> "
    "SELECT ?label WHERE { ?s a defcoop:Firm ; rdfs:label ?label } ORDER BY ?label"
)
LABELS = ["<script>alert(1)</script>", "Acme Defence"]
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + BASE + "graph/claim-2> { ?s ?p ?o } }"
SETTINGS = {"sparql_time_limit_s": 2, "sparql_workers": 2, "max_request_bytes": 4096, "sparql_max_rows": 1000}


@pytest.fixture(scope="module", params=STORES)
def server(request: pytest.FixtureRequest, live_server: Callable[..., LiveServer], release_dir: Path,
           store_settings: Callable[[str, Path], dict[str, str]]) -> LiveServer:
    """The test release served by `defcoop serve`, from each store: embedded, `oxigraph serve`, Virtuoso."""
    return live_server({"build_dir": release_dir, **SETTINGS, **store_settings(request.param, release_dir)})


def wrapper(server: LiveServer, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def test_sparqlwrapper_select_json(server: LiveServer) -> None:
    result = wrapper(server, FIRM_LABELS, JSON).query().convert()
    assert [row["label"]["value"] for row in result["results"]["bindings"]] == LABELS


def test_sparqlwrapper_select_json_by_post(server: LiveServer) -> None:
    client = wrapper(server, FIRM_LABELS, JSON)
    client.setMethod(POST)
    result = client.query().convert()
    assert [row["label"]["value"] for row in result["results"]["bindings"]] == LABELS


def test_sparqlwrapper_select_xml(server: LiveServer) -> None:
    document = wrapper(server, FIRM_LABELS, XML).query().convert()
    assert isinstance(document, Document)
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == LABELS


def test_sparqlwrapper_select_csv(server: LiveServer) -> None:
    body = wrapper(server, FIRM_LABELS, CSV).query().convert()
    assert body.decode().splitlines() == ["label", *LABELS]


def test_sparqlwrapper_construct(server: LiveServer) -> None:
    graph = wrapper(server, CONSTRUCT, RDFXML).query().convert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 3
    turtle = wrapper(server, CONSTRUCT, TURTLE).query().convert()
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) == 3


def test_rdflib_sparqlstore(server: LiveServer) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server.sparql))
    assert [str(row[0]) for row in graph.query(FIRM_LABELS)] == LABELS
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == 3
    assert bool(graph.query("ASK { ?s ?p ?o }").askAnswer) is True


def test_simple_query_is_fast(server: LiveServer) -> None:
    durations = []
    for _ in range(20):
        started = time.perf_counter()
        response = requests.get(server.sparql, params={"query": FIRM_LABELS}, timeout=5)
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200
    durations.sort()
    print(f"simple SELECT via the live server: median {durations[10] * 1000:.1f} ms, max {durations[-1] * 1000:.1f} ms")
    assert durations[10] < 0.5


def test_runaway_query_is_stopped_while_others_are_served(server: LiveServer) -> None:
    outcome: dict[str, requests.Response] = {}

    def runaway() -> None:
        outcome["runaway"] = requests.get(server.sparql, params={"query": CROSS_PRODUCT}, timeout=30)

    started = time.monotonic()
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # the runaway query is now running in one worker
    quick = []
    while thread.is_alive() and time.monotonic() - started < 10:
        before = time.monotonic()
        response = requests.get(server.sparql, params={"query": FIRM_LABELS}, timeout=5)
        quick.append((response.status_code, time.monotonic() - before))
        time.sleep(0.2)
    thread.join(30)
    elapsed = time.monotonic() - started
    response = outcome["runaway"]
    assert response.status_code == 503
    assert "sparql_time_limit_s" in response.text
    assert 1.9 < elapsed < 5
    assert quick and all(status == 200 and seconds < 1 for status, seconds in quick), quick
    assert requests.get(server.sparql, params={"query": FIRM_LABELS}, timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("make_query", "status"),
    [
        (lambda url: f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", 400),
        (lambda url: f"SELECT * WHERE {{ SERVICE SILENT <{url}sparql> {{ ?s ?p ?o }} }}", 400),
        (lambda url: f"SELECT * FROM <{url}x> WHERE {{ ?s ?p ?o }}", 400),
        (lambda url: f"SELECT * FROM NAMED <{url}x> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", 400),
        (lambda url: f"LOAD <{url}data.ttl>", 403),
    ],
    ids=["service", "service-silent", "from", "from-named", "load"],
)
def test_outbound_requests_are_refused(
    server: LiveServer, listener: Listener, make_query: Callable[[str], str], status: int
) -> None:
    response = requests.post(server.sparql, data={"query": make_query(listener.url)}, timeout=10)
    assert response.status_code == status, response.text
    time.sleep(0.3)
    assert listener.connections == 0


def test_outbound_graph_parameters_are_refused(server: LiveServer, listener: Listener) -> None:
    params = {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": listener.url + "x"}
    assert requests.get(server.sparql, params=params, timeout=10).status_code == 400
    time.sleep(0.3)
    assert listener.connections == 0


def test_oversized_post_is_a_413(server: LiveServer) -> None:
    body = "ASK {}" + " " * SETTINGS["max_request_bytes"]
    response = requests.post(
        server.sparql, data=body.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=10
    )
    assert response.status_code == 413
    form = requests.post(server.sparql, data={"query": body}, timeout=10)
    assert form.status_code == 413


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_stopping_the_server_stops_its_workers(live_server: Callable[..., LiveServer], release_dir: Path) -> None:
    server = live_server({"build_dir": release_dir, **SETTINGS, "sparql_workers": 3, "web_workers": 2})
    deadline = time.monotonic() + 15
    while True:  # the server answers once one process is up; the other may still be starting its query workers
        web = _children(server.process.pid)
        workers = web | {pid for w in web for pid in _children(w)}
        if len(web) == 2 and len(workers) >= 2 + 2 * 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(web) == 2 and len(workers) >= 2 + 2 * 3  # server processes, each with its query workers
    server.stop()
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and os.getpid() != pid
