"""The remote store: the same published graph served by a real Oxigraph SPARQL server process answers alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.config import ROOT
from app.pipeline.publish import Published
from app.store import EmbeddedStore, RemoteStore
from tests.stores import OXIGRAPH, Oxigraph
from tests.test_competency_questions import QUESTIONS, expected_rows


@pytest.fixture(scope="module")
def endpoint(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if OXIGRAPH is None:
        pytest.fail("the `oxigraph` server (PyPI package oxigraph, in the test extras) is not installed")
    server = Oxigraph(tmp_path_factory.mktemp("oxigraph"), published.release.downloads_dir / "defcoop.nq").start()
    yield server.endpoint
    server.stop()


@pytest.mark.parametrize("path", QUESTIONS, ids=[p.stem for p in QUESTIONS])
def test_remote_store_answers_competency_questions(endpoint: str, path: Path) -> None:
    header, expected = expected_rows(path)
    rows = RemoteStore(endpoint).select(path.read_text(encoding="utf-8"))
    assert sorted(tuple(row[v].value if v in row else "" for v in header) for row in rows) == sorted(expected)


def test_remote_and_embedded_construct_the_same_triples(endpoint: str, store: EmbeddedStore) -> None:
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/defcoop/id/claim/india-russia-moscow-03> "
             "{ ?s ?p ?o } }")
    remote = {str(t) for t in RemoteStore(endpoint).triples(query)}
    assert remote and remote == {str(t) for t in store.triples(query)}


def test_remote_store_honours_named_graph_restriction(endpoint: str) -> None:
    graph = "https://w3id.org/defcoop/id/claim/india-russia-moscow-12"
    rows = RemoteStore(endpoint).select("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", default_graphs=[graph])
    assert {r["s"].value for r in rows} == {"https://w3id.org/defcoop/id/ranking/india-military-equipment-imports"}


def test_site_serves_pages_and_queries_from_a_remote_store(
    endpoint: str, live_server: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    server = live_server({"build_dir": tmp_path_factory.mktemp("nothing-local"), "store_endpoint": endpoint})
    page = requests.get(server.url + "/id/person/sanjeev-kumar", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "Sanjeev Kumar" in page.text and "Defence Production Secretary" in page.text
    answer = requests.get(server.sparql, params={"query": (ROOT / "ontology" / "competency-questions" /
                                                          "01-delegation-leader.rq").read_text()}, timeout=10)
    assert answer.status_code == 200 and "Sanjeev Kumar" in answer.text
