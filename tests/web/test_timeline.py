"""/timeline and the timelines of entity pages, over a real build of the bundled data with Flask's client: the items
are the dated events a SPARQL query of the test finds, each says whether its date is stated or inferred as its
claims do, the filters narrow them, every link answers, and the same answer comes as Turtle, JSON-LD and CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from app.store import GraphStore
from app.web.render_explore import TIMELINE_HEADERS

PREFIXES = "PREFIX defcoop: <https://w3id.org/defcoop/ontology#>\n"
ID = "https://w3id.org/defcoop/id/"
START = URIRef("https://w3id.org/defcoop/ontology#startDate")


def dated(store: GraphStore, pattern: str = "") -> dict[str, str]:
    """Event IRI → `inferred` when every claim giving its start date is an editorial inference, else `stated`."""
    rows = store.select(PREFIXES + f"SELECT ?e ?status WHERE {{ GRAPH ?g {{ ?e defcoop:startDate ?d }} "
                                   f"?g defcoop:epistemicStatus ?status {pattern} }}")
    found: dict[str, set[str]] = {}
    for r in rows:
        found.setdefault(r["e"].value, set()).add(r["status"].value.rsplit("/", 1)[-1])
    return {e: "inferred" if s == {"editorial-inference"} else "stated" for e, s in found.items()}


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr class="item">(.*?)</tr>', html, re.S)


def test_timeline_lists_every_dated_event_with_the_footing_of_its_date(published_client: FlaskClient,
                                                                     store: GraphStore) -> None:
    expected = dated(store)
    assert expected
    html = published_client.get("/timeline").get_data(as_text=True)
    rows = rows_of(html)
    assert len(rows) == len(expected)
    assert html.count('<a class="item') == len(expected)  # one mark per event in the picture
    for event, status in expected.items():
        row = next(r for r in rows if f'href="/{event.removeprefix("https://w3id.org/defcoop/")}"' in r)
        assert f'<span class="status">{status}</span>' in row


def test_filters_narrow_the_timeline(published_client: FlaskClient, store: GraphStore) -> None:
    mig = dated(store, f"FILTER EXISTS {{ ?e defcoop:discussed <{ID}programme/mig-29-spare-parts> }}")
    assert 0 < len(mig) < len(dated(store))
    page = published_client.get("/timeline?programme=mig-29-spare-parts").get_data(as_text=True)
    assert len(rows_of(page)) == len(mig)
    russia = dated(store, f"FILTER EXISTS {{ {{ ?e defcoop:participant <{ID}country/russia> }} UNION "
                          f"{{ ?e defcoop:participant/defcoop:country <{ID}country/russia> }} }}")
    assert len(rows_of(published_client.get("/timeline?country=russia").get_data(as_text=True))) == len(russia)
    nothing = published_client.get("/timeline?country=atlantis")
    assert nothing.status_code == 200 and "No dated events match." in nothing.get_data(as_text=True)
    assert not rows_of(published_client.get("/timeline?from=1900&to=1901").get_data(as_text=True))


@pytest.mark.parametrize("query", ["from=20x5", "to=123456"])
def test_a_year_that_is_not_one_is_refused(published_client: FlaskClient, query: str) -> None:
    assert published_client.get(f"/timeline?{query}").status_code == 400


def test_every_timeline_link_answers(published_client: FlaskClient) -> None:
    html = published_client.get("/timeline").get_data(as_text=True)
    hrefs = set(re.findall(r'href="(/(?:id|timeline)[^"#]*)"', html))
    assert hrefs
    for href in sorted(hrefs):
        assert published_client.get(href.replace("&amp;", "&")).status_code == 200, href


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("jsonld", "json-ld")])
def test_timeline_as_rdf(published_client: FlaskClient, store: GraphStore, fmt: str, parser: str) -> None:
    response = published_client.get(f"/timeline?format={fmt}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format=parser)
    assert {str(s) for s in graph.subjects(START, None)} == set(dated(store))


def test_timeline_as_csv_with_spreadsheet_headers(published_client: FlaskClient, store: GraphStore) -> None:
    response = published_client.get("/timeline", headers={"Accept": "text/csv"})
    assert response.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == TIMELINE_HEADERS
    assert {r[-1] for r in rows[1:]} == set(dated(store))


@pytest.mark.parametrize(("path", "pattern"), [
    ("/id/country/india", f"FILTER EXISTS {{ {{ ?e defcoop:participant <{ID}country/india> }} UNION "
                          f"{{ ?e defcoop:participant/defcoop:country <{ID}country/india> }} }}"),
    ("/id/programme/mig-29-spare-parts",
     f"FILTER EXISTS {{ ?e defcoop:discussed <{ID}programme/mig-29-spare-parts> }}"),
])
def test_entity_pages_show_their_own_timeline(published_client: FlaskClient, store: GraphStore, path: str,
                                              pattern: str) -> None:
    expected = dated(store, pattern)
    assert expected
    html = published_client.get(path).get_data(as_text=True)
    assert len(rows_of(html)) == len(expected)
    assert 'href="/timeline?' in html


def test_an_entity_without_dated_events_has_no_timeline(published_client: FlaskClient) -> None:
    html = published_client.get("/id/person/sanjeev-kumar").get_data(as_text=True)
    assert 'class="timeline"' not in html


def test_any_entity_s_timeline_by_involving(published_client: FlaskClient, store: GraphStore) -> None:
    expected = dated(store, f"FILTER EXISTS {{ ?e defcoop:participant <{ID}firm-group/indian-defence-manufacturers> }}")
    assert expected
    html = published_client.get("/timeline?involving=firm-group/indian-defence-manufacturers").get_data(as_text=True)
    assert len(rows_of(html)) == len(expected)
    assert "Defence manufacturing companies from India" in html
    entity = published_client.get("/id/firm-group/indian-defence-manufacturers").get_data(as_text=True)
    assert 'href="/timeline?involving=firm-group/indian-defence-manufacturers"' in entity
    assert published_client.get("/timeline?involving=nonsense").status_code == 400
