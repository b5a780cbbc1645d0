"""The SPARQL service of one app (app/web/sparql/service.py): the settings it applies to every query, the 400 and
503 answers it gives before or instead of one, each naming the setting reached, and its Flask wiring."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.config import load_settings
from app.store import current_release
from app.web.errors import HTTPError
from app.web.sparql import service
from app.web.sparql.service import EXTENSION, SparqlService
from tests.web.conftest import CROSS_PRODUCT, worker_pids

LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


@pytest.fixture
def make_service(release_dir: Path) -> Iterator[Callable[..., SparqlService]]:
    """A factory of services on the test release: `make_service(sparql_workers=1)`; closed at the end."""
    services: list[SparqlService] = []

    def make(**settings: Any) -> SparqlService:
        services.append(SparqlService(load_settings({"build_dir": release_dir, **settings})))
        return services[-1]

    yield make
    for made in services:
        made.close()


def refusal(answer: Callable[[], object]) -> HTTPError:
    with pytest.raises(HTTPError) as refused:
        answer()
    return refused.value


@pytest.mark.parametrize("timeout_s", [0, -1, float("nan")])
def test_a_timeout_that_is_not_positive_is_a_400_before_any_worker_starts(
    make_service: Callable[..., SparqlService], timeout_s: float
) -> None:
    before = worker_pids()
    refused = refusal(lambda: make_service().answer("ASK {}", release=None, timeout_s=timeout_s))
    assert refused.status == 400 and "positive number of seconds" in refused.message
    assert worker_pids() == before


def test_nothing_published_is_a_503_before_any_worker_starts(tmp_path: Path) -> None:
    sparql = SparqlService(load_settings({"build_dir": tmp_path}))
    before = worker_pids()
    refused = refusal(lambda: sparql.answer("ASK {}", release=None))
    assert refused.status == 503 and "nothing is published" in refused.message
    assert worker_pids() == before
    sparql.close()


def test_limits_are_applied_and_every_503_names_its_setting(make_service: Callable[..., SparqlService]) -> None:
    sparql = make_service(sparql_workers=1, sparql_max_waiting=1, sparql_time_limit_s=2, sparql_max_rows=3)
    release = current_release(sparql.settings.build_dir)
    answer = sparql.answer(LABELS, release=release, format="csv")  # also warms the one worker
    assert answer.format.name == "csv" and answer.truncated and answer.count == 3 == answer.max_rows
    refusals: dict[str, HTTPError] = {}

    def refuse(name: str, query: str, timeout_s: float | None) -> None:
        refusals[name] = refusal(lambda: sparql.answer(query, release=current_release(sparql.settings.build_dir),
                                                       timeout_s=timeout_s))

    running = threading.Thread(target=refuse, args=("running", CROSS_PRODUCT, None))
    running.start()
    time.sleep(0.3)
    waiting = threading.Thread(target=refuse, args=("waiting", "ASK {}", 0.8))
    waiting.start()
    time.sleep(0.3)
    busy = refusal(lambda: sparql.answer("ASK {}", release=current_release(sparql.settings.build_dir)))
    waiting.join(10)
    running.join(10)

    assert busy.status == 503 and busy.retry_after == 2
    assert busy.message == ("the endpoint is busy: all sparql_workers = 1 are running queries and "
                            "sparql_max_waiting = 1 more are waiting; try again shortly")
    assert refusals["waiting"].status == 503
    assert refusals["waiting"].message == (
        "no query worker became free within the time limit of 0.8 s (timeout=0.8 requested; setting "
        "sparql_time_limit_s = 2 s; all sparql_workers = 1 are busy); try again later")
    assert refusals["running"].status == 503
    assert refusals["running"].message == (
        "the query exceeded the time limit of 2 s (setting sparql_time_limit_s = 2 s) and was stopped")


def test_init_app_gives_each_app_its_own_service(make_app: Callable[..., Flask]) -> None:
    first, second = make_app(), make_app(sparql_max_rows=7)
    with second.app_context():
        assert service() is second.extensions[EXTENSION] is not first.extensions[EXTENSION]
        assert service().settings.sparql_max_rows == 7
