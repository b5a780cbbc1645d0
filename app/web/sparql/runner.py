"""Runs one checked user query against a store and serialises its answer, capped at `sparql_max_rows`.

This runs inside a query worker (pool.py), which alone enforces the time limit. `execute()` checks the query
(guard.py), picks the answer format the query's form offers, runs it, keeps at most `max_rows` rows (SELECT) or
triples (CONSTRUCT/DESCRIBE) and serialises them (renderers.py); `Answer.truncated` is then True,
which the route turns into `X-DefCoop-Truncated: true` (and renderers.py into a marker in JSON/XML bodies).
`failure()` turns whatever went wrong into the HTTPError the worker sends back instead of an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

from app.store import GraphStore, StoreUnavailable
from app.vocab import PREFIXES
from app.web.errors import HTTPError, unavailable
from app.web.renderers import (
    N_QUADS,
    N_TRIPLES,
    NATIVE_FORMATS,
    RDF_FORMATS,
    RESULTS_FORMATS,
    TRIG,
    TURTLE,
    Format,
    choose,
    lookup,
    native_solutions,
    write_boolean,
    write_graph,
    write_solutions,
)
from app.web.sparql.guard import check_graph, prepare


@dataclass(frozen=True)
class Job:
    """What a worker needs to answer one request (pickled through a pipe)."""

    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    accept: str | None
    format: str | None
    max_rows: int
    allowed_services: tuple[str, ...]
    release_id: str | None


PAGE_MODELS = "app.web.queries."
"""The only module a page model a worker computes may come from."""


@dataclass(frozen=True)
class PageQuery:
    """One query of a page (app/web/queries), run in a worker so that it, too, stops at the time limit: `kind` is
    `select`, `ask` or `triples` (the GraphStore method), `options` its keyword arguments."""

    query: str
    kind: str
    options: tuple[tuple[str, Any], ...]
    release_id: str | None
    function: Callable[..., Any] | None = None
    """For `kind` "model": a function of app/web/queries, called as `function(store, *args, **options)` in the
    worker, so a whole page model costs one round trip to a worker instead of one per query."""
    args: tuple[Any, ...] = ()


def run_page_query(store: GraphStore, job: PageQuery) -> Any:
    """A page query's plain answer (rows of terms, a boolean, triples), which pickles back to the web process."""
    if job.kind == "model" and job.function is not None:
        if not job.function.__module__.startswith(PAGE_MODELS):
            raise HTTPError(500, f"{job.function.__qualname__} is not a page query of {PAGE_MODELS}")
        return job.function(store, *job.args, **dict(job.options))
    if job.kind not in ("select", "ask", "triples"):
        raise HTTPError(500, f"unknown page query kind {job.kind!r}")
    return getattr(store, job.kind)(job.query, **dict(job.options))


@dataclass(frozen=True)
class Answer:
    """A serialised result: `body` in format `format_name`; `truncated` when rows were left off at `max_rows`."""

    body: bytes
    format_name: str
    truncated: bool
    count: int
    max_rows: int

    @property
    def format(self) -> Format:
        fmt = lookup(self.format_name)
        assert fmt is not None
        return fmt


def offered_formats(form: str) -> tuple[Format, ...]:
    """The formats a query of `form` (SELECT, ASK, CONSTRUCT, DESCRIBE) can be answered in."""
    return RESULTS_FORMATS if form in ("SELECT", "ASK") else RDF_FORMATS


def failure(exc: Exception) -> HTTPError:
    """What the client is told when answering a job raised `exc`."""
    if isinstance(exc, HTTPError):
        return exc
    if isinstance(exc, StoreUnavailable):
        return unavailable(exc)
    if isinstance(exc, OSError):  # the remote side's words are not passed on (no probing oracle)
        return HTTPError(502, f"a request to another server failed ({type(exc).__name__})")
    return HTTPError(500, f"the query failed: {type(exc).__name__}: {exc}")


def execute(store: GraphStore, job: Job) -> Answer:
    """Check, run and serialise one query."""
    prepared = prepare(job.query, job.allowed_services)
    try:
        fmt = choose(offered_formats(prepared.form), job.accept, job.format)
    except HTTPError as exc:
        raise HTTPError(exc.status, f"{exc.message} ({prepared.form} query)") from None
    if job.default_graphs or job.named_graphs:  # the protocol's dataset replaces the query's
        default_graphs, named_graphs = job.default_graphs, job.named_graphs
    else:
        default_graphs, named_graphs = prepared.default_graphs, prepared.named_graphs
    for graph in (*default_graphs, *named_graphs):
        check_graph(store, graph)

    def run() -> Any:
        return store.query(prepared.text, default_graphs=default_graphs or None, named_graphs=named_graphs or None,
                           graph=prepared.form in ("CONSTRUCT", "DESCRIBE"), graph_iris=prepared.graph_iris)

    try:
        return _serialise(run(), fmt, job.max_rows, run)
    except SyntaxError as exc:
        raise HTTPError(400, f"SPARQL syntax error: {exc}") from None


def _serialise(result: Any, fmt: Format, max_rows: int, run: Callable[[], Any]) -> Answer:
    """`result` in `fmt`, capped at `max_rows`; `run` runs the query again (for an answer too large to write whole)."""
    if isinstance(result, ox.QueryBoolean):
        return Answer(write_boolean(fmt, bool(result)), fmt.name, False, 1, max_rows)
    if isinstance(result, ox.QuerySolutions):
        if fmt in NATIVE_FORMATS:  # Oxigraph writes it; only an answer over the cap is written again, capped
            written = native_solutions(fmt, result, max_rows)
            if written is not None and written[1] <= max_rows:
                return Answer(written[0], fmt.name, False, written[1], max_rows)
            assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
            result = run() if written is None else ox.parse_query_results(written[0], format=fmt.oxigraph)
        return _capped_solutions(result, fmt, max_rows)
    return _capped_triples(result, fmt, max_rows)


def _capped_solutions(result: ox.QuerySolutions, fmt: Format, max_rows: int) -> Answer:
    names = [v.value for v in result.variables]
    rows = [list(solution) for solution in islice(result, max_rows + 1)]  # its values, in the variables' order
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    body = write_solutions(fmt, names, rows, max_rows if truncated else None)
    return Answer(body, fmt.name, truncated, len(rows), max_rows)


def _capped_triples(result: Any, fmt: Format, max_rows: int) -> Answer:
    triples = list(islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    body = write_graph(fmt, triples, PREFIXES)
    if truncated and fmt in (TURTLE, N_TRIPLES, TRIG, N_QUADS):
        body = f"# truncated: only the first {max_rows} triples (setting sparql_max_rows)\n".encode() + body
    return Answer(body, fmt.name, truncated, len(triples), max_rows)
