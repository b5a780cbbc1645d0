"""Releases over time in headless Chromium: a reader opens /releases after a second build, sees both releases,
follows the diff to the new claim, then looks at an entity as it was in the first release."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Tab
from tests.conftest import History, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def site(live_server: Callable[..., LiveServer], release_history: History) -> str:
    return live_server({"build_dir": release_history.build_dir}).url


def test_a_reader_sees_both_releases_and_their_diff(site: str, open_tab: Callable[..., Tab],
                                                    release_history: History) -> None:
    first, second = release_history.first, release_history.second
    tab = open_tab()
    page = tab.page
    page.goto(site + "/")
    page.get_by_role("link", name="Releases").click()
    rows = page.locator("table.releases tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(second.id)
    expect(rows.nth(0)).to_contain_text("current")
    expect(rows.nth(1)).to_contain_text(first.id)
    expect(rows.nth(1)).to_contain_text("first release")
    tab.shot("releases")
    rows.nth(0).get_by_role("link", name=f"diff with {first.id}").click()
    expect(page.locator("h1")).to_contain_text(f"Changes from {first.id} to {second.id}")
    added = page.locator("#added table.graphs tbody tr")
    expect(added).to_have_count(second.manifest["changes"]["graphs"]["added"])
    expect(page.locator("#added")).to_contain_text("claim/xss-label-01")
    tab.shot("release-diff")
    page.goto(f"{site}/releases/{first.id}/id/city/moscow")
    expect(page.locator(".pinned")).to_contain_text(first.id)
    expect(page.locator("h1")).to_contain_text("Moscow")
    tab.shot("entity-in-an-earlier-release")
    assert not tab.errors and not tab.dialogs
