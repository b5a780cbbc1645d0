"""Facets in headless Chromium: a reader narrows the events to India, then to a year, then drops the country."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Tab

pytestmark = [pytest.mark.browser, pytest.mark.server]



def test_a_reader_narrows_a_class_page_with_facets(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/class/Event")
    listed = page.locator("ul.instances li")
    everything = listed.count()
    country = page.locator("section.facet", has=page.get_by_role("heading", name="Country"))
    india = country.locator("li").filter(has_text="India")
    expected = int(india.locator(".count").inner_text())
    india.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"country="))
    expect(listed).to_have_count(expected)
    expect(page.locator(".facets-chosen")).to_contain_text("India")
    year = page.locator("section.facet", has=page.get_by_role("heading", name="Year")).get_by_role("link").first
    year.click()
    expect(page).to_have_url(re.compile(r"country=.*year=|year=.*country="))
    tab.shot("class-facets")
    page.get_by_label(re.compile("remove country")).click()
    expect(page).not_to_have_url(re.compile(r"country="))
    assert listed.count() <= everything
    assert not tab.errors and not tab.dialogs


def test_a_reader_narrows_search_matches_with_facets(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/search")
    page.get_by_label("Names, alternative names and titles containing").fill("moscow")
    page.get_by_role("button", name="Search").click()
    hits = page.locator("ul.hits > li")
    everything = hits.count()
    russia = page.locator("section.facet", has=page.get_by_role("heading", name="Country")).locator("li").filter(
        has_text="Russia")
    expected = int(russia.locator(".count").inner_text())
    assert 0 < expected < everything
    russia.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"q=moscow.*country="))
    expect(hits).to_have_count(expected)
    expect(page.locator(".facets-chosen")).to_contain_text("Russia")
    tab.shot("search-facets")
    assert not tab.errors and not tab.dialogs


def test_a_new_search_keeps_the_chosen_facets(site: str, open_tab: Callable[..., Tab]) -> None:
    # regression: the search form dropped the facets chosen (they stay on the page, each with its ×)
    tab = open_tab()
    page = tab.page
    page.goto(site + "/search?q=moscow&country=https://w3id.org/defcoop/id/country/russia")
    page.get_by_label("Names, alternative names and titles containing").fill("russia")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=russia.*country="))
    expect(page.locator(".facets-chosen")).to_contain_text("Russia")
    assert not tab.errors and not tab.dialogs
