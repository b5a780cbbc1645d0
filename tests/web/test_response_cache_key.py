"""The response cache keys an answer by what the client takes (gzip or not), not by how it spells Accept-Encoding:
curl sends none, Python's requests `identity` when told not to compress, browsers `gzip, deflate, br`."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

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
