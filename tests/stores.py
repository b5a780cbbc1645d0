"""Real SPARQL servers for the tests and benchmarks: `oxigraph serve --union-default-graph` and Virtuoso, each
started from a release's dumps in a private folder, on free loopback ports, and stopped (or killed) on request."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from app.config import load_settings
from app.store import Release
from app.virtuoso import publish

OXIGRAPH = shutil.which("oxigraph")
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
"""Debian's configuration, copied with every path, port and limit a test instance needs changed."""
VIRTUOSO_MISSING = ("Virtuoso is not installed: `apt-get install -y --no-install-recommends virtuoso-opensource` "
                    "(.ci/run does)")
START_TIMEOUT_S = 60


def free_port() -> int:
    """A loopback port the OS says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_endpoint(url: str, process: subprocess.Popen[bytes], timeout_s: float = START_TIMEOUT_S) -> None:
    """Until `url` answers `ASK {}`; RuntimeError if `process` exits or the time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server behind {url} did not start") from None
            time.sleep(0.2)


def release_dumps(release: Release, folder: Path) -> tuple[Path, list[Path]]:
    """(N-Quads of every named graph, N-Triples of the merged default graph) of `release`: its own dumps when it
    has them, else written from its store (a hand-made test release: the union of its graphs, each triple once)."""
    downloads = release.downloads_dir
    if (downloads / "defcoop.nq").exists():
        return downloads / "defcoop.nq", [p for p in (downloads / "defcoop.nt", downloads / "ontology.nt")
                                          if p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    store = ox.Store.read_only(str(release.store_path))
    quads, triples = folder / "release.nq", folder / "merged.nt"
    store.dump(str(quads), ox.RdfFormat.N_QUADS)
    merged = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    ox.serialize(merged, str(triples), ox.RdfFormat.N_TRIPLES)
    return quads, [triples]


@dataclass
class Oxigraph:
    """`oxigraph serve --union-default-graph` on a store loaded from a release's N-Quads."""

    folder: Path
    quads: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def start(self) -> Oxigraph:
        assert OXIGRAPH, "the `oxigraph` server (PyPI package oxigraph, in the test extras) is not installed"
        location = self.folder / "store"
        if not location.exists():
            subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file", str(self.quads)], check=True,
                           capture_output=True)
        self.process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind",
                                         f"127.0.0.1:{self.port}", "--union-default-graph"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_endpoint(self.endpoint, self.process)
        return self

    def stop(self, kill: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(30)


@dataclass
class Virtuoso:
    """`virtuoso-t -f` with its database, logs and both ports (SQL, HTTP) of its own, reading files under
    `allowed` (DirsAllowed, for loading)."""

    folder: Path
    allowed: Path
    sql_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def settings(self) -> dict[str, str]:
        """DefCoop's settings to publish into and serve from this server."""
        return {"virtuoso_sql": f"127.0.0.1:{self.sql_port}", "virtuoso_isql": ISQL or "isql-vt"}

    def configure(self) -> Path:
        ini = VIRTUOSO_INI.read_text(encoding="utf-8")
        ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(self.folder))
        changes = {"ServerPort": None, "DirsAllowed": f"., {self.allowed}", "ResultSetMaxRows": "1000000",
                   "MaxQueryCostEstimationTime": "0", "MaxQueryExecutionTime": "0", "NumberOfBuffers": "20000",
                   "MaxDirtyBuffers": "15000", "ThreadsPerQuery": "2"}
        ports = iter((self.sql_port, self.http_port))  # the first ServerPort is SQL's, the second HTTP's
        for name, value in changes.items():
            if value is None:
                ini = re.sub(r"(?m)^ServerPort\s*=.*$", lambda _: f"ServerPort = {next(ports)}", ini)
            else:
                ini = re.sub(rf"(?m)^{name}\s*=.*$", f"{name} = {value}", ini)
        path = self.folder / "virtuoso.ini"
        path.write_text(ini, encoding="utf-8")
        return path

    def start(self) -> Virtuoso:
        assert VIRTUOSO and ISQL, VIRTUOSO_MISSING
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.configure()
        with (self.folder / "server.out").open("ab") as log:  # the server keeps its own copy of the file
            self.process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=self.folder, stdout=log,
                                            stderr=subprocess.STDOUT)
        wait_for_endpoint(self.endpoint, self.process)
        return self

    def load(self, quads: Path, triples: list[Path], base_iri: str = "https://w3id.org/defcoop/") -> float:
        """Publish these dumps as DefCoop's build does; seconds taken."""
        return publish(load_settings({**self.settings, "base_iri": base_iri}, environ={}), quads, triples)

    def stop(self, kill: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(60)
