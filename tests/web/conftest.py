"""Fixtures for the web surface: a small test release, apps on it, and live servers in subprocesses.

`release_dir` builds its own release until the real pipeline's build can replace it; it has one named
graph per claim, a provenance graph, a label that is an HTML injection attempt, and a bulk graph of
`BULK_SIZE` labels so that cross products explode.
"""

from __future__ import annotations

import gc
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from app.config import ROOT
from app.store import commit_release, stage_release
from app.web import create_app

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


TEST_SETTINGS = {"sparql_max_rows": 50, "max_request_bytes": 4096, "sparql_time_limit_s": 10, "sparql_workers": 2}


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


def free_port() -> int:
    """A loopback port the OS says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A `python -m app.web.server` subprocess; its output goes to `log`."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _option(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


@pytest.fixture(scope="session")
def live_server(
    release_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., LiveServer]]:
    """A factory of live servers: `live_server({"sparql_time_limit_s": 2})` (one per distinct overrides)."""
    servers: dict[str, LiveServer] = {}
    logs = tmp_path_factory.mktemp("live")

    def start(overrides: Mapping[str, Any] | None = None, timeout_s: float = 30.0) -> LiveServer:
        overrides = {"build_dir": release_dir, **(overrides or {})}
        key = repr(sorted(overrides.items()))
        if key in servers:
            return servers[key]
        port = free_port()
        command = [sys.executable, "-m", "app.web.server", "--host", "127.0.0.1", "--port", str(port)]
        for name, value in overrides.items():
            command += ["--" + name.replace("_", "-"), _option(value)]
        log = logs / f"server-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        server = LiveServer(f"http://127.0.0.1:{port}", process, log)
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if requests.get(server.sparql, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                pytest.fail(f"the server did not answer within {timeout_s} s:\n{log.read_text()}")
            time.sleep(0.1)
        servers[key] = server
        return server

    yield start
    for server in servers.values():
        server.stop()


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
