"""The one module that knows how the published graph is stored.

A build writes a *release* (an Oxigraph store, download files and a manifest) into a staging folder,
then switches the `current` symlink to it in one atomic rename; readers open `current` read-only.
Queries go through a `GraphStore`: embedded (pyoxigraph on disk, the default) or remote (any
SPARQL 1.1 endpoint). Both return pyoxigraph result objects, so callers never care which.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from app.config import Settings

CURRENT = "current"
"""The symlink in `build_dir` naming the release readers serve."""
RELEASES = "releases"
"""The folder in `build_dir` holding releases (and staging folders of builds under way)."""
MANIFESTS_CACHED = 8
"""Manifests of this many recent releases are kept in memory (a release is read once, not on every request)."""
STAGING_GRACE_S = 60
"""A staging folder without its owner file yet is taken for abandoned only when older than this (seconds)."""
STAGING_NAMES = 1000
"""Staging folders one build may try within one second before giving up (names are `{time}-{n:03d}`)."""
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]


@dataclass(frozen=True)
class Release:
    """One published build: `store/` (Oxigraph), `downloads/`, `texts/` (the sources' texts) and `manifest.json`."""

    path: Path

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def downloads_dir(self) -> Path:
        return self.path / "downloads"

    def source_text(self, text_file: str) -> str | None:
        """A source's text as received (`defcoop:textFile`, relative to the data folder), as the build shipped it in
        `texts/`; None when the release has no such text (or the path would leave that folder)."""
        root = texts_dir(self.path).resolve()
        path = (root / text_file).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path.read_text(encoding="utf-8")

    @property
    def manifest(self) -> dict[str, Any]:
        """The release's manifest (read once per release: a committed release never changes). Do not mutate."""
        return _manifest(self.path)

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def built_at(self) -> datetime:
        """When the release was built: manifest `built_at` (ISO 8601, UTC if naive), else the folder's mtime."""
        return _built_at(self.path)


TEXTS = "texts"
"""The folder of a release holding the sources' texts, at their paths relative to the data folder."""


def texts_dir(release_path: Path) -> Path:
    return release_path / TEXTS


@functools.lru_cache(maxsize=MANIFESTS_CACHED)
def _manifest(path: Path) -> dict[str, Any]:
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=MANIFESTS_CACHED)
def _built_at(path: Path) -> datetime:
    try:
        stamp = _manifest(path).get("built_at")
        moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except (OSError, ValueError):
        moment = None
    if moment is None:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current_release(build_dir: Path) -> Release | None:
    """The release readers should serve, or None when nothing was ever published."""
    link = build_dir / CURRENT
    if not link.exists() or not (link / "manifest.json").exists():
        return None
    return Release(link.resolve())


def release_named(build_dir: Path, release_id: str) -> Release | None:
    """The published release `release_id` (a folder name under `releases/`), or None when it is not (or no
    longer) on disk."""
    path = build_dir / RELEASES / release_id
    if "/" in release_id or release_id.endswith(".staging") or not (path / "manifest.json").exists():
        return None
    return Release(path.resolve())


def releases(build_dir: Path) -> list[Release]:
    """Every published release still on disk, newest first (release ids sort by build time)."""
    folder = build_dir / RELEASES
    if not folder.is_dir():
        return []
    found = (p for p in folder.iterdir() if not p.name.endswith(".staging") and (p / "manifest.json").is_file())
    return [Release(p.resolve()) for p in sorted(found, key=lambda p: p.name, reverse=True)]


def release_at(build_dir: Path, moment: datetime) -> Release | None:
    """The release that was current at `moment` (the newest built at or before it); the oldest kept release when
    `moment` precedes them all; None when nothing is published."""
    kept = releases(build_dir)
    return next((r for r in kept if r.built_at <= moment), kept[-1] if kept else None)


def stage_release(build_dir: Path) -> Path:
    """A fresh, empty folder to build a release in; invisible to readers until `commit_release`. Staging folders
    left by builds that were killed are removed first."""
    releases = build_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(releases)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(STAGING_NAMES):
        path = releases / f"{stamp}-{n:03d}.staging"
        if path.with_name(path.name.removesuffix(".staging")).exists():
            continue  # a release committed within the same second holds this name
        try:
            path.mkdir()
            (path / OWNER).write_text(str(os.getpid()), encoding="utf-8")
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot create a staging folder in {releases}")


