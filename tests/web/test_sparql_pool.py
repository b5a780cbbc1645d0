"""The query worker pool (app/web/sparql/pool.py): a worker over its deadline is killed and replaced, a new worker's
start-up is not charged to the query waiting for it, waiting for a busy worker counts, a flood is turned away at
once, and closing the pool stops its workers. Network isolation of workers: test_outbound_bypass.py."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.config import load_settings
from app.web.sparql.pool import PoolFull, QueryTimeout, WorkerPool
from app.web.sparql.runner import Answer, Job
from tests.web.conftest import CROSS_PRODUCT, make_job, worker_pids

LIMIT_S = 10.0


@pytest.fixture
def make_pool(release_dir: Path) -> Iterator[Callable[..., WorkerPool]]:
    """A factory of pools on the test release: `make_pool(size=1, sparql_max_waiting=0)`; closed at the end."""
    pools: list[WorkerPool] = []

    def make(size: int = 1, **settings: Any) -> WorkerPool:
        pool = WorkerPool(load_settings({"build_dir": release_dir, **settings}), size)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def ask(release_dir: Path) -> Job:
    return make_job(release_dir, "ASK { ?s ?p ?o }")


@pytest.fixture
def runaway(release_dir: Path) -> Job:
    return make_job(release_dir, CROSS_PRODUCT)


def is_true(answer: Answer) -> bool:
    return json.loads(answer.body) == {"head": {}, "boolean": True}


def test_a_worker_over_its_deadline_is_killed_and_replaced(make_pool: Callable[..., WorkerPool], ask: Job,
                                                           runaway: Job) -> None:
    pool = make_pool()
    before = worker_pids()
    assert is_true(pool.run(ask, LIMIT_S))
    (first,) = worker_pids() - before
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as timeout:
        pool.run(runaway, 0.5)
    assert timeout.value.waited is False
    assert time.monotonic() - started < 3  # stopped at the deadline, not when the query would end
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)  # killed and reaped
    (replacement,) = worker_pids() - before
    assert replacement != first
    assert is_true(pool.run(ask, LIMIT_S))
    assert worker_pids() - before == {replacement}


def test_a_new_workers_start_up_is_not_charged_to_the_query(make_pool: Callable[..., WorkerPool], ask: Job,
                                                            runaway: Job) -> None:
    pool = make_pool()
    limit = 0.2
    started = time.monotonic()
    assert is_true(pool.run(ask, limit))  # a cold pool
    assert time.monotonic() - started > limit  # the worker's start-up alone outlasted the limit
    with pytest.raises(QueryTimeout):
        pool.run(runaway, limit)
    assert is_true(pool.run(ask, limit))  # the replacement, just spawned


def test_waiting_counts_and_a_flood_is_turned_away_at_once(make_pool: Callable[..., WorkerPool], ask: Job,
                                                           runaway: Job) -> None:
    pool = make_pool(sparql_max_waiting=1)
    assert is_true(pool.run(ask, LIMIT_S))  # warm
    outcomes: dict[str, BaseException | Answer] = {}

    def run(name: str, job: Job, limit: float) -> None:
        try:
            outcomes[name] = pool.run(job, limit)
        except (QueryTimeout, PoolFull) as exc:
            outcomes[name] = exc

    running = threading.Thread(target=run, args=("running", runaway, 3.0))
    running.start()
    time.sleep(0.3)  # the one worker is busy
    waiting = threading.Thread(target=run, args=("waiting", ask, 1.0))
    waiting.start()
    time.sleep(0.3)  # one query waits: sparql_max_waiting is reached
    started = time.monotonic()
    with pytest.raises(PoolFull):
        pool.run(ask, LIMIT_S)
    assert time.monotonic() - started < 0.2
    waiting.join(10)
    running.join(10)
    assert isinstance(outcomes["waiting"], QueryTimeout) and outcomes["waiting"].waited is True
    assert isinstance(outcomes["running"], QueryTimeout) and outcomes["running"].waited is False
    assert is_true(pool.run(ask, LIMIT_S))  # admitted again once the others are done


def test_queries_one_after_another_go_to_the_worker_that_answered_last(make_pool: Callable[..., WorkerPool],
                                                                        ask: Job, monkeypatch: pytest.MonkeyPatch
                                                                        ) -> None:
    """Regression: workers took queries in turn, so a page asked again met a worker whose caches had not seen it
    (a country's page at 1M: 170 ms against 95 ms on the worker that had just shown it)."""
    pool = make_pool(size=3)
    pool.warm()
    answered: list[int | None] = []
    give_back = pool._give_back

    def spy(worker: Any, healthy: bool) -> None:
        answered.append(worker.process.pid)
        give_back(worker, healthy)

    monkeypatch.setattr(pool, "_give_back", spy)
    for _ in range(6):
        assert is_true(pool.run(ask, LIMIT_S))
    assert len(answered) == 6 and len(set(answered)) == 1


def test_closing_the_pool_stops_its_workers(make_pool: Callable[..., WorkerPool], ask: Job) -> None:
    pool = make_pool(size=2)
    before = worker_pids()
    pool.start()
    started = worker_pids() - before
    assert len(started) == 2
    pool.close()
    assert not worker_pids() & started
    with pytest.raises(RuntimeError, match="closed"):
        pool.run(ask, LIMIT_S)


def test_a_replaced_worker_answers_a_short_time_limit_over_http(make_app: Callable[..., Flask]) -> None:
    """Regression: a query that met a cold or just-replaced worker got 503 when the worker's start (spawn, imports,
    opening the store: about a second, more under load) outlasted a short time limit."""
    client = make_app(sparql_time_limit_s=0.3, sparql_workers=1).test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # cold pool
    response = client.get("/sparql", query_string={"query": CROSS_PRODUCT})
    assert response.status_code == 503  # the worker is killed and replaced
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # the replacement
