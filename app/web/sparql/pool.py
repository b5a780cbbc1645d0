"""Worker processes that run user queries, so a query over its time limit can be killed.

pyoxigraph's `Store.query` cannot be interrupted and sends HTTP requests for SERVICE, so a user query never runs
in the web process. `WorkerPool` keeps `sparql_workers` spawned processes, each with the store opened read-only
once (reopened when a new release is published). A new worker says READY once it has started; that start-up is
not charged to the query waiting for it. A request waits for a free worker, sends the job through a pipe and waits
for the answer until the deadline; waiting for a worker counts. At the deadline the worker is killed and replaced
(QueryTimeout). Beyond `sparql_max_waiting` waiting queries, PoolFull turns a query away at once. With the
embedded store and no allowed SERVICE endpoints, each worker first moves into a network namespace of its own.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from app.config import Settings
from app.store import GraphStore, current_release, open_release_store, open_remote_store, release_named
from app.web.errors import HTTPError, nothing_published
from app.web.sparql.guard import prepare
from app.web.sparql.runner import Job, PageQuery, execute, failure, run_page_query

log = logging.getLogger(__name__)

READY = "ready"
"""What a worker sends once it has started, before its first query."""
WORKER_START_S = 30.0
"""Longest a new worker may take to start (spawn, imports, opening the store); its start-up is not charged to the
query that waits for it."""
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


def _open(settings: Settings, release_id: str | None = None) -> tuple[GraphStore | None, str | None]:
    """The store of release `release_id` (the request's), else of the current release; and the release's id."""
    if release_id is not None:
        release = release_named(settings.build_dir, release_id)
    else:
        release = current_release(settings.build_dir)  # read once: the store opened is the release named
    if settings.store_endpoint:
        store = open_remote_store(settings)
        store.release_dir = release.path if release else None  # the remote store holds the release published last
        return store, release.id if release else None
    return (open_release_store(release), release.id) if release else (None, None)


def _exit_with_parent() -> None:
    """Stop this worker when the web process is gone (even killed), instead of finishing a runaway query."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


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
            job: Job | PageQuery = conn.recv()
        except (EOFError, OSError):
            return
        reply: Any
        try:
            if store is None or job.release_id != opened_for:
                if store is not None:
                    store.close()
                store, opened_for = _open(settings, job.release_id)
            if store is None and job.release_id is not None:
                raise HTTPError(503, "the release this request began on has been replaced; try again",
                                retry_after=1)
            if store is None:
                raise nothing_published()
            reply = run_page_query(store, job) if isinstance(job, PageQuery) else execute(store, job)
        except Exception as exc:
            reply = failure(exc)
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any, settings: Settings) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, settings), daemon=True, name="defcoop-sparql-worker"
        )
        self.process.start()
        child.close()
        self.started = False
        self._starting = threading.Lock()  # the pool's warm-up and a request may wait for the same worker

    def wait_started(self) -> bool:
        """Whether the worker has started (waiting up to WORKER_START_S for it); False if it died starting."""
        with self._starting:
            try:
                if not self.started and self.conn.poll(WORKER_START_S):
                    self.started = self.conn.recv() == READY
            except (EOFError, OSError):
                return False
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

    def __init__(self, settings: Settings, size: int, max_waiting: int | None = None) -> None:
        self.settings = settings
        self.size = max(1, size)
        waiting = settings.sparql_max_waiting if max_waiting is None else max_waiting
        self._admitted = threading.BoundedSemaphore(self.size + max(0, waiting))
        self._context = multiprocessing.get_context("spawn")
        # last in, first out: the worker that answered last takes the next query, so requests one after another
        # meet a worker whose caches are warm (a country's page took 170 ms on a worker that had not shown it and
        # 95 ms on one that had; in turn, four page workers each met it cold)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
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

    def warm(self) -> bool:
        """Start the workers and wait until each has opened the store (up to WORKER_START_S each), so that no
        request waits for a process to start; True if all of them started."""
        self.start()
        with self._lock:
            workers = list(self._workers)
        return all([worker.wait_started() for worker in workers])

    def run(self, job: Job | PageQuery, time_limit_s: float) -> Any:
        """The worker's answer to `job`, within `time_limit_s` seconds counted from now (waiting included)."""
        if not self._admitted.acquire(blocking=False):
            raise PoolFull()
        try:
            return self._run(job, time.monotonic() + time_limit_s)
        finally:
            self._admitted.release()

    def _run(self, job: Job | PageQuery, deadline: float) -> Any:
        self.start()
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(waited=True) from None
        healthy = False
        try:
            if time.monotonic() >= deadline:  # a worker was free, but the limit is up before the query is sent
                healthy = True  # nothing was sent
                raise QueryTimeout(waited=False)
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
