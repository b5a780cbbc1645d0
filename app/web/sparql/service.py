"""User queries for one app: `SparqlService` holds the limits and the worker pool; `init_app` wires it into Flask.

`SparqlService.answer()` applies the settings (`sparql_time_limit_s`, lowered by a client's `timeout`;
`sparql_max_rows`; `sparql_allowed_services`), hands the query to the pool, and turns the pool's refusals into
the client's 503, naming the setting that was reached.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection

from flask import Flask, current_app

from app.config import Settings
from app.store import Release
from app.web.errors import HTTPError, nothing_published
from app.web.sparql.pool import PoolFull, QueryTimeout, WorkerPool
from app.web.sparql.runner import Answer, Job

EXTENSION = "defcoop.sparql"
"""Where `init_app` keeps the app's SparqlService (in `app.extensions`)."""


class SparqlService:
    """User queries for one app: the settings that limit them and the pool that runs them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = WorkerPool(settings, settings.sparql_workers)

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
    app.extensions[EXTENSION] = SparqlService(app.extensions["defcoop"])
    weakref.finalize(app, app.extensions[EXTENSION].close)


def service() -> SparqlService:
    """The SparqlService of the current app."""
    return current_app.extensions[EXTENSION]
