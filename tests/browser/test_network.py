"""The cooperation network in headless Chromium: it draws, every node is a link, and a reader reaches a page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Tab

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_a_reader_follows_a_node_of_the_network(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/")
    page.get_by_role("link", name="Network").click()
    nodes = page.locator("svg a.node")
    expect(nodes.first).to_be_visible()
    rows = page.locator("table.links tbody tr")
    assert page.locator("svg g.edge").count() == rows.count() > 10
    tab.shot("network")
    page.locator('svg a.node[href="/id/city/moscow"]').click()
    expect(page.locator("h1")).to_have_text("Moscow")
    assert not tab.errors and not tab.dialogs
