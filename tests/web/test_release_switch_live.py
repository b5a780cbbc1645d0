"""A release switch under load (issue 7 §5): while clients hammer a live `defcoop serve` (gunicorn, several processes,
the response cache on), builds keep switching `current`; no request fails and no answer mixes two releases."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import LiveServer
from tests.web.test_context import MEETING, point_current_at, two_releases  # noqa: F401 (fixture)

pytestmark = pytest.mark.server

QUERY = ("SELECT ?label WHERE { <https://w3id.org/defcoop/id/meeting/india-russia-defence-industry-moscow-october> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
REQUESTS = {  # what a mixed load asks for: a page, an RDF document, a class page and a query
    "entity page": (MEETING, {"Accept": "text/html"}),
    "entity Turtle": (MEETING, {"Accept": "text/turtle"}),
    "class page": ("/class/Meeting", {"Accept": "text/html"}),
    "query": ("/sparql?query=" + requests.utils.quote(QUERY), {"Accept": "application/sparql-results+json"}),
}
SWITCH_EVERY_S = 0.05
LOAD_S = 4.0


def _answer(server: LiveServer, name: str) -> tuple[int, str | None, bytes]:
    path, headers = REQUESTS[name]
    response = requests.get(server.url + path, headers=headers, timeout=30)
    return response.status_code, response.headers.get("ETag"), response.content


def test_a_release_switch_under_load_fails_no_request_and_mixes_no_releases(
        two_releases: tuple[Path, Path, Path],  # noqa: F811 (the fixture)
        live_server: Callable[..., LiveServer]) -> None:
    build_dir, first, second = two_releases
    point_current_at(build_dir, first)
    server = live_server({"build_dir": build_dir, "web_workers": 2})
    # what each release answers, alone
    expected: dict[str, dict[str, bytes]] = {name: {} for name in REQUESTS}
    for release in (first, second):
        point_current_at(build_dir, release)
        for name in REQUESTS:
            status, etag, body = _answer(server, name)
            assert status == 200 and etag, (name, status)
            expected[name][etag] = body
    for name, answers in expected.items():
        assert len(answers) == 2, f"{name}: both releases gave one ETag, so the test could not tell them apart"
    assert any(b"(second release)" in body for body in expected["entity page"].values())

    stop = threading.Event()

    def keep_switching() -> int:
        switches = 0
        while not stop.is_set():
            point_current_at(build_dir, (first, second)[switches % 2])
            switches += 1
            time.sleep(SWITCH_EVERY_S)
        return switches

    def load(name: str) -> list[tuple[str, int, str | None, bytes]]:
        seen = []
        deadline = time.monotonic() + LOAD_S
        while time.monotonic() < deadline:
            seen.append((name, *_answer(server, name)))
        return seen

    with ThreadPoolExecutor(1 + 2 * len(REQUESTS)) as pool:
        switcher = pool.submit(keep_switching)
        loads = [pool.submit(load, name) for name in REQUESTS for _ in range(2)]
        answers = [a for future in loads for a in future.result()]
        stop.set()
        switches = switcher.result()
    assert switches > 20 and len(answers) > 4 * len(REQUESTS)
    failed = [(name, status) for name, status, _, _ in answers if status != 200]
    assert not failed, f"{len(failed)} of {len(answers)} requests failed during release switches: {failed[:5]}"
    mixed = [name for name, _, etag, body in answers if expected[name].get(etag or "") != body]
    assert not mixed, f"{len(mixed)} answers carried an ETag of one release and the body of another: {mixed[:5]}"
    seen_etags = {(name, etag) for name, _, etag, _ in answers}
    assert all(len({e for n, e in seen_etags if n == name}) == 2 for name in REQUESTS), \
        "the load never saw one of the two releases"
