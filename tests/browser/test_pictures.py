"""The pictures in headless Chromium, against `defcoop serve` on the real bundled build: each renders, shows as many
nodes or items as a SPARQL query of the test finds in the data, its links answer 200, and the page logs no errors.
Screenshots go to tests/artifacts/screenshots/ (pictures-*.png)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from app.config import ROOT
from app.store import GraphStore
from app.texts import sentences
from tests.browser.conftest import PHONE, Tab
from tests.web.test_pictures import INDIA, MEETING, neighbours
from tests.web.test_reading import READ, SLUG, quoted_sentences, quotes
from tests.web.test_timeline import ID, dated

pytestmark = [pytest.mark.browser, pytest.mark.server]

INDIA_EVENTS = (f"FILTER EXISTS {{ {{ ?e defcoop:participant <{ID}country/india> }} UNION "
                f"{{ ?e defcoop:participant/defcoop:country <{ID}country/india> }} }}")
RUSSIA_EVENTS = INDIA_EVENTS.replace("country/india", "country/russia")


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


@pytest.mark.parametrize(("name", "path", "picture"), [
    ("graph", INDIA, "section.relations svg"), ("timeline", "/timeline", "section.timeline svg"),
    ("source-read", f"/source/{SLUG}/read", "section.text mark")])
def test_pictures_fit_a_phone(site: str, open_tab: Callable[..., Tab], name: str, path: str, picture: str) -> None:
    tab = open_tab(viewport=PHONE)
    page = tab.page
    page.goto(site + path)
    expect(page.locator(picture).first).to_be_visible()
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{path} is {width} px wide on a {inner} px phone"
    tab.shot(f"pictures-phone-{name}")


@pytest.mark.parametrize(("name", "path"), [("timeline", "/timeline"), ("timeline-india", INDIA)])
def test_timeline_renders_every_dated_event(site: str, open_tab: Callable[..., Tab], store: GraphStore,
                                            name: str, path: str) -> None:
    expected = dated(store) if path == "/timeline" else dated(store, INDIA_EVENTS)
    assert expected
    tab = open_tab()
    page = tab.page
    page.goto(site + path)
    picture = page.locator("section.timeline svg")
    expect(picture).to_be_visible()
    expect(picture.locator("a.item")).to_have_count(len(expected))
    expect(page.locator("table.timeline-items tbody tr")).to_have_count(len(expected))
    hrefs = page.locator("section.timeline a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    links_answer(site, [h for h in hrefs if h])
    page.locator("section.timeline").scroll_into_view_if_needed()
    tab.shot(f"pictures-{name}")
    assert tab.dialogs == [] and tab.errors == []


def test_timeline_filter_form_works_without_script(site: str, browser: Any, store: GraphStore) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/timeline")
        page.get_by_label("Country").select_option(label="Russia")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"/timeline\?country=russia"))
        expect(page.locator("table.timeline-items tbody tr")).to_have_count(len(dated(store, RUSSIA_EVENTS)))
    finally:
        context.close()


def test_source_reading_highlights_the_quoted_sentences(site: str, open_tab: Callable[..., Tab],
                                                        store: GraphStore) -> None:
    text = (ROOT / "data" / "sources" / f"{SLUG}.txt").read_text(encoding="utf-8")
    tab = open_tab()
    page = tab.page
    page.goto(site + f"/id/source/{SLUG}")
    page.get_by_role("link", name="Read the text with its facts").click()
    expect(page).to_have_url(site + READ)
    expect(page.locator(".sentence")).to_have_count(len(sentences(text)))
    expect(page.locator(".sentence.used mark")).to_have_count(len(quoted_sentences(text, quotes(store))))
    background = page.locator(".sentence.used mark").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    hrefs = page.locator("section.text a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    links_answer(site, [h for h in hrefs if h and not h.startswith("#")])
    tab.shot("pictures-source-read")
    assert tab.dialogs == [] and tab.errors == []
