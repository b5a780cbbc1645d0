"""Serve the web app with waitress (a production WSGI server; never Flask's development server).

    python -m app.web.server --host 127.0.0.1 --port 8080 --build-dir build --sparql-time-limit-s 5

Every setting of `app.config.Settings` is also an option (`--sparql-max-rows`, `--sparql-workers`, …).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import waitress

from app.config import Settings
from app.web import create_app

THREADS = 8


def serve(settings_overrides: Mapping[str, Any], host: str, port: int, threads: int = THREADS) -> None:
    """Serve DefCoop on host:port until interrupted; bodies over `max_request_bytes` are refused by waitress too."""
    app = create_app(settings_overrides)
    settings: Settings = app.extensions["defcoop"]
    app.extensions["defcoop.sparql"].pool.start()  # warm workers before the first query
    # SIGTERM → SystemExit, so atexit handlers run and the query workers are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=settings.max_request_bytes,
        ident="defcoop",
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.web.server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=THREADS)
    for field in dataclasses.fields(Settings):
        parser.add_argument("--" + field.name.replace("_", "-"), dest=field.name, metavar="VALUE")
    args = parser.parse_args(argv)
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings)}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    serve(overrides, args.host, args.port, args.threads)


if __name__ == "__main__":
    main()