OWNER = ".owner-pid"
"""A staging folder names the process building it, so a later build can tell an abandoned one."""


def _remove_abandoned_staging(releases: Path) -> None:
    for staging in releases.glob("*.staging"):
        try:
            pid: int | None = int((staging / OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # no owner yet: abandoned only if it is not brand new
            pid = None if time.time() - staging.stat().st_mtime > STAGING_GRACE_S else os.getpid()
        if pid is None or not _alive(pid):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discard_staging(staging: Path) -> None:
    """Remove a staging folder after a failed build; the current release is untouched."""
    shutil.rmtree(staging, ignore_errors=True)


def commit_release(build_dir: Path, staging: Path, keep: int = Settings.keep_releases) -> Release:
    """Make `staging` the current release atomically (symlink swap by rename), then prune old releases."""
    final = staging.with_name(staging.name.removesuffix(".staging"))
    (staging / OWNER).unlink(missing_ok=True)
    staging.rename(final)
    tmp_link = build_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(Path(RELEASES) / final.name)
    os.replace(tmp_link, build_dir / CURRENT)
    _prune(build_dir / RELEASES, final, keep)
    return Release(final)


def _prune(releases: Path, current: Path, keep: int) -> None:
    """Remove all but the `keep` newest releases (0: keep every release)."""
    if keep <= 0:
        return
    done = sorted(p for p in releases.iterdir() if not p.name.endswith(".staging"))
    for old in done[: max(0, len(done) - keep)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


class GraphStore:
    """Read access to the published graph. Without `default_graphs`, the default graph is the union of all graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        graph: bool | None = None,
        graph_iris: Iterable[str] | None = None,
    ) -> Result:
        """Run `sparql`; `graph` says whether it answers a graph (CONSTRUCT, DESCRIBE) when the caller knows (a
        remote store then asks for an RDF format, not a results format; None: either). `graph_iris` are the IRIs
        of its `GRAPH <iri>` patterns when it has no `GRAPH ?var` (a store that names a default graph for it names
        them as its named graphs, which is all such a query can see; see RemoteStore)."""
        raise NotImplementedError

    def select(self, sparql: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts of variable name → pyoxigraph term (unbound variables omitted)."""
        result = self.query(sparql, graph=False, **kwargs)
        assert isinstance(result, ox.QuerySolutions), "select() needs a SELECT query"
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def ask(self, sparql: str, **kwargs: Any) -> bool:
        return bool(self.query(sparql, graph=False, **kwargs))

    def triples(self, sparql: str, **kwargs: Any) -> list[ox.Triple]:
        """Triples of a CONSTRUCT or DESCRIBE."""
        return list(self.query(sparql, graph=True, **kwargs))  # type: ignore[arg-type]

    def close(self) -> None:
        """Release resources; the default does nothing."""


class EmbeddedStore(GraphStore):
    """A release's Oxigraph store opened read-only in this process.

    A release's store holds, besides its named graphs, a default graph with every triple of every graph once
    (`"default_graph": "merged"` in its manifest); queries without GRAPH read that. Releases built before it had
    no default graph: for them the default graph is the union of the named graphs (each triple once per graph)."""

    def __init__(self, path: Path, merged_default_graph: bool = True) -> None:
        self.path = path
        self.merged_default_graph = merged_default_graph
        self._store = ox.Store.read_only(str(path))

    def query(self, sparql, *, default_graphs=None, named_graphs=None, graph=None,  # type: ignore[no-untyped-def]
              graph_iris=None):
        kwargs: dict[str, Any] = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif not self.merged_default_graph:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)


STORE_RETRY_AFTER_S = 5
"""Seconds a client is told to wait (Retry-After) when the remote store does not answer."""


class StoreUnavailable(Exception):
    """The remote store cannot be reached (connection refused or reset, or it answers 502-504): a 503 with
    Retry-After, and the next request tries again, so the site recovers when the store is back."""

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(endpoint, reason)
        self.endpoint = endpoint
        self.reason = reason

    def __str__(self) -> str:
        return f"the store at {self.endpoint} does not answer ({self.reason}); try again shortly"


RESULTS_MEDIA_TYPE = "application/sparql-results+json"
"""What a remote store is asked for when its answer is solutions or a boolean (SELECT, ASK)."""
GRAPH_MEDIA_TYPES = "text/turtle, application/n-triples;q=0.95, application/rdf+xml;q=0.9"
"""What a remote store is asked for when its answer is a graph (CONSTRUCT, DESCRIBE): every server offers one."""


class RemoteStore(GraphStore):
    """A SPARQL 1.1 Protocol endpoint serving the published graph. `timeout_s` bounds the wait for one answer
    (setting `store_timeout_s`); user queries also stop at their time limit, whichever comes first.

    The endpoint's default graph must be every triple of every graph once, or `default_graph` names the graph of
    the store that is (sent as `default-graph-uri` when a query names no dataset, with the query's `graph_iris`
    as `named-graph-uri`: Virtuoso, given a default graph, finds nothing in `GRAPH <iri>` unless it is also named),
    and `prologue` is text the store's dialect needs before each query (app/virtuoso.py: its graph exclusions)."""

    def __init__(self, endpoint: str, timeout_s: float = Settings.store_timeout_s,
                 default_graph: str | None = None, prologue: str = "") -> None:
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.default_graph = default_graph
        self.prologue = prologue

    def query(self, sparql, *, default_graphs=None, named_graphs=None, graph=None,  # type: ignore[no-untyped-def]
              graph_iris=None):
        if not default_graphs and not named_graphs and self.default_graph:
            default_graphs, named_graphs = [self.default_graph], graph_iris
        params: list[tuple[str, str]] = [("query", self.prologue + sparql)]
        params += [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": GRAPH_MEDIA_TYPES if graph else RESULTS_MEDIA_TYPE if graph is False
                else f"{RESULTS_MEDIA_TYPE}, {GRAPH_MEDIA_TYPES}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (configured)
                body = response.read()
                media_type = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            if exc.code in (502, 503, 504):
                raise StoreUnavailable(self.endpoint, f"HTTP {exc.code}") from None
            raise
        except (ConnectionError, urllib.error.URLError) as exc:  # not a read timeout: that is a slow answer
            reason = getattr(exc, "reason", exc)
            raise StoreUnavailable(self.endpoint, type(reason).__name__ if isinstance(reason, Exception)
                                   else str(reason)) from None
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is not None:
            return iter(ox.parse(body, format=rdf_format))
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if results_format == ox.QueryResultsFormat.JSON and b'"bnode"' in body:
            body = _blank_node_labels(body)
        return ox.parse_query_results(body, format=results_format)


BLANK_LABEL_CHARACTERS = re.compile(r"[^A-Za-z0-9_]")
"""What a blank node label in SPARQL results may not hold (Virtuoso sends labels like `nodeID://b10006`)."""


def _blank_node_labels(body: bytes) -> bytes:
    """SPARQL JSON results with every blank node label made a valid one (the same label for the same node)."""
    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", ()):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + BLANK_LABEL_CHARACTERS.sub("_", term["value"])
    return json.dumps(document).encode()


def open_release_store(release: Release) -> GraphStore:
    """`release`'s embedded store, read-only."""
    return EmbeddedStore(release.store_path, release.manifest.get("default_graph") == "merged")


def open_remote_store(settings: Settings) -> GraphStore:
    """The remote endpoint `store_endpoint` names."""
    assert settings.store_endpoint, "no store_endpoint is set"
    if settings.store_dialect == "virtuoso":
        from app.virtuoso import dataset

        return RemoteStore(settings.store_endpoint, settings.store_timeout_s, *dataset(settings.base_iri))
    return RemoteStore(settings.store_endpoint, settings.store_timeout_s)


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: a remote endpoint if `store_endpoint` is set, else the current release."""
    if settings.store_endpoint:
        return open_remote_store(settings)
    release = current_release(settings.build_dir)
    if release is None:
        raise FileNotFoundError(f"nothing is published in {settings.build_dir}; run `defcoop build` first")
    return open_release_store(release)
