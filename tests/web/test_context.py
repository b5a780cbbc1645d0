"""One request, one release: a build published while a request runs cannot mix two releases in one answer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.config import ROOT, load_settings
from app.pipeline import build
from app.web import create_app
from app.web.context import RequestContext

MEETING = "/id/meeting/india-russia-defence-industry-moscow-october"
LABEL = "Meetings of Indian and Russian defence manufacturers in Moscow, 29–30 October"


def point_current_at(build_dir: Path, release: Path) -> None:
    """Switch `current` the way a build commits (an atomic symlink swap)."""
    link = build_dir / ".current.test"
    link.unlink(missing_ok=True)
    link.symlink_to(Path("releases") / release.name)
    os.replace(link, build_dir / "current")


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("two")
    data, build_dir = root / "data", root / "build"
    shutil.copytree(ROOT / "data", data)
    first = build(load_settings({"data_dir": data, "build_dir": build_dir}, environ={})).release.path
    facts = data / "facts" / "india-russia-defence-manufacturing-moscow.trig"
    facts.write_text(facts.read_text(encoding="utf-8").replace(LABEL, LABEL + " (second release)"), encoding="utf-8")
    second = build(load_settings({"data_dir": data, "build_dir": build_dir}, environ={})).release.path
    return build_dir, first, second


def test_a_release_switched_during_a_request_does_not_mix_releases(
        two_releases: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    build_dir, first, second = two_releases
    client = create_app({"build_dir": build_dir, "response_cache_mb": 0}).test_client()  # every request runs
    point_current_at(build_dir, first)
    before = client.get(MEETING, headers={"Accept": "text/html"})
    point_current_at(build_dir, second)
    after = client.get(MEETING, headers={"Accept": "text/html"})
    assert before.get_etag() != after.get_etag() and before.data != after.data
    assert "(second release)" in after.get_data(as_text=True)

    page = RequestContext.page  # where a page model is computed (in a query worker)

    def published_meanwhile(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        point_current_at(build_dir, second)  # a build commits while this request runs
        return page(self, *args, **kwargs)

    monkeypatch.setattr(RequestContext, "page", published_meanwhile)
    point_current_at(build_dir, first)
    during = client.get(MEETING, headers={"Accept": "text/html"})
    assert (during.get_etag(), during.last_modified, during.data) == \
        (before.get_etag(), before.last_modified, before.data)
    monkeypatch.undo()
    assert client.get(MEETING, headers={"Accept": "text/html"}).get_etag() == after.get_etag()  # the next request


def test_large_dumps_are_sent_precompressed(two_releases: tuple[Path, Path, Path]) -> None:
    """The build writes `{file}.gz`; a client accepting gzip gets exactly those bytes, one that does not gets
    the file."""
    build_dir, _, second = two_releases
    point_current_at(build_dir, second)
    client = create_app({"build_dir": build_dir}).test_client()
    packed = client.get("/downloads/defcoop.nq", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.data == (second / "downloads" / "defcoop.nq.gz").read_bytes()
    plain = client.get("/downloads/defcoop.nq")
    assert "Content-Encoding" not in plain.headers
    assert plain.data == (second / "downloads" / "defcoop.nq").read_bytes()


def test_cached_answers_are_exact_and_follow_the_release(
        two_releases: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The response cache answers a repeated request without running the page's queries, with the same bytes
    and validators; a new release is a new key, so its first request runs and shows the new data."""
    build_dir, first, second = two_releases
    calls: list[str] = []
    page = RequestContext.page

    def counted(self, function, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0])  # the entity's IRI: its page model is computed
        return page(self, function, *args, **kwargs)

    monkeypatch.setattr(RequestContext, "page", counted)
    client = create_app({"build_dir": build_dir}).test_client()
    point_current_at(build_dir, first)
    one = client.get(MEETING, headers={"Accept": "text/html"})
    two = client.get(MEETING, headers={"Accept": "text/html"})
    assert len(calls) == 1
    assert (two.data, two.get_etag(), two.last_modified, two.content_type) == \
        (one.data, one.get_etag(), one.last_modified, one.content_type)
    point_current_at(build_dir, second)
    three = client.get(MEETING, headers={"Accept": "text/html"})
    assert len(calls) == 2 and "(second release)" in three.get_data(as_text=True)
    assert three.get_etag() != one.get_etag()


def test_the_cache_can_be_turned_off(two_releases: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    build_dir, _, second = two_releases
    point_current_at(build_dir, second)
    calls: list[str] = []
    page = RequestContext.page
    monkeypatch.setattr(RequestContext, "page", lambda self, f, *a, **k: calls.append(a[0]) or page(self, f, *a, **k))
    client = create_app({"build_dir": build_dir, "response_cache_mb": 0}).test_client()
    for _ in range(2):
        assert client.get(MEETING, headers={"Accept": "text/html"}).status_code == 200
    assert len(calls) == 2


def test_a_cached_answer_carries_each_header_once(two_releases: tuple[Path, Path, Path]) -> None:
    """Regression: headers added after the view (the downloads' Link to the dataset description) were added
    again to the cached answer."""
    build_dir, _, second = two_releases
    point_current_at(build_dir, second)
    client = create_app({"build_dir": build_dir}).test_client()
    for _ in range(3):
        response = client.get("/downloads", headers={"Accept": "application/json"})
        assert response.headers.getlist("Link") == ['</.well-known/void>; rel="describedby"']
