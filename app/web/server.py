"""Serve the web app with gunicorn (a production WSGI server; never Flask's development server): several worker
processes over the read-only store, each with threads, so pages use every core.

Started by `defcoop serve` (app/cli.py), the one way to run the site.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from app.config import Settings
from app.store import current_release
from app.web import create_app, releases
from app.web.sparql.pool import WORKER_START_S

log = logging.getLogger(__name__)

REQUEST_LINE_MAX = 8190
"""Longest request line gunicorn accepts (its own maximum; its default, 4094, refuses a competency question sent
by GET with its comments: longer queries go by POST, as the SPARQL protocol provides)."""
SERVER_TIMEOUT_MIN_S = 30
"""A worker that has not reported alive for this long (or twice the SPARQL time limit) is restarted."""


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve DefCoop on host:port until interrupted (SIGTERM or SIGINT: workers finish their requests).

    `web_workers` processes (one per CPU when 0), each with one thread per SPARQL request the query pool
    admits (`sparql_workers + sparql_max_waiting`) plus `page_threads`, so pages are served whatever the queries
    do. Each process has its own query pool; they share the response cache (app/web/response_cache.py).
    """
    Server(settings, f"{host}:{port}").run()


def workers(settings: Settings) -> int:
    return settings.web_workers or os.cpu_count() or 1


def threads(settings: Settings) -> int:
    """Threads of one worker process: one per SPARQL request its query pool admits, plus `page_threads`."""
    return settings.sparql_workers + settings.sparql_max_waiting + settings.page_threads


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from DefCoop's settings, loading `create_app(settings)` in each worker."""

    def __init__(self, settings: Settings, bind: str) -> None:
        self.settings, self.bind = settings, bind
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": self.bind,
            "workers": workers(self.settings),
            "worker_class": "gthread",
            "threads": threads(self.settings),
            "timeout": max(SERVER_TIMEOUT_MIN_S, int(2 * self.settings.sparql_time_limit_s)),
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "post_worker_init": _warm,
            "limit_request_line": REQUEST_LINE_MAX,
            # each worker touches its heartbeat file on every turn of its loop: in memory, not on disk
            "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        }
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return create_app(self.settings)


def _warm(worker: Any) -> None:
    """Before the worker's first request (gunicorn accepts none until this returns): start its query processes, for
    SPARQL and for pages, and wait until they are up, and compile the templates. A first page waited ~2 s for its
    page query process to start (more while runaway queries held the CPU: found by the flood test in CI)."""
    warm(worker.wsgi)


def warm(app: Flask) -> None:
    """Have `app` ready to answer at once: its query processes started, every template compiled, and the current
    release's graph list read (the first entity page of each process spent 0.2 s on it at 1M)."""
    service = app.extensions["defcoop.sparql"]
    release = current_release(service.settings.build_dir)
    if release is not None and not service.settings.store_endpoint:
        releases.prime(release)
    for pool in (service.pool, service.page_pool):
        if not pool.warm():
            log.warning("a query worker did not start within %s s; its first request will try again",
                        WORKER_START_S)
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
