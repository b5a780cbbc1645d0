"""The response cache keys an answer by what the client takes (gzip or not), not by how it spells Accept-Encoding:
curl sends none, Python's requests `identity` when told not to compress, browsers `gzip, deflate, br`."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.web import http

HIT = "X-DefCoop-Cache"


@pytest.mark.parametrize(("first", "second"), [
    (None, "identity"), ("identity", "gzip;q=0"), ("gzip, deflate", "gzip, deflate, br, zstd"), ("gzip", "*"),
])
def test_a_cache_key_does_not_split_on_the_spelling_of_accept_encoding(
        published_client: FlaskClient, first: str | None, second: str) -> None:
    # regression: wrk (no Accept-Encoding) missed every answer a client sending `identity` had cached
    path = f"/id/person/sanjeev-kumar?seen={uuid.uuid4().hex}"  # a URL no other test has cached

    def get(coding: str | None) -> str:
        headers = {"Accept": "text/html", **({"Accept-Encoding": coding} if coding is not None else {})}
        return published_client.get(path, headers=headers).headers[HIT]

    assert (get(first), get(second)) == ("miss", "hit")


def test_a_client_that_takes_gzip_and_one_that_does_not_are_cached_apart(published_client: FlaskClient) -> None:
    path = f"/downloads/shapes.ttl?seen={uuid.uuid4().hex}"
    answers = [published_client.get(path, headers={"Accept-Encoding": coding})
               for coding in ("identity", "gzip", "gzip, br", "")]
    assert [a.status_code for a in answers] == [200] * 4
    assert [a.headers.get("Content-Encoding") for a in answers] == [None, "gzip", "gzip", None]
    assert [a.headers[HIT] for a in answers] == ["miss", "miss", "hit", "hit"]


def test_a_cached_answer_and_its_etag_do_not_outlive_the_code(published_client: FlaskClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # regression: after an upgrade of DefCoop the response cache served the old code's pages (same release, same
    # settings: same key) until the next build
    path = f"/questions/09-editorial-inferences?seen={uuid.uuid4().hex}"
    before = [published_client.get(path) for _ in range(2)]
    assert [a.headers[HIT] for a in before] == ["miss", "hit"]
    monkeypatch.setattr(http, "code_digest", lambda: "an upgraded DefCoop")
    after = published_client.get(path)
    assert after.headers[HIT] == "miss" and after.headers["ETag"] != before[0].headers["ETag"]
    assert published_client.get(path, headers={"If-None-Match": before[0].headers["ETag"]}).status_code == 200


def test_the_code_digest_changes_with_a_template_or_module_not_with_bytecode(tmp_path: Path) -> None:
    shutil.copytree(Path(http.__file__).parent / "templates", tmp_path / "templates")
    (tmp_path / "module.py").write_text("X = 1\n", encoding="utf-8")
    first = http.files_digest(tmp_path)
    (tmp_path / "module.cpython-311.pyc").write_bytes(b"compiled")
    assert http.files_digest(tmp_path) == first
    page = tmp_path / "templates" / "entity.html"
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = http.files_digest(tmp_path)
    (tmp_path / "module.py").write_text("X = 2\n", encoding="utf-8")
    assert len({first, changed, http.files_digest(tmp_path)}) == 3
