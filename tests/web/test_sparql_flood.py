"""A flood of runaway queries is turned away at once beyond `sparql_workers + sparql_max_waiting`, so pages keep
being served (found in review: queued queries held every server thread and a page took 9 s)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from app.pipeline.publish import Published
from tests.web.conftest import CROSS_PRODUCT

FLOOD = 10


def test_flood_of_runaway_queries_does_not_starve_pages(live_server: Callable[..., Any],
                                                         published: Published) -> None:
    server = live_server({"build_dir": published.release.path.parent.parent, "sparql_workers": 1,
                          "sparql_max_waiting": 1, "sparql_time_limit_s": 3,
                          "web_workers": 1})  # one server process: its pool admits 2, the rest are turned away
    answers: list[requests.Response] = []

    def runaway() -> None:
        answers.append(requests.get(server.sparql, params={"query": CROSS_PRODUCT}, timeout=30))

    threads = [threading.Thread(target=runaway) for _ in range(FLOOD)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    page_times = []
    for _ in range(5):
        started = time.monotonic()
        page = requests.get(server.url + "/id/city/moscow", headers={"Accept": "text/html"}, timeout=10)
        page_times.append(time.monotonic() - started)
        assert page.status_code == 200
    for thread in threads:
        thread.join(30)
    assert max(page_times) < 1, page_times
    busy = [a for a in answers if "sparql_max_waiting" in a.text]
    assert len(answers) == FLOOD and all(a.status_code == 503 for a in answers)
    assert len(busy) >= FLOOD - 2 and all(a.headers.get("Retry-After") for a in busy)
