"""Question pages in headless Chromium: a reader picks a question from the home page, reads its chart and table,
changes its parameter with the form, and downloads the answer."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from app.config import ROOT
from tests.browser.conftest import Tab
from tests.test_competency_questions import expected_rows

pytestmark = [pytest.mark.browser, pytest.mark.server]

COUNTS = ROOT / "ontology" / "competency-questions" / "16-claims-by-status.rq"
OBJECTIVES = ROOT / "ontology" / "competency-questions" / "11-india-objectives.rq"
INFERENCES = ROOT / "ontology" / "competency-questions" / "09-editorial-inferences.rq"



def test_a_reader_asks_a_question_and_changes_its_parameter(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/")
    page.get_by_role("link", name="How many claims does DefCoop hold").click()
    _, expected = expected_rows(COUNTS)
    expect(page.locator("svg .bar")).to_have_count(len(expected))
    expect(page.locator("table.results tbody tr")).to_have_count(len(expected))
    expect(page.locator("table.results tbody tr").first).to_contain_text(expected[0][0])
    tab.shot("question-counts")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "results.csv"

    page.goto(site + "/questions")
    page.get_by_role("link", name="What does India aim for in defence production?").click()
    expect(page.locator("table.results tbody tr")).to_have_count(len(expected_rows(OBJECTIVES)[1]))
    page.get_by_label("Country").select_option(label="Russia")
    page.get_by_role("button", name="Ask").click()
    expect(page).to_have_url(re.compile(r"country=https"))
    expect(page.locator("table.results tbody tr")).to_have_count(0)  # the article states no Russian objective
    tab.shot("question-parameters")
    assert not tab.errors and not tab.dialogs


def test_a_dated_answer_shows_its_rows_on_a_timeline(site: str, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site + "/questions")
    page.get_by_role("link", name="Which facts did DefCoop's editors infer rather than read in the source?").click()
    columns, expected = expected_rows(INFERENCES)
    dated = [row for row in expected if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[columns.index("value")])]
    items = page.locator("figure.timeline a.item")
    expect(items).to_have_count(len(dated))
    expect(page.locator("table.results tbody tr")).to_have_count(len(expected))
    assert page.locator("figure.timeline svg").bounding_box()["width"] > 300  # type: ignore[index]
    tab.shot("question-timeline")
    links = [items.nth(n).get_attribute("href") for n in range(items.count())]
    for link in links:
        assert page.request.get(site + link).status == 200  # type: ignore[operator]
    items.first.click()
    expect(page).to_have_url(re.compile(r"/id/claim/"))
    assert not tab.errors and not tab.dialogs
