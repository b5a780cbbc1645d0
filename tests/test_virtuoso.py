"""Virtuoso as the remote store: `defcoop build` publishes into a real Virtuoso in one transaction (a failed load
leaves the previous release serving there and locally), and a remote store that goes down answers 503 with
Retry-After, then serves again by itself when it is back (real servers, killed with SIGKILL and restarted)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.pipeline import BuildFailed, build
from app.pipeline.publish import Published
from app.store import RemoteStore, current_release, open_remote_store
from app.virtuoso import PublishFailed
from tests.conftest import free_port, settings_for
from tests.stores import VIRTUOSO, VIRTUOSO_MISSING, Oxigraph, Virtuoso, release_dumps
from tests.test_competency_questions import QUESTIONS, expected_rows

pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason=VIRTUOSO_MISSING)

CLAIM = "https://w3id.org/defcoop/id/claim/india-russia-moscow-03"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"), tmp_path_factory.getbasetemp()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def built_into_virtuoso(virtuoso: Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The bundled data built by `defcoop build` with Virtuoso configured."""
    return build(settings_for(tmp_path_factory.mktemp("build"), **virtuoso.settings))


def served(virtuoso: Virtuoso, build_dir: Path) -> RemoteStore:
    store = open_remote_store(settings_for(build_dir, store_endpoint=virtuoso.endpoint, store_dialect="virtuoso"))
    assert isinstance(store, RemoteStore)
    return store


@pytest.mark.parametrize("path", QUESTIONS, ids=[p.stem for p in QUESTIONS])
def test_build_publishes_into_virtuoso(virtuoso: Virtuoso, built_into_virtuoso: Published, path: Path) -> None:
    header, expected = expected_rows(path)
    rows = served(virtuoso, built_into_virtuoso.release.path).select(path.read_text(encoding="utf-8"))
    assert sorted(tuple(row[v].value if v in row else "" for v in header) for row in rows) == sorted(expected)


def test_virtuoso_keeps_named_graphs_and_a_default_graph_of_each_triple_once(
    virtuoso: Virtuoso, built_into_virtuoso: Published
) -> None:
    store = served(virtuoso, built_into_virtuoso.release.path)
    manifest = built_into_virtuoso.manifest
    quads = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                         "FILTER(?g != <https://w3id.org/defcoop/graph/default>) "
                         "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/defcoop/\")) }")
    assert int(quads[0]["n"].value) == manifest["quads"]
    graphs = store.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                          "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/defcoop/id/claim/\")) }")
    assert int(graphs[0]["n"].value) == manifest["claims"]
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(rows) == len({(r["s"], r["p"], r["o"]) for r in rows}) >= manifest["triples"]


def test_a_failed_load_leaves_the_previous_release_in_virtuoso(
    virtuoso: Virtuoso, built_into_virtuoso: Published, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Regression for an atomic build: a load that fails halfway rolls back (one transaction)."""
    store = served(virtuoso, built_into_virtuoso.release.path)
    before = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value
    broken = tmp_path_factory.mktemp("broken") / "broken.nq"
    broken.write_text(f'<{CLAIM}-new> <http://www.w3.org/2000/01/rdf-schema#label> "new" <{CLAIM}> .\n'
                      '<https://w3id.org/defcoop/id/x> <http://example.org/p> "unterminated .\n', encoding="utf-8")
    with pytest.raises(PublishFailed, match="refused the release"):
        virtuoso.load(broken, [])
    assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value == before
    assert not store.ask(f"ASK {{ <{CLAIM}-new> ?p ?o }}")


def test_build_fails_and_publishes_nothing_when_virtuoso_is_down(built_into_virtuoso: Published) -> None:
    build_dir = built_into_virtuoso.release.path.parent.parent
    before = current_release(build_dir)
    with pytest.raises(BuildFailed, match="virtuoso"):
        build(settings_for(build_dir, virtuoso_sql=f"127.0.0.1:{free_port()}"))
    assert current_release(build_dir) == before


@pytest.fixture(params=["oxigraph", "virtuoso"])
def killable(request: pytest.FixtureRequest, published: Published,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    """A remote store of its own (so killing it harms no other test), loaded with the bundled release."""
    folder = tmp_path_factory.mktemp(f"killable-{request.param}")
    quads, triples = release_dumps(published.release, folder / "dumps")
    if request.param == "oxigraph":
        server: Any = Oxigraph(folder, quads).start()
        settings = {"store_endpoint": server.endpoint}
    else:
        server = Virtuoso(folder / "db", tmp_path_factory.getbasetemp()).start()
        server.load(quads, triples)
        settings = {"store_endpoint": server.endpoint, "store_dialect": "virtuoso"}
    yield server, settings
    server.stop()


def _until(check: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_remote_store_down_is_503_with_retry_after_and_the_site_recovers(
    killable: tuple[Any, dict[str, str]], live_server: Callable[..., Any], published: Published
) -> None:
    server, settings = killable
    site = live_server({"build_dir": published.release.path.parent.parent, **settings, "web_workers": 1})
    counter = iter(range(10_000))

    def query() -> requests.Response:  # POSTs are never cached: each one reaches the store
        return requests.post(site.sparql, data={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {next(counter) + 1}"},
                             timeout=30)

    def page(slug: str) -> requests.Response:
        return requests.get(f"{site.url}/id/person/{slug}", headers={"Accept": "text/html"}, timeout=30)

    assert query().status_code == 200
    server.stop(kill=True)
    down, page_down = query(), requests.get(site.url + "/class/Firm", timeout=30)
    for response in (down, page_down):
        assert response.status_code == 503, response.text
        assert int(response.headers["Retry-After"]) > 0
        assert "does not answer" in response.text
    server.start()
    assert _until(lambda: query().status_code == 200, 30)
    assert page("sanjeev-kumar").status_code == 200 and requests.get(site.url + "/class/Firm",
                                                                       timeout=30).status_code == 200
