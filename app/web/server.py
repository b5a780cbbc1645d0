"""Serve the web app with waitress (a production WSGI server; never Flask's development server).

Started by `defcoop serve` (app/cli.py), the one way to run the site.
"""

from __future__ import annotations

import signal
import sys

import waitress

from app.config import Settings
from app.web import create_app


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve DefCoop on host:port until interrupted; bodies over `max_request_bytes` are refused by waitress too.

    Waitress gets one thread per SPARQL request the pool admits (`sparql_workers + sparql_max_waiting`) plus
    `page_threads`, so pages are served whatever the queries do.
    """
    app = create_app(settings)
    app.extensions["defcoop.sparql"].pool.start()  # warm workers before the first query
    # SIGTERM → SystemExit, so atexit handlers run and the query workers are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads(settings),
        max_request_body_size=settings.max_request_bytes,
        ident="defcoop",
    )


def threads(settings: Settings) -> int:
    """Waitress's thread count: one per SPARQL request the query pool admits, plus `page_threads` for pages."""
    return settings.sparql_workers + settings.sparql_max_waiting + settings.page_threads
