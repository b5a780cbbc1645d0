"""The response cache is shared by every server process (a SQLite file in the build folder): a body one process
cached is served by the others (`X-DefCoop-Cache: hit`), and after a release switch the body and its ETag are the
new release's."""

from __future__ import annotations

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
