"""Every query a page runs is bounded by `sparql_time_limit_s`, like /sparql: the page's queries run in the query
workers (which can be killed), and a page over the limit answers 503 naming the setting; the site keeps serving."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.web import create_app


def test_a_page_over_the_time_limit_answers_503_naming_the_setting(hub_build_dir: Path) -> None:
    app = create_app({"build_dir": hub_build_dir, "sparql_time_limit_s": 1e-6, "sparql_workers": 1})
    try:
        answer = app.test_client().get("/id/country/hubland")
        assert answer.status_code == 503
        message = answer.get_data(as_text=True)
        assert "sparql_time_limit_s" in message and "page's queries exceeded the time limit" in message
    finally:
        app.extensions["defcoop.sparql"].close()


def test_after_a_page_is_stopped_its_worker_is_replaced_and_pages_are_served(hub_build_dir: Path) -> None:
    app = create_app({"build_dir": hub_build_dir, "sparql_time_limit_s": 1e-6, "page_threads": 1})
    client = app.test_client()
    try:
        assert client.get("/id/firm/f00001").status_code == 503
        assert client.get("/id/country/hubland").status_code == 503
        raised = dataclasses.replace(app.extensions["defcoop"], sparql_time_limit_s=10.0)
        app.extensions["defcoop"] = app.extensions["defcoop.sparql"].settings = raised  # the same app and pool
        assert client.get("/id/firm/f00001").status_code == 200
        assert "Hubland" in client.get("/id/country/hubland").get_data(as_text=True)
    finally:
        app.extensions["defcoop.sparql"].close()


def test_regression_a_tiny_client_timeout_is_not_reported_as_busy_workers(hub_build_dir: Path) -> None:
    app = create_app({"build_dir": hub_build_dir, "sparql_workers": 1})
    try:
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"},
                          headers={"Accept": "application/sparql-results+json"}).status_code == 200
        answer = client.get("/sparql", query_string={"query": "ASK {}", "timeout": "0.000001"},
                            headers={"Accept": "text/plain"})
        assert answer.status_code == 503
        message = answer.get_data(as_text=True)
        assert "timeout=1e-06 requested" in message and "busy" not in message
    finally:
        app.extensions["defcoop.sparql"].close()



def test_a_worker_computes_only_page_models_of_app_web_queries() -> None:
    """A page model runs in a query worker (one round trip for a whole page); nothing else may be sent there."""
    import os

    from app.config import Settings
    from app.store import GraphStore
    from app.web.errors import HTTPError
    from app.web.queries import countries
    from app.web.sparql.runner import PageQuery, run_page_query

    class Store(GraphStore):
        def select(self, sparql: str, **_: object) -> list[dict[str, object]]:
            return []

    assert run_page_query(Store(), PageQuery("", "model", (), None, countries, (Settings(),))) == ()
    with pytest.raises(HTTPError):
        run_page_query(Store(), PageQuery("", "model", (), None, os.getcwd, ()))
