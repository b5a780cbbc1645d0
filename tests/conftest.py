"""Shared fixtures: a real build of the bundled data into a temporary folder, its store, and live servers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from app.config import ROOT, Settings, load_settings
from app.pipeline import build
from app.pipeline.publish import Published
from app.store import GraphStore, Release, current_release, open_release_store
from tests.stores import VIRTUOSO, VIRTUOSO_MISSING, Oxigraph, Virtuoso, free_port, release_dumps


def settings_for(build_dir: Path, **overrides: object) -> Settings:
    return load_settings({"build_dir": build_dir, **overrides}, environ={})


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The bundled data built once per session, exactly as `defcoop build` does."""
    return build(settings_for(tmp_path_factory.mktemp("build")))


FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build dir of the bundled data plus tests/fixtures/data (a person labelled `<script>alert(1)</script>`),
    built for real."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE_DATA, data, dirs_exist_ok=True)
    build(settings_for(root / "build", data_dir=data))
    return root / "build"


@dataclass(frozen=True)
class History:
    """Two releases built for real into one build dir: `first` from the bundled data, `second` after an edit."""

    build_dir: Path
    first: Release
    second: Release


EDITED_LABEL = ('"Defence manufacturing companies from India"@en', '"Defence manufacturers from India"@en')
"""The edit between the two releases of `release_history` (besides adding tests/fixtures/data)."""


@pytest.fixture(scope="session")
def release_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The bundled data built, then built again with one label changed and tests/fixtures/data added (a new
    source with one claim and one person)."""
    root = tmp_path_factory.mktemp("history")
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    settings = settings_for(root / "build", data_dir=data)
    first = build(settings).release
    while datetime.now(UTC).replace(microsecond=0) <= first.built_at:  # Memento datetimes are whole seconds
        time.sleep(0.05)
    facts = data / "facts" / "india-russia-defence-manufacturing-moscow.trig"
    text = facts.read_text(encoding="utf-8")
    assert EDITED_LABEL[0] in text, "the edit of release_history no longer applies to the bundled data"
    facts.write_text(text.replace(*EDITED_LABEL), encoding="utf-8")
    shutil.copytree(FIXTURE_DATA, data, dirs_exist_ok=True)
    return History(root / "build", first, build(settings).release)


@pytest.fixture(scope="session")
def store(published: Published) -> GraphStore:
    return open_release_store(published.release)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ a test may break."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


# --- live servers: `defcoop serve` in a subprocess, exactly as users start it ---


def defcoop_command() -> str:
    """The `defcoop` console script of this environment (next to its Python, else on PATH)."""
    search = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))
    found = shutil.which("defcoop", path=search)
    if found is None:
        pytest.fail("the `defcoop` command is not installed: run `pip install -e .`")
    return found


@dataclass
class LiveServer:
    """A `defcoop serve` subprocess; its output goes to `log`."""

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
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    """A factory of live servers: `live_server({"build_dir": path, "sparql_time_limit_s": 2})` runs
    `defcoop serve --host 127.0.0.1 --port N --build-dir path --sparql-time-limit-s 2` (one server per distinct
    settings, stopped at the end of the session)."""
    servers: dict[str, LiveServer] = {}
    logs = tmp_path_factory.mktemp("live")

    def start(settings: Mapping[str, Any], timeout_s: float = 30.0) -> LiveServer:
        if "build_dir" not in settings:
            raise TypeError("live_server needs settings with a build_dir")
        key = repr(sorted((name, str(value)) for name, value in settings.items()))
        if key in servers:
            return servers[key]
        port = free_port()
        command = [defcoop_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        for name, value in settings.items():
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
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its workers still starting
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


# --- the stores a live server may serve from: embedded, and real remote servers loaded with the same release ---

STORES = ("embedded", "oxigraph", "virtuoso")
"""What the live-server tests run against: `request.param` of a fixture parametrised with these."""


@pytest.fixture(scope="session")
def store_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, Path], dict[str, str]]]:
    """`store_settings(kind, build_dir)`: the settings that make a live server on `build_dir` read its current
    release from a store of `kind` (STORES): none for the embedded store; for `oxigraph` and `virtuoso`, a real
    server started once per session and build, loaded with the release (Virtuoso as `defcoop build` publishes).
    Skips when Virtuoso is not installed, saying how to install it."""
    started: dict[tuple[str, str], Oxigraph | Virtuoso] = {}

    def settings(kind: str, build_dir: Path) -> dict[str, str]:
        if kind == "embedded":
            return {}
        if kind == "virtuoso" and VIRTUOSO is None:
            pytest.skip(VIRTUOSO_MISSING)
        key = (kind, str(build_dir))
        if key not in started:
            release = current_release(build_dir)
            assert release is not None, f"nothing is published in {build_dir}"
            folder = tmp_path_factory.mktemp(kind)
            quads, triples = release_dumps(release, folder / "dumps")
            if kind == "oxigraph":
                started[key] = Oxigraph(folder, quads).start()
            else:
                server = Virtuoso(folder / "db", tmp_path_factory.getbasetemp()).start()
                started[key] = server
                server.load(quads, triples)
        server = started[key]
        return {"store_endpoint": server.endpoint, **({"store_dialect": "virtuoso"} if kind == "virtuoso" else {})}

    yield settings
    for server in started.values():
        server.stop()
