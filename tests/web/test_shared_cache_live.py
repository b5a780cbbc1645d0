"""The response cache is shared by every server process (a SQLite file in the build folder): a body one process
cached is served by the others (`X-DefCoop-Cache: hit`), and after a release switch the body and its ETag are the
new release's."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask import Response

from app.web.response_cache import ResponseCache
from tests.conftest import LiveServer
from tests.web.test_context import MEETING, point_current_at, two_releases  # noqa: F401 (fixture)

HIT = "X-DefCoop-Cache"


def test_two_caches_on_one_file_share_bodies_and_stay_bounded(tmp_path: Path) -> None:
    one, other = ResponseCache(tmp_path / "responses.sqlite", 40_000), ResponseCache(tmp_path / "responses.sqlite",
                                                                                     40_000)
    one.put("k1", Response(b"first body", 200, {"Content-Type": "text/plain"}))
    found = other.get("k1")
    assert found is not None and found.get_data() == b"first body" and found.content_type == "text/plain"
    assert other.get("k2") is None
    for n in range(40):
        other.put(f"big{n}", Response(bytes(4_000), 200))
    assert one.size_bytes() <= 40_000 and one.get("big39") is not None and one.get("k1") is None


def instructions_of_a_put(cache: ResponseCache, key: str) -> int:
    """SQLite virtual machine instructions (in tens) one `put` of a 40 KB body costs."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    connection = cache._connection()
    assert connection is not None
    connection.set_progress_handler(count, 10)
    cache.put(key, Response(bytes(40_000), 200))
    connection.set_progress_handler(None, 0)
    return steps[0]


def test_keeping_an_answer_does_not_read_every_answer_kept(tmp_path: Path) -> None:
    """Regression: each put summed the sizes of all the bodies in the file, reading past each body to its size, so a
    first request cost 10 ms more with a full cache (a firm's page at 1M: 30 ms instead of 20). The bytes kept are a
    running total: a put costs the same with 5 answers kept as with 500, and the bound still holds."""
    cache = ResponseCache(tmp_path / "responses.sqlite", 100_000_000)
    for n in range(5):
        cache.put(f"a{n}", Response(bytes(40_000), 200))
    few = instructions_of_a_put(cache, "few")
    for n in range(500):
        cache.put(f"b{n}", Response(bytes(40_000), 200))
    many = instructions_of_a_put(cache, "many")
    assert many <= few * 1.5 + 10, (few, many)
    assert cache.size_bytes() == 507 * 40_000
    again = ResponseCache(tmp_path / "responses.sqlite", 1_000_000)  # another process, a smaller bound
    again.put("last", Response(bytes(40_000), 200))
    assert again.size_bytes() <= 1_000_000 and again.get("last") is not None and again.get("a0") is None
    assert cache.size_bytes() == again.size_bytes()


def test_a_cache_file_from_before_the_running_total_gets_its_total(tmp_path: Path) -> None:
    path = tmp_path / "responses.sqlite"
    with sqlite3.connect(path) as old:  # the schema before `kept`
        old.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, status INTEGER NOT NULL, headers TEXT NOT NULL, "
                    "body BLOB NOT NULL, size INTEGER NOT NULL, added REAL NOT NULL)")
        old.executemany("INSERT INTO responses VALUES (?, 200, '[]', ?, ?, ?)",
                        [(f"k{n}", bytes(1_000 * n), 1_000 * n, n) for n in range(1, 4)])
    cache = ResponseCache(path, 5_500)
    assert cache.size_bytes() == 6_000
    cache.put("new", Response(bytes(500), 200))  # over the bound: the oldest goes
    assert cache.size_bytes() == 5_500 and cache.get("k1") is None and cache.get("k2") is not None
    assert cache.get("new") is not None and ResponseCache(path, 5_500).size_bytes() == 5_500


def test_an_answer_cached_by_one_process_is_served_by_the_others_and_changes_with_the_release(
        two_releases: tuple[Path, Path, Path],  # noqa: F811 (the fixture)
        live_server: Callable[..., LiveServer]) -> None:
    build_dir, first, second = two_releases
    point_current_at(build_dir, first)
    server = live_server({"build_dir": build_dir, "web_workers": 2})

    def get() -> requests.Response:
        return requests.get(server.url + MEETING, headers={"Accept": "text/html", "Connection": "close"}, timeout=30)

    answers = [get() for _ in range(12)]  # fresh connections: both processes answer some
    assert answers[0].headers[HIT] == "miss"
    assert all(a.headers[HIT] == "hit" and a.content == answers[0].content for a in answers[1:])
    assert all(a.headers["ETag"] == answers[0].headers["ETag"] for a in answers)

    point_current_at(build_dir, second)
    after = [get() for _ in range(12)]
    assert after[0].headers[HIT] == "miss" and b"(second release)" in after[0].content
    assert after[0].headers["ETag"] != answers[0].headers["ETag"]
    assert all(a.headers[HIT] == "hit" and a.content == after[0].content and a.headers["ETag"] ==
               after[0].headers["ETag"] for a in after[1:])
    fresh = requests.get(server.url + MEETING, headers={"Accept": "text/html", "If-None-Match": after[0].headers[
        "ETag"]}, timeout=30)
    assert fresh.status_code == 304


pytestmark = pytest.mark.server
