"""User queries for one app: `SparqlService` holds the limits and the worker pool; `init_app` wires it into Flask.

`SparqlService.answer()` applies the settings (`sparql_time_limit_s`, lowered by a client's `timeout`;
`sparql_max_rows`; `sparql_allowed_services`), hands the query to the pool, and turns the pool's refusals into
the client's 503, naming the setting that was reached.

Pages read through `PageStore`, a GraphStore whose every query runs in the same workers: all the queries of one
request share one deadline, `sparql_time_limit_s` from its first query, and a page over it answers 503 naming the
setting, as /sparql does (pyoxigraph's `Store.query` cannot be stopped in the web process; a worker can be killed).
They run in a pool of their own (`page_threads` workers), so a page never waits behind a user's long query.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from flask import Flask, current_app

from app.config import Settings
from app.store import GraphStore, Release
from app.web.errors import HTTPError, nothing_published
from app.web.sparql.pool import PoolFull, QueryTimeout, WorkerPool
from app.web.sparql.runner import Answer, Job, PageQuery

T = TypeVar("T")

EXTENSION = "defcoop.sparql"
"""Where `init_app` keeps the app's SparqlService (in `app.extensions`)."""


class SparqlService:
    """User queries for one app: the settings that limit them and the pool that runs them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = WorkerPool(settings, settings.sparql_workers)
        self.page_pool = WorkerPool(settings, settings.page_threads,
                                    max_waiting=settings.sparql_workers + settings.sparql_max_waiting)
        """Pages' queries have workers of their own, one per page thread (user queries never hold them) and never
        refuse a page: every other thread of the process may wait for one."""

    def answer(
        self,
        query: str,
        *,
        release: Release | None,
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
        answer: Answer = self._run(job, limit, limit, timeout_s)
        return answer

    def _run(self, job: Job | PageQuery, remaining: float, limit: float, requested: float | None) -> Any:
        """The pool's answer to `job` within `remaining` seconds; its refusals as 503s naming the setting."""
        pool = self.page_pool if isinstance(job, PageQuery) else self.pool
        try:
            return pool.run(job, remaining)
        except QueryTimeout as exc:
            raise HTTPError(503, self._timeout_message(limit, requested, exc.waited, pool is self.page_pool)) from None
        except PoolFull:
            raise HTTPError(
                503, f"the endpoint is busy: all sparql_workers = {self.pool.size} are running queries and "
                f"sparql_max_waiting = {self.settings.sparql_max_waiting} more are waiting; try again shortly",
                retry_after=max(1, round(limit))) from None

    def page_store(self, release: Release | None) -> GraphStore:
        """A store for one request's page queries on `release` (see the module)."""
        return PageStore(self, release.id if release else None)

    def _timeout_message(self, limit: float, requested: float | None, waited: bool, page: bool = False) -> str:
        setting = f"setting sparql_time_limit_s = {self.settings.sparql_time_limit_s:g} s"
        if requested is not None and requested < self.settings.sparql_time_limit_s:
            setting = f"timeout={requested:g} requested; {setting}"
        workers = f"page_threads = {self.page_pool.size} page query workers" if page else \
            f"sparql_workers = {self.pool.size}"
        if waited:
            return (
                f"no query worker became free within the time limit of {limit:g} s ({setting}; "
                f"all {workers} are busy); try again later"
            )
        if page:
            return f"the page's queries exceeded the time limit of {limit:g} s ({setting}) and were stopped"
        return f"the query exceeded the time limit of {limit:g} s ({setting}) and was stopped"

    def close(self) -> None:
        self.pool.close()
        self.page_pool.close()


class PageStore(GraphStore):
    """The GraphStore pages read: each query runs in a query worker, all of them within `sparql_time_limit_s` from
    the request's first query. One per request."""

    def __init__(self, service: SparqlService, release_id: str | None) -> None:
        self.service = service
        self.release_id = release_id
        self.deadline: float | None = None

    def _ask_worker(self, sparql: str, kind: str, options: dict[str, Any]) -> Any:
        limit = self.service.settings.sparql_time_limit_s
        now = time.monotonic()
        if self.deadline is None:
            self.deadline = now + limit
        job = PageQuery(sparql, kind, tuple(sorted(options.items())), self.release_id)
        return self.service._run(job, max(0.0, self.deadline - now), limit, None)

    def select(self, sparql: str, **kwargs: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._ask_worker(sparql, "select", kwargs)
        return rows

    def model(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(store, *args, **kwargs)` (a function of app/web/queries) computed in one query worker, within
        the same deadline as the request's other queries."""
        limit = self.service.settings.sparql_time_limit_s
        now = time.monotonic()
        if self.deadline is None:
            self.deadline = now + limit
        job = PageQuery("", "model", tuple(sorted(kwargs.items())), self.release_id, function, args)
        found: T = self.service._run(job, max(0.0, self.deadline - now), limit, None)
        return found

    def ask(self, sparql: str, **kwargs: Any) -> bool:
        return bool(self._ask_worker(sparql, "ask", kwargs))

    def triples(self, sparql: str, **kwargs: Any) -> list[Any]:
        found: list[Any] = self._ask_worker(sparql, "triples", kwargs)
        return found

    def query(self, sparql, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("pages read through select(), ask() or triples(): their answers come back from a worker")


def init_app(app: Flask) -> None:
    """Give `app` a SparqlService (its workers start on the first query)."""
    app.extensions[EXTENSION] = SparqlService(app.extensions["defcoop"])
    weakref.finalize(app, app.extensions[EXTENSION].close)


def service() -> SparqlService:
    """The SparqlService of the current app."""
    return current_app.extensions[EXTENSION]
