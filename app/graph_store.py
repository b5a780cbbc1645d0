"""How the published graph is read: a `GraphStore`, embedded (a release's Oxigraph store opened read-only, the
default) or remote (any SPARQL 1.1 endpoint: `oxigraph serve`, Virtuoso). Both return pyoxigraph result objects,
so callers never care which. app/store.py opens the right one for a release or the settings.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from app.config import Settings

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]


class GraphStore:
    """Read access to the published graph. Without `default_graphs`, the default graph is the union of all graphs.

    `release_dir` is the folder of the release the store serves, when known: page queries read the release's indexes
    from it (app/events.py)."""

    release_dir: Path | None = None

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
        # a solution iterates its values in the variables' order: a third cheaper than looking each up by name
        return [{n: term for n, term in zip(names, row, strict=True) if term is not None} for row in result]

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
