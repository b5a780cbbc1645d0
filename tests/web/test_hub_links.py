"""A hub's inverse links: the entity page shows counts per property and a capped sample; each property's links
are paged, sorted by IRI, at `/id/{type}/{slug}?links={property IRI}&page=N` (the entity's own document, never all
rows)."""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.store import commit_release, stage_release
from app.web import create_app
from app.web.queries.graph import GRAPH_NODES

BASE = "https://w3id.org/defcoop/"
HUB = f"{BASE}id/country/hubland"
BASED_IN = "https://w3id.org/defcoop/ontology#basedIn"
FIRMS = 2500
LIMIT = 40


def _hub_release(build_dir: Path) -> None:
    """A release with one country that 2,500 firms are based in, each stated by its own claim."""
    staging = stage_release(build_dir)
    store = ox.Store(str(staging / "store"))
    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [ox.Quad(ox.NamedNode(HUB), rdfs_label, ox.Literal("Hubland", language="en"),
                     ox.NamedNode(f"{BASE}id/claim/hub"))]
    for n in range(FIRMS):
        firm, claim = ox.NamedNode(f"{BASE}id/firm/f{n:05d}"), ox.NamedNode(f"{BASE}id/claim/c{n:05d}")
        quads += [ox.Quad(firm, ox.NamedNode(BASED_IN), ox.NamedNode(HUB), claim),
                  ox.Quad(firm, rdfs_label, ox.Literal(f"Firm {n:05d}"), claim)]
    store.bulk_extend(quads)
    store.flush()
    del store
    gc.collect()
    (staging / "manifest.json").write_text(json.dumps({"built_at": "2025-01-15T10:30:00+00:00"}), encoding="utf-8")
    commit_release(build_dir, staging)


@pytest.fixture(scope="module")
def hub_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    build_dir = tmp_path_factory.mktemp("hub-build")
    _hub_release(build_dir)
    app = create_app({"build_dir": build_dir, "page_link_limit": LIMIT, "sparql_workers": 1})
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
