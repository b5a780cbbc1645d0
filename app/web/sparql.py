"""Runs user SPARQL queries under limits, in worker processes that can be killed.

pyoxigraph's `Store.query` cannot be interrupted and sends HTTP requests for SERVICE, so a user
query never runs in the web process:

* `prepare()` parses the query with rdflib and checks its algebra (not its text, so comments and
  strings cannot fool it): SPARQL Update is refused (403); SERVICE is refused (400) unless its IRI
  is in `sparql_allowed_services`; FROM / FROM NAMED become the query's dataset and must name
  graphs of the store (400 otherwise). A query rdflib cannot parse is refused with its message,
  even if Oxigraph might accept it: what cannot be checked does not run.
* `WorkerPool` keeps `sparql_workers` spawned processes, each with the store opened read-only once.
  A request waits for a free worker, sends the job through a pipe and waits for the answer until the
  deadline (`sparql_time_limit_s`, or less if the client asks via `timeout`); waiting for a worker
  counts. At the deadline the worker is killed and replaced and the client gets 503 naming the setting.
* `execute()` (in the worker) runs the query, keeps at most `sparql_max_rows` rows (SELECT) or
  triples (CONSTRUCT/DESCRIBE) and serialises them; `Answer.truncated` is then True, which the
  route turns into `X-DefCoop-Truncated: true` (and `results.py` into a marker in JSON/XML bodies).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import threading
import time
import weakref
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app
from pyparsing import ParseResults
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue

from app.config import Settings
from app.store import GraphStore, current_release, open_store
from app.vocab import PREFIXES, SD, VOID
from app.web import results
from app.web.errors import HTTPError, nothing_published
from app.web.formats import N_QUADS, N_TRIPLES, RDF_FORMATS, RESULTS_FORMATS, TRIG, TURTLE, Format, choose, lookup

log = logging.getLogger(__name__)
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class Prepared:
    """A query that passed the checks: its form and the dataset its FROM / FROM NAMED clauses name."""

    text: str
    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def offered_formats(self) -> tuple[Format, ...]:
        return RESULTS_FORMATS if self.form in ("SELECT", "ASK") else RDF_FORMATS


def normalise(text: str) -> str:
    """The query exactly as both parsers will read it, so the checked text is the executed text.

    rdflib (the checker) and Oxigraph (the executor) differ in two lexical details: Oxigraph ends a `#` comment at
    a bare carriage return, rdflib only at a line feed; rdflib expands `\\uXXXX` codepoint escapes everywhere (as
    the SPARQL grammar says), Oxigraph only inside strings and IRIs. Escapes are expanded here, once (a query that
    still holds an escape after that, a doubly escaped one, is refused); then line ends become line feeds, so an
    escaped carriage return (`\\u000D`) cannot end a comment for one parser only.
    """
    try:
        expanded = parser.expandUnicodeEscapes(text)
        again = parser.expandUnicodeEscapes(expanded)
    except ValueError as exc:
        raise HTTPError(400, f"SPARQL syntax error: {exc}") from None
    if again != expanded:
        raise HTTPError(400, "doubly escaped \\u / \\U codepoint escapes are not accepted")
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


def prepare(text: str, allowed_services: Collection[str] = ()) -> Prepared:
    """Parse `text` and check it is a read-only query that reaches no other server (see the module docstring).

    `Prepared.text` is the normalised query (see `normalise`): run that, never the original.
    """
    text = normalise(text)
    if not text.strip():
        raise HTTPError(400, "the query is empty")
    try:
        query = algebra.translateQuery(parser.parseQuery(text))
    except Exception as exc:  # rdflib raises ParseException, plain Exception (unknown prefix), …
        if _is_update(text):
            raise HTTPError(403, "this endpoint is read-only: SPARQL Update is not accepted") from None
        raise HTTPError(400, f"SPARQL syntax error: {exc}") from None
    form = FORMS.get(query.algebra.name)
    if form is None:
        raise HTTPError(400, f"unsupported query form {query.algebra.name}")
    for node in _nodes(query.algebra):
        if node.name == "ServiceGraphPattern":
            term = dict.get(node, "term")
            if not isinstance(term, URIRef) or str(term) not in allowed_services:
                shown = f"<{term}>" if isinstance(term, URIRef) else f"?{term}"
                raise HTTPError(
                    400,
                    f"SERVICE {shown} is not allowed: this endpoint does not query other servers "
                    "(setting sparql_allowed_services)",
                )
    default_graphs: list[str] = []
    named_graphs: list[str] = []
    # (CompValue.get returns the key itself when it is missing, hence dict.get)
    for clause in dict.get(query.algebra, "datasetClause") or ():
        if dict.get(clause, "default") is not None:
            default_graphs.append(str(dict.get(clause, "default")))
        else:
            named_graphs.append(str(dict.get(clause, "named")))
    return Prepared(text, form, tuple(default_graphs), tuple(named_graphs))


def _is_update(text: str) -> bool:
    try:
        return bool(dict.get(parser.parseUpdate(text), "request"))
    except Exception:
        return False


def _nodes(root: Any) -> Iterator[CompValue]:
    """Every algebra node under `root`, including those inside sub-queries and EXISTS expressions."""
    stack, seen = [root], set()
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield item
            stack.extend(dict.values(item))
        elif isinstance(item, list | tuple | set | frozenset | ParseResults):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


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


def execute(store: GraphStore, job: Job) -> Answer:
    """Check, run and serialise one query (in a worker process)."""
    prepared = prepare(job.query, job.allowed_services)
    try:
        fmt = choose(prepared.offered_formats, job.accept, job.format)
    except HTTPError as exc:
        raise HTTPError(exc.status, f"{exc.message} ({prepared.form} query)") from None
    if job.default_graphs or job.named_graphs:  # the protocol's dataset replaces the query's
        default_graphs, named_graphs = job.default_graphs, job.named_graphs
    else:
        default_graphs, named_graphs = prepared.default_graphs, prepared.named_graphs
    for graph in (*default_graphs, *named_graphs):
        _check_graph(store, graph)
    try:
        result = store.query(prepared.text, default_graphs=default_graphs or None,
                             named_graphs=named_graphs or None)
        return _serialise(result, fmt, job.max_rows)
    except SyntaxError as exc:
        raise HTTPError(400, f"SPARQL syntax error: {exc}") from None


def _check_graph(store: GraphStore, graph: str) -> None:
    try:
        node = ox.NamedNode(graph)
    except ValueError:
        raise HTTPError(400, f"graph name {graph!r} is not an absolute IRI") from None
    if not store.ask(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}"):
        raise HTTPError(
            400, f"{node} is not a graph of this dataset; FROM, FROM NAMED, default-graph-uri and "
            "named-graph-uri may only name graphs of the store (nothing is fetched from elsewhere)"
        )


def _serialise(result: Any, fmt: Format, max_rows: int) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return Answer(results.write_boolean(fmt, bool(result)), fmt.name, False, 1, max_rows)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [[solution[name] for name in names] for solution in islice(result, max_rows + 1)]
        truncated = len(rows) > max_rows
        rows = rows[:max_rows]
        body = results.write_solutions(fmt, names, rows, max_rows if truncated else None)
        return Answer(body, fmt.name, truncated, len(rows), max_rows)
    triples = list(islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    assert isinstance(fmt.oxigraph, ox.RdfFormat)
    body = ox.serialize(triples, format=fmt.oxigraph, prefixes=PREFIXES if fmt in (TURTLE, TRIG) else None)
    if truncated and fmt in (TURTLE, N_TRIPLES, TRIG, N_QUADS):
        body = f"# truncated: only the first {max_rows} triples (setting sparql_max_rows)\n".encode() + body
    return Answer(body, fmt.name, truncated, len(triples), max_rows)


# --- worker processes -------------------------------------------------------------------------------


def _open(settings: Settings) -> tuple[GraphStore | None, str | None]:
    release = current_release(settings.build_dir)
    try:
        return open_store(settings), release.id if release else None
    except FileNotFoundError:
        return None, None


def _exit_with_parent() -> None:
    """Stop this worker when the web process is gone (even killed), instead of finishing a runaway query."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def isolate_network() -> bool:
    """Move this process into a network namespace of its own (no interfaces up), so that nothing it runs can
    reach another host or a loopback service, whatever the query checks missed. True if that worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return any(libc.unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET))
    except (OSError, AttributeError):
        return False


def _worker_main(conn: Connection, settings: Settings) -> None:
    """A query worker: open the store once, answer jobs from `conn` until it closes; reopen on a new release.

    With the embedded store and no allowed SERVICE endpoints, the worker first cuts itself off the network.
    """
    if settings.store_endpoint is None and not settings.sparql_allowed_services and not isolate_network():
        log.warning("query workers could not be isolated from the network (unshare failed); relying on the "
                    "query checks alone to stop outbound requests")
    _exit_with_parent()
    store, opened_for = _open(settings)
    prepare("ASK {}")  # warm the parser before the first real query
    conn.send(READY)
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        reply: Answer | HTTPError
        try:
            if store is None or job.release_id != opened_for:
                if store is not None:
                    store.close()
                store, opened_for = _open(settings)
            if store is None:
                raise nothing_published()
            reply = execute(store, job)
        except HTTPError as exc:
            reply = exc
        except OSError as exc:  # the remote side's words are not passed on (no probing oracle)
            reply = HTTPError(502, f"a request to another server failed ({type(exc).__name__})")
        except Exception as exc:
            reply = HTTPError(500, f"the query failed: {type(exc).__name__}: {exc}")
        conn.send(reply)


READY = "ready"
"""What a worker sends once it has started, before its first query."""
WORKER_START_S = 30.0
"""Longest a new worker may take to start (spawn, imports, opening the store); its start-up is not charged to the
query that waits for it."""


class _Worker:
    def __init__(self, context: Any, settings: Settings) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, settings), daemon=True, name="defcoop-sparql-worker"
        )
        self.process.start()
        child.close()
        self.started = False

    def wait_started(self) -> bool:
        """Whether the worker has started (waiting up to WORKER_START_S for it)."""
        if not self.started and self.conn.poll(WORKER_START_S):
            self.started = self.conn.recv() == READY
        return self.started

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryTimeout(Exception):
    """The deadline passed; `waited` is True if no worker became free before it."""

    def __init__(self, waited: bool) -> None:
        super().__init__(waited)
        self.waited = waited


class PoolFull(Exception):
    """Every worker is busy and `sparql_max_waiting` queries already wait for one."""


class WorkerPool:
    """`size` spawned worker processes; a worker that overruns its deadline is killed and replaced.

    At most `size + max_waiting` queries are admitted at once; the rest are turned away at once (PoolFull), so
    queries never tie up all of the web server's threads.
    """

    def __init__(self, settings: Settings, size: int) -> None:
        self.settings = settings
        self.size = max(1, size)
        self._admitted = threading.BoundedSemaphore(self.size + max(0, settings.sparql_max_waiting))
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.settings)
        self._workers.add(worker)
        return worker

    def start(self) -> None:
        """Start the workers (done on first use; call early to have them warm)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the query worker pool is closed")
            while len(self._workers) < self.size:
                self._idle.put(self._spawn())

    def run(self, job: Job, time_limit_s: float) -> Answer:
        """The worker's answer to `job`, within `time_limit_s` seconds counted from now (waiting included)."""
        if not self._admitted.acquire(blocking=False):
            raise PoolFull()
        try:
            return self._run(job, time.monotonic() + time_limit_s)
        finally:
            self._admitted.release()

    def _run(self, job: Job, deadline: float) -> Answer:
        self.start()
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(waited=True) from None
        healthy = False
        try:
            if time.monotonic() >= deadline:
                healthy = True  # nothing was sent
                raise QueryTimeout(waited=True)
            if not worker.started:  # a new worker: its start-up is not the query's time
                remaining = deadline - time.monotonic()
                if not worker.wait_started():
                    raise HTTPError(503, "a query worker did not start; try again shortly", retry_after=5)
                deadline = time.monotonic() + remaining
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise QueryTimeout(waited=False)
            reply = worker.conn.recv()
            healthy = True
        except (EOFError, OSError) as exc:
            raise HTTPError(500, f"the query worker stopped unexpectedly ({exc!r}); try again") from None
        finally:
            self._give_back(worker, healthy)
        if isinstance(reply, HTTPError):
            raise reply
        return reply

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        with self._lock:
            if healthy and not self._closed:
                self._idle.put(worker)
                return
            self._workers.discard(worker)
            log.warning("stopping query worker %s (over its deadline or broken)", worker.process.pid)
            worker.stop()
            if not self._closed:
                self._idle.put(self._spawn())

    def close(self) -> None:
        """Kill every worker; the pool cannot be used afterwards."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
        for worker in workers:
            worker.stop()


class SparqlService:
    """User queries for one app: the settings that limit them and the pool that runs them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = WorkerPool(settings, settings.sparql_workers)

    def answer(
        self,
        query: str,
        *,
        default_graphs: Collection[str] = (),
        named_graphs: Collection[str] = (),
        accept: str | None = None,
        format: str | None = None,
        timeout_s: float | None = None,
    ) -> Answer:
        """Run `query` under the limits; raise HTTPError (with the HTTP status) when it is refused or fails."""
        settings = self.settings
        limit = settings.sparql_time_limit_s
        if timeout_s is not None:
            if not timeout_s > 0:
                raise HTTPError(400, f"timeout must be a positive number of seconds, not {timeout_s}")
            limit = min(limit, timeout_s)
        release = current_release(settings.build_dir)
        if release is None and not settings.store_endpoint:
            raise nothing_published()
        job = Job(
            query=query,
            default_graphs=tuple(default_graphs),
            named_graphs=tuple(named_graphs),
            accept=accept,
            format=format,
            max_rows=settings.sparql_max_rows,
            allowed_services=tuple(settings.sparql_allowed_services),
            release_id=release.id if release else None,
        )
        try:
            return self.pool.run(job, limit)
        except QueryTimeout as exc:
            raise HTTPError(503, self._timeout_message(limit, timeout_s, exc.waited)) from None
        except PoolFull:
            raise HTTPError(
                503, f"the endpoint is busy: all sparql_workers = {self.pool.size} are running queries and "
                f"sparql_max_waiting = {settings.sparql_max_waiting} more are waiting; try again shortly",
                retry_after=max(1, round(limit))) from None

    def _timeout_message(self, limit: float, requested: float | None, waited: bool) -> str:
        setting = f"setting sparql_time_limit_s = {self.settings.sparql_time_limit_s:g} s"
        if requested is not None and requested < self.settings.sparql_time_limit_s:
            setting = f"timeout={requested:g} requested; {setting}"
        if waited:
            return (
                f"no query worker became free within the time limit of {limit:g} s ({setting}; "
                f"all sparql_workers = {self.pool.size} are busy); try again later"
            )
        return f"the query exceeded the time limit of {limit:g} s ({setting}) and was stopped"

    def close(self) -> None:
        self.pool.close()


