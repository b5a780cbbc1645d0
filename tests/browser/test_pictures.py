"""The pictures in headless Chromium, against `defcoop serve` on the real bundled build: each renders, shows as many
nodes or items as a SPARQL query of the test finds in the data, its links answer 200, and the page logs no errors.
Screenshots go to tests/artifacts/screenshots/ (pictures-*.png)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import expect

from app.pipeline.publish import Published
from app.store import GraphStore
from tests.browser.conftest import PHONE, Tab
from tests.conftest import LiveServer
from tests.web.test_pictures import INDIA, MEETING, neighbours

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def site(live_server: Callable[..., LiveServer], published: Published) -> str:
    return live_server({"build_dir": published.release.path.parent.parent}).url


def links_answer(site: str, hrefs: list[str]) -> None:
    local = sorted({h.split("#")[0] for h in hrefs if h.startswith("/")})
    assert local
    for href in local:
        assert requests.get(site + href, timeout=10).status_code == 200, href


@pytest.mark.parametrize(("name", "path"), [("india", INDIA), ("meeting", MEETING)])
def test_relation_graph_renders_every_neighbour_as_a_link(site: str, open_tab: Callable[..., Tab], store: GraphStore,
                                                          name: str, path: str) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + path)
    graph = page.locator("section.relations svg")
    expect(graph).to_be_visible()
    nodes = graph.locator("a.node")
    expect(nodes).to_have_count(neighbours(store, path) + 1)
    box = graph.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    for title in nodes.locator("title").all_text_contents():
        assert title.strip()
    page.locator("details.graph-table summary").click()
    expect(page.locator("table.links tbody tr").first).to_be_visible()
    links_answer(site, [h for h in nodes.evaluate_all("els => els.map(e => e.getAttribute('href'))") if h])
    page.locator("section.relations").scroll_into_view_if_needed()
    tab.shot(f"pictures-graph-{name}")
    assert tab.dialogs == [] and tab.errors == []


def test_relation_graph_fits_a_phone(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(viewport=PHONE)
    page = tab.page
    page.goto(site + INDIA)
    expect(page.locator("section.relations svg")).to_be_visible()
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner
    tab.shot("pictures-graph-phone")
