"""Canned queries: every competency question as a page with its answer, parameters, a chart and downloads."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from flask.testing import FlaskClient

from app.config import ROOT
from app.pipeline.publish import Published
from app.web import create_app
from app.web.examples import examples
from tests.test_competency_questions import expected_rows

QUESTIONS = {e.slug: e for e in examples()}
INDIA, RUSSIA = "https://w3id.org/defcoop/id/country/india", "https://w3id.org/defcoop/id/country/russia"


@pytest.fixture(scope="module")
def client(published: Published) -> FlaskClient:
    return create_app({"build_dir": published.release.path.parent.parent}).test_client()


def _rows(page: str) -> int:
    results = page.split('<table class="results">', 1)[1].split("</table>", 1)[0]
    return results.split("<tbody>", 1)[1].count("<tr>")


def test_the_questions_page_links_every_question(client: FlaskClient) -> None:
    page = client.get("/questions").get_data(as_text=True)
    for slug, example in QUESTIONS.items():
        assert f'href="/questions/{slug}"' in page
        assert example.question in html.unescape(page)


@pytest.mark.parametrize("slug", sorted(QUESTIONS))
def test_each_question_page_shows_its_expected_answer(client: FlaskClient, slug: str) -> None:
    answer = client.get(f"/questions/{slug}")
    assert answer.status_code == 200
    _, expected = expected_rows(ROOT / "ontology" / "competency-questions" / f"{slug}.rq")
    assert _rows(answer.get_data(as_text=True)) == len(expected)


def test_a_parameter_changes_the_answer_and_is_checked(client: FlaskClient) -> None:
    swapped = client.get(f"/questions/13-india-russia-programmes?first={RUSSIA}&second={INDIA}")
    assert _rows(swapped.get_data(as_text=True)) == 1
    russia = client.get(f"/questions/11-india-objectives?country={RUSSIA}").get_data(as_text=True)
    india = client.get("/questions/11-india-objectives").get_data(as_text=True)
    assert _rows(india) == 4 and _rows(russia) == 0
    assert f'<option value="{RUSSIA}" selected>' in russia
    moscow = "https://w3id.org/defcoop/id/city/moscow"
    refused = client.get(f"/questions/11-india-objectives?country={moscow}")
    assert refused.status_code == 400 and "Country" in refused.get_data(as_text=True)
    assert client.get("/questions/11-india-objectives?country=not%20an%20iri").status_code == 400
    assert client.get("/questions/no-such-question").status_code == 404


def test_a_counting_answer_is_drawn_as_bars(client: FlaskClient) -> None:
    page = client.get("/questions/16-claims-by-status").get_data(as_text=True)
    _, expected = expected_rows(ROOT / "ontology" / "competency-questions" / "16-claims-by-status.rq")
    bars = re.findall(r'<rect [^>]*class="bar"><title>([^<]*)</title>', page)
    assert bars == [f"{label}: {count}" for label, count in expected]
    widths = [float(w) for w in re.findall(r'width="([\d.]+)" class="bar"', page)]
    assert widths == sorted(widths, reverse=True) and widths[0] == 340.0
    assert "<svg" not in client.get("/questions/11-india-objectives").get_data(as_text=True)


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _timeline_items(page: str) -> list[tuple[str, str]]:
    """(link, tooltip) of each item of the question's timeline picture."""
    if '<figure class="timeline">' not in page:
        return []
    figure = page.split('<figure class="timeline">', 1)[1].split("</figure>", 1)[0]
    return [(html.unescape(h), html.unescape(t))
            for h, t in re.findall(r'<a class="item[^"]*" href="([^"]+)">\s*<title>([^<]*)</title>', figure)]


@pytest.mark.parametrize(("slug", "date_column", "linked"), [("02-meetings-where-when", "start", "iri"),
                                                             ("09-editorial-inferences", "value", "claim")])
def test_a_dated_answer_is_drawn_on_a_timeline_beside_its_table(client: FlaskClient, slug: str, date_column: str,
                                                                linked: str) -> None:
    page = client.get(f"/questions/{slug}").get_data(as_text=True)
    columns, expected = expected_rows(ROOT / "ontology" / "competency-questions" / f"{slug}.rq")
    dated = [row for row in expected if DAY.match(row[columns.index(date_column)])]
    items = _timeline_items(page)
    assert dated and len(items) == len(dated) and _rows(page) == len(expected)  # the table stays, every row
    assert {h for h, _ in items} == {row[columns.index(linked)].removeprefix("https://w3id.org/defcoop")
                                     for row in dated}  # each item links to its row's (first) IRI
    assert all(client.get(link).status_code == 200 for link, _ in items)


def test_an_answer_without_dates_has_no_timeline(client: FlaskClient) -> None:
    assert _timeline_items(client.get("/questions/16-claims-by-status").get_data(as_text=True)) == []
    assert '<figure class="timeline">' not in client.get("/questions/11-india-objectives").get_data(as_text=True)


def test_the_answer_downloads_as_csv_with_its_columns(client: FlaskClient) -> None:
    page = client.get("/questions/16-claims-by-status").get_data(as_text=True)
    link = html.unescape(re.search(r'<a href="([^"]+)" download="results.csv"', page).group(1))  # type: ignore[union-attr]
    table = list(csv.reader(io.StringIO(client.get(link).get_data(as_text=True))))
    header, expected = expected_rows(ROOT / "ontology" / "competency-questions" / "16-claims-by-status.rq")
    assert table[0] == header and [tuple(r) for r in table[1:]] == expected


def test_a_claim_rows_timeline_labels_keep_the_property_they_date(client: FlaskClient) -> None:
    # regression: labels were cut at 56 characters, so a claim row's label ("visit:… · defcoop:startDate") lost
    # the property that tells its start from its end
    page = client.get("/questions/09-editorial-inferences").get_data(as_text=True)
    figure = page.split('<figure class="timeline">', 1)[1].split("</figure>", 1)[0]
    labels = [html.unescape(t) for t in re.findall(r"<text [^>]*text-anchor=\"(?:start|end)\">([^<]*)</text>", figure)]
    assert labels and all(label.endswith(("defcoop:startDate", "defcoop:endDate")) for label in labels), labels
