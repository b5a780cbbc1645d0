"""Facets on class pages (Datasette style) and the class page as CSV: each facet value with its count, values that
narrow the list and combine, the state in the URL."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from flask.testing import FlaskClient

from app.pipeline.publish import Published
from app.store import GraphStore
from app.web import create_app

INDIA = "https://w3id.org/defcoop/id/country/india"
STATED = "https://w3id.org/defcoop/id/epistemic-status/stated"


@pytest.fixture(scope="module")
def client(published: Published) -> FlaskClient:
    return create_app({"build_dir": published.release.path.parent.parent}).test_client()


def _total(page: str) -> int:
    return int(re.search(r"<strong>([\d,]+)</strong> instances?", page).group(1).replace(",", ""))  # type: ignore[union-attr]


def _facet_links(page: str, title: str) -> dict[str, tuple[str, int]]:
    """label → (url, count) of one facet's values."""
    section = page.split(f"<h3>{title}</h3>", 1)[1].split("</section>", 1)[0]
    return {html.unescape(label): (html.unescape(url), int(count.replace(",", "")))
            for url, label, count in re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="count">([\d,]+)</span>',
                                                section)}


def test_a_facet_counts_what_each_value_would_leave(client: FlaskClient, store: GraphStore) -> None:
    page = client.get("/class/Event").get_data(as_text=True)
    countries = _facet_links(page, "Country")
    expected = {r["label"].value: int(r["n"].value) for r in store.select(
        "SELECT ?label (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a <https://w3id.org/defcoop/ontology#Event> ; ?p ?c . "
        "?c a <https://w3id.org/defcoop/ontology#Country> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
        "GROUP BY ?label")}
    assert {label: n for label, (_, n) in countries.items()} == expected
    for url, count in countries.values():
        assert _total(client.get(url).get_data(as_text=True)) == count


def test_facets_combine_and_each_can_be_dropped(client: FlaskClient) -> None:
    india_url = _facet_links(client.get("/class/Event").get_data(as_text=True), "Country")["India"][0]
    india = client.get(india_url).get_data(as_text=True)
    assert "Only those with" in india and "<h3>Country</h3>" not in india
    years = _facet_links(india, "Year")
    assert years, "the events linked to India have dates"
    year, (both_url, count) = next(iter(years.items()))
    assert f"country={INDIA}" in both_url and f"year={year}" in both_url  # the state is in the URL
    both = client.get(both_url).get_data(as_text=True)
    assert _total(both) == count <= _total(india)
    drop_year = html.unescape(re.search(rf'<a href="([^"]+)" aria-label="remove year {year}"', both).group(1))  # type: ignore[union-attr]
    assert _total(client.get(drop_year).get_data(as_text=True)) == _total(india)


def test_claims_narrow_by_their_epistemic_status(client: FlaskClient, store: GraphStore) -> None:
    statuses = _facet_links(client.get("/class/Claim").get_data(as_text=True), "Epistemic status")
    stated = store.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/defcoop/ontology#Claim> ; "
                          f"<https://w3id.org/defcoop/ontology#epistemicStatus> <{STATED}> }}")
    assert statuses["stated"][1] == int(stated[0]["n"].value)


@pytest.mark.parametrize("query", ["country=not-an-iri", "year=20x", "year=2025%22%20%7D"])
def test_a_bad_facet_value_is_400(client: FlaskClient, query: str) -> None:
    assert client.get(f"/class/Event?{query}").status_code == 400


def test_a_class_page_as_csv(client: FlaskClient) -> None:
    page = client.get("/class/Event").get_data(as_text=True)
    link = html.unescape(re.search(r'<p class="csv">This page as a table: <a href="([^"]+)">CSV</a>', page).group(1))  # type: ignore[union-attr]
    answer = client.get(link)
    assert answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["iri", "label"] and len(rows) - 1 == _total(page)
    assert all(html.escape(label) in page for _, label in rows[1:])
    narrowed = client.get(f"/class/Event?country={INDIA}", headers={"Accept": "text/csv"})
    assert len(list(csv.reader(io.StringIO(narrowed.get_data(as_text=True))))) - 1 == \
        _total(client.get(f"/class/Event?country={INDIA}").get_data(as_text=True))


