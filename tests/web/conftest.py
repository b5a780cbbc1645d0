"""Fixtures for the web surface: a tiny hand-made release and apps on it (live servers: tests/conftest.py).

The SPARQL tests run on `release_dir`, not on the real build (`published`), because they need a dataset whose
every triple they know: two claim graphs and a provenance graph to name in FROM / named-graph-uri, a label
that is an HTML injection attempt, and a bulk graph of `BULK_SIZE` labels, more than the row cap (truncation)
and enough for cross products to run past the time limit. It is written straight into a store (no reasoning),
so it takes milliseconds and does not change when the bundled data does. Pages, downloads and the dataset
description are tested on the real build (`published_app`).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import Settings, load_settings
from app.pipeline import build
from app.store import GraphStore, commit_release, current_release, open_release_store, stage_release
from app.web import create_app
from app.web.sparql.runner import Job
from bench.generate import generate

BASE = "https://w3id.org/defcoop/"
BUILT_AT = "2025-01-15T10:30:00+00:00"
BULK_SIZE = 300
TRIG = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix defcoop: <https://w3id.org/defcoop/ontology#> .
@prefix id: <{BASE}id/> .
@prefix graph: <{BASE}graph/> .

graph:claim-1 {{
  id:firm-acme a defcoop:Firm ; rdfs:label "Acme Defence"@en .
}}
graph:claim-2 {{
  id:firm-evil a defcoop:Firm ; rdfs:label "<script>alert(1)</script>" .
  id:firm-acme defcoop:partner id:firm-evil .
}}
graph:provenance {{
  graph:claim-1 prov:wasDerivedFrom id:source-1 .
  graph:claim-2 prov:wasDerivedFrom id:source-1 .
}}
graph:bulk {{
{"".join(f'  id:thing-{n} rdfs:label "Thing {n}" .{chr(10)}' for n in range(BULK_SIZE))}}}
"""


def build_release(build_dir: Path) -> None:
    """Stage, fill and commit a release the way the pipeline does (store + manifest)."""
    staging = stage_release(build_dir)
    triples = _fill_store(staging / "store")
    gc.collect()  # the writable store must be gone before anyone opens it read-only
    manifest = {"built_at": BUILT_AT, "triples": triples, "sources": 1}
    (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    commit_release(build_dir, staging)


def _fill_store(path: Path) -> int:
    store = ox.Store(str(path))
    store.load(TRIG.encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    return len(store)


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build dir whose `current` release is the test data above."""
    build_dir = tmp_path_factory.mktemp("build")
    build_release(build_dir)
    return build_dir


CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
"""A query that runs far past any time limit on the test release (five-way cross product of its triples)."""
TEST_SETTINGS = {"sparql_max_rows": 50, "max_request_bytes": 4096, "sparql_time_limit_s": 10, "sparql_workers": 2}


def make_job(build_dir: Path, query: str, **fields: Any) -> Job:
    """What a worker gets for `query` sent as a plain GET to an app with TEST_SETTINGS; `fields` override."""
    release = current_release(build_dir)
    assert release is not None
    defaults: dict[str, Any] = {"default_graphs": (), "named_graphs": (), "accept": None, "format": None,
                                "max_rows": TEST_SETTINGS["sparql_max_rows"], "allowed_services": ()}
    return Job(query=query, release_id=release.id, **(defaults | fields))


def worker_pids() -> set[int]:
    """The pids of this process's live children (the query workers of every pool it started)."""
    return {process.pid for process in multiprocessing.active_children() if process.pid is not None}


@pytest.fixture(scope="session")
def make_app(release_dir: Path) -> Iterator[Callable[..., Flask]]:
    """A factory of apps on the test release: `make_app(sparql_max_rows=5)`; their workers stop at the end."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app({"build_dir": release_dir, **TEST_SETTINGS, **overrides})
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["defcoop.sparql"].close()


@pytest.fixture(scope="session")
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with TEST_SETTINGS (shared, so its query workers start once)."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Listener:
    """A plain TCP server on loopback that counts connections (a stand-in for a remote SPARQL endpoint)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"HTTP/1.1 500 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener; `listener.connections` counts who reached it."""
    found = Listener()
    yield found
    found.close()


# --- apps on a real build (downloads, dataset description, ontology pages) ---


@pytest.fixture(scope="session")
def published_app(published: Any) -> Iterator[Flask]:
    """An app serving the session's real build of the bundled data (the `published` fixture)."""
    app = create_app({"build_dir": published.release.path.parent.parent, "sparql_workers": 1})
    app.config["TESTING"] = True
    yield app
    app.extensions["defcoop.sparql"].close()


@pytest.fixture
def published_client(published_app: Flask) -> FlaskClient:
    return published_app.test_client()


# --- a hub: one country thousands of firms link to ---

HUB = f"{BASE}id/country/hubland"
BASED_IN = "https://w3id.org/defcoop/ontology#basedIn"
FIRMS = 2500


def hub_release(build_dir: Path) -> None:
    """A release with one country that 2,500 firms are based in, each stated by its own claim."""
    staging = stage_release(build_dir)
    store = ox.Store(str(staging / "store"))
    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [ox.Quad(ox.NamedNode(HUB), rdfs_label, ox.Literal("Hubland", language="en"),
                     ox.NamedNode(f"{BASE}id/claim/hub"))]
    for n in range(FIRMS):
        firm, claim = ox.NamedNode(f"{BASE}id/firm/f{n:05d}"), ox.NamedNode(f"{BASE}id/claim/c{n:05d}")
        quads += [ox.Quad(firm, ox.NamedNode(BASED_IN), ox.NamedNode(HUB), claim),
                  ox.Quad(firm, rdfs_label, ox.Literal(f"Firm {n:05d}"), claim)]
    store.bulk_extend(quads)
    store.flush()
    del store
    gc.collect()
    (staging / "manifest.json").write_text(json.dumps({"built_at": "2025-01-15T10:30:00+00:00"}), encoding="utf-8")
    commit_release(build_dir, staging)


@pytest.fixture(scope="session")
def hub_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build dir whose current release holds the hub above (2,500 firms based in one country)."""
    build_dir = tmp_path_factory.mktemp("hub-build")
    hub_release(build_dir)
    return build_dir


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GraphStore, Settings]:
    """A release of 20,000 generated triples (bench/generate.py): many events, sharing days and countries."""
    root = tmp_path_factory.mktemp("generated")
    generate(root / "data", 20_000, claims_per_source=200)
    settings = load_settings({"data_dir": root / "data", "build_dir": root / "build"}, environ={})
    return open_release_store(build(settings).release), settings
