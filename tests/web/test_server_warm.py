"""A gunicorn worker accepts no request before its query processes have started and its templates are compiled
(regression: the first page after a start waited ~2 s for its page query process, 1.35 s under a flood of runaway
queries in CI, tests/web/test_sparql_flood.py)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from flask import Flask

from app.config import load_settings
from app.web import releases
from app.web.server import Server, warm


def test_first_page_after_start_does_not_wait_for_its_query_process(make_app: Callable[..., Flask]) -> None:
    app = make_app(page_threads=2, sparql_workers=1, sparql_max_waiting=3)  # its own pools, not started yet
    service = app.extensions["defcoop.sparql"]
    server = Server(load_settings({"build_dir": service.settings.build_dir}), "127.0.0.1:0")
    server.cfg.post_worker_init(SimpleNamespace(wsgi=app))  # what gunicorn runs before the worker accepts
    for pool in (service.pool, service.page_pool):
        workers = list(pool._workers)
        assert len(workers) == pool.size and all(worker.started for worker in workers)
    templates = app.jinja_env.list_templates()
    compiled = {name for _, name in app.jinja_env.cache or {}}  # keyed by (the loader, the template's name)
    assert templates and compiled >= set(templates)


def test_the_current_releases_graph_list_is_read_before_the_first_page(make_app: Callable[..., Flask]) -> None:
    """Regression: the first entity page of each server process read graphs.json (0.2 s at 1M, a cold page's p99)."""
    app = make_app(page_threads=1, sparql_workers=1, sparql_max_waiting=1)
    releases._graphs.cache_clear()
    warm(app)
    assert releases._graphs.cache_info().currsize == 1
