"""A reader's journey through the site in headless Chromium, against `defcoop serve` on the real bundled build:
search → entity → related entity → citation → query page → example → results → entity. Screenshots of every
step go to tests/artifacts/screenshots/. Also: no horizontal scrolling on a phone, and hostile labels stay text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.config import ROOT
from tests.browser.conftest import PHONE, Tab
from tests.conftest import LiveServer
from tests.test_competency_questions import expected_rows

pytestmark = [pytest.mark.browser, pytest.mark.server]

INFERENCES = "Which facts did DefCoop's editors infer rather than read in the source?"
INFERRED_ROWS = len(expected_rows(ROOT / "ontology" / "competency-questions" / "09-editorial-inferences.rq")[1])
"""Rows the example query answers: its expected answer, so the journey follows the data."""
HOSTILE = "<script>alert(1)</script>"



@pytest.fixture(scope="module")
def hostile_site(live_server: Callable[..., LiveServer], hostile_build: Path) -> str:
    return live_server({"build_dir": hostile_build}).url


def test_search_follow_links_read_a_citation_then_query(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("DefCoop")
    tab.shot("01-home")

    page.get_by_role("searchbox", name="Search names").fill("Sanjeev")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=Sanjeev$"))
    tab.shot("02-search")

    page.locator("ul.hits").get_by_role("link", name="Sanjeev Kumar", exact=True).click()
    expect(page).to_have_url(site + "/id/person/sanjeev-kumar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sanjeev Kumar")
    tab.shot("03-person")

    page.get_by_role("link", name="Indian industrial delegation", exact=True).first.click()
    expect(page).to_have_url(site + "/id/delegation/indian-industrial-delegation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indian industrial delegation")
    citation = page.locator("figure.citation").filter(
        has=page.locator("blockquote", has_text="led by Defence Production Secretary Sanjeev Kumar.")
    ).first
    expect(citation).to_be_visible()
    expect(citation.locator(".status")).to_have_text("stated")
    citation.scroll_into_view_if_needed()
    tab.shot("04-delegation-citation")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="SPARQL").click()
    expect(page).to_have_url(site + "/sparql")
    expect(page.get_by_role("heading", level=1)).to_have_text("SPARQL query")
    tab.shot("05-query-page")

    page.get_by_role("link", name=INFERENCES).click()
    editor = page.get_by_role("textbox", name="Query")
    expect(editor).to_be_focused()
    expect(editor).to_have_value(re.compile(r"SELECT \?claim \?subject \?property \?value"))
    tab.shot("06-example-loaded")

    page.get_by_role("button", name="Run query").click()
    table = page.locator("table.results")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(["?claim", "?subject", "?property", "?value"])
    expect(table.locator("tbody tr")).to_have_count(INFERRED_ROWS)
    expect(page.locator("section.results .summary")).to_contain_text(f"{INFERRED_ROWS} rows")
    csv = page.get_by_role("link", name="CSV")
    expect(csv).to_have_attribute("href", re.compile(r"^/sparql\?query=.+&format=csv$"))
    assert editor.input_value().startswith("PREFIX")  # the query stays in the editor
    tab.shot("07-results")

    link = table.locator('tbody a[href^="/id/visit/"]').first
    target = link.get_attribute("href")
    assert target and link.get_attribute("title") == "https://w3id.org/defcoop" + target
    link.click()
    expect(page).to_have_url(site + target)
    expect(page.locator("p.iri")).to_have_text("https://w3id.org/defcoop" + target)
    tab.shot("08-entity-from-results")
    assert tab.dialogs == [] and tab.errors == []


def test_query_page_works_without_script_and_shows_errors(site: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/sparql")
        page.get_by_role("link", name=INFERENCES).click()  # a plain link: the page comes back with the query
        expect(page).to_have_url(re.compile(r"/sparql\?example=09-editorial-inferences$"))
        page.get_by_role("button", name="Run query").click()
        expect(page.locator("table.results tbody tr")).to_have_count(INFERRED_ROWS)
        page.get_by_role("textbox", name="Query").fill("SELECT * WHERE { ?s ?p }")
        page.get_by_role("button", name="Run query").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("400 Bad Request")
        expect(alert).to_contain_text("SPARQL syntax error")
        expect(page.get_by_role("textbox", name="Query")).to_have_value("SELECT * WHERE { ?s ?p }")
        Tab(page).shot("09-query-error")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("name", "path"),
    [("delegation", "/id/delegation/indian-industrial-delegation"),
     ("meeting", "/id/meeting/india-russia-defence-industry-moscow-october"),
     ("query-results", "/sparql?example=09-editorial-inferences")],
)
def test_phone_has_no_horizontal_scroll(site: str, open_tab: Callable[..., Tab], name: str, path: str) -> None:
    tab = open_tab(viewport=PHONE)
    page = tab.page
    page.goto(site + path)
    if "example=" in path:
        page.get_by_role("button", name="Run query").click()
        expect(page.locator("table.results")).to_be_visible()
    tab.shot(f"phone-{name}")
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{path} is {width} px wide on a {inner} px phone"


@pytest.mark.parametrize(
    ("name", "path", "where"),
    [("entity", "/id/person/xss-official", "h1"),
     ("search", "/search?q=%3Cscript%3E", "ul.hits"),
     ("query", "/sparql?query=" + "SELECT%20%3Fl%20WHERE%20%7B%20%3Chttps%3A%2F%2Fw3id.org%2Fdefcoop%2Fid%2Fperson"
      "%2Fxss-official%3E%20%3Chttp%3A%2F%2Fwww.w3.org%2F2000%2F01%2Frdf-schema%23label%3E%20%3Fl%20%7D",
      "table.results")],
)
def test_hostile_label_shows_as_text_and_runs_nothing(
    hostile_site: str, open_tab: Callable[..., Tab], name: str, path: str, where: str
) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(hostile_site + path)
    expect(page.locator(where)).to_contain_text(HOSTILE)
    injected = page.evaluate(
        "[...document.scripts].filter(s => s.type !== 'application/ld+json' && s.text.includes('alert(1)')).length"
    )
    assert injected == 0
    page.wait_for_timeout(300)  # give an injected script time to fire
    tab.shot(f"xss-{name}")
    assert tab.dialogs == [] and tab.errors == []
