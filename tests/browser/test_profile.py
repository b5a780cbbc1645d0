"""A cooperation profile in headless Chromium: a reader chooses two countries and reads their profile."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Tab

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_a_reader_opens_the_india_russia_profile(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/")
    page.get_by_role("link", name="Profiles").click()
    page.get_by_label("Country").select_option(label="India")
    page.get_by_label("and").select_option(label="Russia")
    page.get_by_role("button", name="Show the profile").click()
    expect(page.locator("h1")).to_have_text("India and Russia")
    events = page.locator(".profile-events table.timeline-items tbody tr")
    expect(events).to_have_count(2)
    expect(page.locator(".profile-quantities tbody tr")).to_have_count(1)
    expect(page.locator(".profile-sides .side")).to_have_count(2)
    tab.shot("profile-india-russia")
    events.first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("Moscow")
    assert not tab.errors and not tab.dialogs
