"""Memento (RFC 7089) over real HTTP against `defcoop serve`: entity IRIs and /sparql are their own TimeGates,
mementos carry Memento-Datetime and links to their original, and each entity has a TimeMap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import requests
from werkzeug.http import http_date, parse_date

from tests.conftest import History, LiveServer

SHARED = "/id/city/moscow"
"""An entity both releases name."""
ADDED = "/id/person/xss-official"
"""An entity only the second release names."""
CLAIMS = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/defcoop/ontology#Claim> }"


@pytest.fixture(scope="module")
def server(live_server: Callable[..., LiveServer], release_history: History) -> LiveServer:
    return live_server({"build_dir": release_history.build_dir})


def _links(response: requests.Response) -> dict[str, str]:
    """rel → URL of the Link header (requests parses it)."""
    return {link["rel"]: link["url"] for link in response.links.values()}


def test_an_entity_iri_is_its_own_timegate(server: LiveServer, release_history: History) -> None:
    first = release_history.first
    answer = requests.get(server.url + SHARED, headers={"Accept-Datetime": http_date(first.built_at)},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/releases/{first.id}{SHARED}")
    assert "accept-datetime" in answer.headers["Vary"].lower()
    links = _links(answer)
    assert links["original timegate"] == server.url + SHARED
    assert links["timemap"] == server.url + "/timemap" + SHARED


def test_a_memento_says_when_it_was_and_what_it_is_a_memento_of(server: LiveServer,
                                                                 release_history: History) -> None:
    first = release_history.first
    answer = requests.get(server.url + SHARED, headers={"Accept-Datetime": http_date(first.built_at)}, timeout=10)
    assert answer.status_code == 200 and answer.history
    assert parse_date(answer.headers["Memento-Datetime"]) == first.built_at
    assert _links(answer)["original timegate"] == server.url + SHARED


@pytest.mark.parametrize(("offset", "which"), [(timedelta(days=-3650), "first"), (timedelta(0), "second"),
                                               (timedelta(days=1), "second")])
def test_the_timegate_picks_the_release_current_at_the_time(server: LiveServer, release_history: History,
                                                           offset: timedelta, which: str) -> None:
    moment = release_history.second.built_at + offset
    answer = requests.get(server.url + SHARED, headers={"Accept-Datetime": http_date(moment)},
                          allow_redirects=False, timeout=10)
    assert answer.headers["Location"].endswith(f"/releases/{getattr(release_history, which).id}{SHARED}")


def test_an_unreadable_accept_datetime_is_400(server: LiveServer) -> None:
    answer = requests.get(server.url + SHARED, headers={"Accept-Datetime": "last Tuesday"}, timeout=10)
    assert answer.status_code == 400 and "Accept-Datetime" in answer.text


def test_the_original_varies_by_accept_datetime_and_links_its_timemap(server: LiveServer) -> None:
    answer = requests.get(server.url + SHARED, timeout=10)
    assert answer.status_code == 200 and "Memento-Datetime" not in answer.headers
    assert "accept-datetime" in answer.headers["Vary"].lower()
    assert _links(answer)["timemap"] == server.url + "/timemap" + SHARED


def _timemap(server: LiveServer, path: str) -> list[tuple[str, str, str | None]]:
    answer = requests.get(server.url + "/timemap" + path, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/link-format")
    entries = []
    for entry in answer.text.split(",\n"):
        url, *params = [p.strip() for p in entry.split(";")]
        values = dict(p.split("=", 1) for p in params)
        entries.append((url.strip("<>"), values["rel"].strip('"'), values.get("datetime", "").strip('"') or None))
    return entries


def test_a_timemap_lists_the_releases_that_name_the_entity(server: LiveServer, release_history: History) -> None:
    entries = _timemap(server, SHARED)
    mementos = [(url, when) for url, rel, when in entries if "memento" in rel.split()]
    assert [url.rsplit("/releases/", 1)[1].split("/")[0] for url, _ in mementos] == \
        [release_history.first.id, release_history.second.id]
    assert [parse_date(when) for _, when in mementos] == [release_history.first.built_at,
                                                          release_history.second.built_at]
    assert ("first memento" in {rel for _, rel, _ in entries}) and ("last memento" in {rel for _, rel, _ in entries})
    for url, _ in mementos:
        assert requests.get(url, timeout=10).status_code == 200
    added = [rel for _, rel, _ in _timemap(server, ADDED) if "memento" in rel.split()]
    assert added == ["first last memento"]


def test_a_query_at_an_earlier_time_runs_on_the_release_of_that_time(server: LiveServer,
                                                                     release_history: History) -> None:
    def claims(headers: dict[str, str]) -> int:
        answer = requests.post(server.sparql, data={"query": CLAIMS},
                               headers={"Accept": "application/sparql-results+json", **headers}, timeout=30)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    then = claims({"Accept-Datetime": http_date(release_history.first.built_at)})
    assert then == release_history.first.manifest["claims"]
    assert claims({}) == release_history.second.manifest["claims"] == then + 1
    direct = requests.get(f"{server.url}/releases/{release_history.first.id}/sparql", params={"query": CLAIMS},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert int(direct.json()["results"]["bindings"][0]["n"]["value"]) == then
    assert parse_date(direct.headers["Memento-Datetime"]) == release_history.first.built_at