def test_search_matches_as_csv(client: FlaskClient) -> None:
    page = client.get("/search?q=moscow").get_data(as_text=True)
    link = html.unescape(re.search(r'These matches as a table: <a href="([^"]+)">CSV</a>', page).group(1))  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert rows and {r["iri"].removeprefix("https://w3id.org/defcoop") for r in rows} == \
        set(re.findall(r'<li><a href="(/id/[^"]+)">', page))
    assert any(r["iri"].endswith("/city/moscow") and "City" in r["types"] for r in rows)


# --- facets on the search page ------------------------------------------------------------------------------

RUSSIA = "https://w3id.org/defcoop/id/country/russia"


def _hits(page: str) -> list[str]:
    """The local paths of the hits a search page lists."""
    return re.findall(r'<li><a href="(/id/[^"]+)">', page.split('<ul class="hits">', 1)[1].split("</ul>", 1)[0])


def test_search_facets_count_the_matches_and_each_value_narrows_them(client: FlaskClient, store: GraphStore) -> None:
    page = client.get("/search?q=moscow").get_data(as_text=True)
    hits = _hits(page)
    assert "Counts are over all " in page and "more entities match" not in page
    iris = " ".join(f"<https://w3id.org/defcoop{h}>" for h in hits)
    expected = {r["label"].value: int(r["n"].value) for r in store.select(
        f"SELECT ?label (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?x {{ {iris} }} ?x ?p ?c . "
        "?c a <https://w3id.org/defcoop/ontology#Country> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
        "GROUP BY ?label")}
    countries = _facet_links(page, "Country")
    assert expected and {label: n for label, (_, n) in countries.items()} == expected
    for url, count in countries.values():
        narrowed = _hits(client.get(url).get_data(as_text=True))
        assert len(narrowed) == count and set(narrowed) <= set(hits)


def test_search_facets_combine_round_trip_in_the_url_and_reach_the_csv(client: FlaskClient) -> None:
    everything = _hits(client.get("/search?q=moscow").get_data(as_text=True))
    russia = client.get(f"/search?q=moscow&country={RUSSIA}").get_data(as_text=True)
    assert "<h3>Country</h3>" not in russia and "country: <strong>Russia</strong>" in russia
    label, (both_url, count) = next(iter(_facet_links(russia, "Programme").items()))
    assert f"country={RUSSIA}" in both_url and "programme=" in both_url and "q=moscow" in both_url
    both = client.get(both_url).get_data(as_text=True)
    assert len(_hits(both)) == count <= len(_hits(russia)) < len(everything)
    assert f"programme: <strong>{html.escape(label)}</strong>" in both
    drop = html.unescape(re.search(r'<a href="([^"]+)" aria-label="remove programme', both).group(1))  # type: ignore[union-attr]
    assert _hits(client.get(drop).get_data(as_text=True)) == _hits(russia)
    link = html.unescape(re.search(r'These matches as a table: <a href="([^"]+)">CSV</a>', both).group(1))  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert [r["iri"].removeprefix("https://w3id.org/defcoop") for r in rows] == _hits(both)


def test_search_facet_counts_say_when_they_are_over_the_hits_shown(published: Published) -> None:
    capped = create_app({"build_dir": published.release.path.parent.parent, "page_link_limit": 2}).test_client()
    page = capped.get("/search?q=moscow").get_data(as_text=True)
    assert len(_hits(page)) == 2 and "Counts are over the 2 matches shown; more entities match." in page
    assert all(n <= 2 for _, n in _facet_links(page, "Country").values())


@pytest.mark.parametrize("query", ["country=not-an-iri", "year=20x"])
def test_a_bad_search_facet_value_is_400(client: FlaskClient, query: str) -> None:
    assert client.get(f"/search?q=moscow&{query}").status_code == 400
