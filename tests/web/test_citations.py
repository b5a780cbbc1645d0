"""Every fact on an entity page links to its citation: the quote, the source and the footing it stands on."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

MEETING = "/id/meeting/india-russia-defence-industry-moscow-october"


def notes(html: str) -> dict[str, str]:
    """Footnote number → the HTML of that citation."""
    return dict(re.findall(r'<li id="note-(\d+)">(.*?)</li>', html, re.S))


def refs_after(html: str, label: str) -> list[str]:
    """Footnote numbers cited by the first value of the property labelled `label`."""
    block = html.split(f">{label}</a>", 1)[1].split("</dd>", 1)[0]
    return re.findall(r'href="#note-(\d+)"', block)


def test_every_reference_points_at_a_listed_citation(published_client: FlaskClient) -> None:
    html = published_client.get(MEETING).get_data(as_text=True)
    cited = set(re.findall(r'href="#note-(\d+)"', html))
    listed = notes(html)
    assert cited and cited == set(listed)
    for body in listed.values():
        assert "<blockquote" in body and "Source:" in body


def test_inferred_year_cites_the_editorial_inference_and_its_rationale(published_client: FlaskClient) -> None:
    html = published_client.get(MEETING).get_data(as_text=True)
    (number,) = refs_after(html, "start date")
    note = notes(html)[number]
    assert "editorial inference" in note and "Rationale:" in note and "2025" in note
    assert "meetings held in Moscow between October 29-30" in note


def test_stated_day_cites_unnamed_industry_sources(published_client: FlaskClient) -> None:
    html = published_client.get(MEETING).get_data(as_text=True)
    (number,) = refs_after(html, "stated start day")
    note = notes(html)[number]
    assert "attributed to unnamed sources" in note
    assert "according to industry sources familiar with the discussions" in note


def test_alignment_duplicates_are_folded_away(published_client: FlaskClient) -> None:
    html = published_client.get(MEETING).get_data(as_text=True)
    facts, folded = html.split('<details class="alignments">', 1)
    assert "attendee" not in facts.split("<h2>Facts</h2>", 1)[1]
    assert "attendee" in folded.split("</details>", 1)[0]


def test_schema_org_event_status_is_shown_by_name(published_client: FlaskClient) -> None:
    html = published_client.get("/id/visit/india-russia-bilateral-visit-december",
                                headers={"Accept": "text/html"}).get_data(as_text=True)
    block = html.split(">event status</a>", 1)[1].split("</dd>", 1)[0]
    assert ">scheduled</a>" in block and ">https://schema.org/EventScheduled<" not in block