def init_app(app: Flask) -> None:
    """Give `app` a SparqlService (its workers start on the first query)."""
    app.extensions["defcoop.sparql"] = SparqlService(app.extensions["defcoop"])
    weakref.finalize(app, app.extensions["defcoop.sparql"].close)


def service() -> SparqlService:
    """The SparqlService of the current app."""
    return current_app.extensions["defcoop.sparql"]


def service_description(settings: Settings, endpoint: str) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint at `endpoint`, with the current release's size."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    node, dataset, default_graph = BNode(), BNode(), BNode()
    graph.add((node, RDF.type, SD.Service))
    graph.add((node, SD.endpoint, URIRef(endpoint)))
    graph.add((node, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((node, SD.feature, SD.UnionDefaultGraph))
    for fmt in (*RESULTS_FORMATS, *RDF_FORMATS):
        graph.add((node, SD.resultFormat, URIRef(str(fmt.w3c))))
    limits = (
        f"Read-only SPARQL 1.1 Query endpoint of DefCoop. Queries stop after sparql_time_limit_s = "
        f"{settings.sparql_time_limit_s:g} s (HTTP 503); results keep at most sparql_max_rows = "
        f"{settings.sparql_max_rows} rows or triples (header X-DefCoop-Truncated: true when rows were left off). "
        "SERVICE only for the IRIs in sparql_allowed_services; FROM / FROM NAMED only for graphs of the store."
    )
    graph.add((node, RDFS.comment, Literal(limits, lang="en")))
    graph.add((node, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    release = current_release(settings.build_dir)
    if release is not None:
        triples = release.manifest.get("triples")
        if isinstance(triples, int):
            graph.add((default_graph, VOID.triples, Literal(triples)))
    return graph
