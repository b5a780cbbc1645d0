"""A hub's inverse links: the entity page shows counts per property and a capped sample; each property's links
are paged, sorted by IRI, at `/id/{type}/{slug}?links={property IRI}&page=N` (the entity's own document, never all
rows)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web import create_app
from app.web.queries.graph import GRAPH_NODES
from tests.web.conftest import BASED_IN, FIRMS

LIMIT = 40


@pytest.fixture(scope="module")
def hub_app(hub_build_dir: Path) -> Iterator[Flask]:
    app = create_app({"build_dir": hub_build_dir, "page_link_limit": LIMIT, "sparql_workers": 1})
    app.config["TESTING"] = True
    yield app
    app.extensions["defcoop.sparql"].close()


@pytest.fixture
def hub(hub_app: Flask) -> FlaskClient:
    return hub_app.test_client()


def _firms(html: str) -> list[str]:
    return re.findall(r'href="/id/firm/(f\d{5})"', html)


def test_hub_page_counts_links_and_shows_a_sample_with_a_link_to_all(hub: FlaskClient) -> None:
    page = hub.get("/id/country/hubland").get_data(as_text=True)
    assert f"showing {LIMIT} of 2,500" in page
    assert len(set(_firms(page))) <= LIMIT + GRAPH_NODES  # the sample and the relation graph's neighbours
    assert re.search(r'href="/id/country/hubland\?links=https(:|%3A)//w3id\.org/defcoop/ontology%23basedIn[^"]*"', page)


def test_links_pages_are_sorted_and_page_through_every_link(hub: FlaskClient) -> None:
    seen: list[str] = []
    url: str | None = f"/id/country/hubland?links={BASED_IN.replace('#', '%23')}"
    pages = 0
    while url:
        answer = hub.get(url)
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        found = _firms(html)
        assert 0 < len(found) <= LIMIT
        assert found == sorted(found)
        seen += found
        pages += 1
        assert "2,500" in html and "Hubland" in html
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert pages == -(-FIRMS // LIMIT)
    assert seen == [f"f{n:05d}" for n in range(FIRMS)]


def test_a_links_page_names_its_neighbours_by_label(hub: FlaskClient) -> None:
    html = hub.get(f"/id/country/hubland?links={BASED_IN.replace('#', '%23')}&page=2").get_data(as_text=True)
    assert f"Firm {LIMIT:05d}" in html and 'rel="prev"' in html
    assert f"showing {LIMIT + 1:,}–{2 * LIMIT:,}" in html


def test_links_beyond_the_last_page_or_of_an_unknown_property_are_404(hub: FlaskClient) -> None:
    assert hub.get(f"/id/country/hubland?links={BASED_IN.replace('#', '%23')}&page=999").status_code == 404
    assert hub.get("/id/country/hubland?links=https%3A//example.org/nothing").status_code == 404
    assert hub.get("/id/country/hubland?links=not%20an%20iri").status_code == 400
