"""A cooperation profile per pair of countries (issue 9 §3): events involving both, programmes, each side's
participants, the figures that relate them with their claims; as HTML, CSV and RDF."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from app.config import Settings
from app.pipeline.publish import Published
from app.store import GraphStore
from app.web import create_app

D = "https://w3id.org/defcoop/ontology#"
profile_queries = importlib.import_module("app.web.queries.profile")  # the package exports functions of these names
timeline_queries = importlib.import_module("app.web.queries.timeline")
INDIA, RUSSIA = "https://w3id.org/defcoop/id/country/india", "https://w3id.org/defcoop/id/country/russia"


@pytest.fixture(scope="module")
def client(published: Published) -> FlaskClient:
    return create_app({"build_dir": published.release.path.parent.parent}).test_client()


@pytest.fixture(scope="module")
def rows(client: FlaskClient) -> list[dict[str, str]]:
    answer = client.get("/profile/india/russia?format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def _of(rows: list[dict[str, str]], part: str) -> set[str]:
    return {r["IRI"] for r in rows if r["part"] == part}


def test_the_profile_lists_the_dated_events_involving_both(rows: list[dict[str, str]], store: GraphStore) -> None:
    expected = {r["e"].value for r in store.select(
        f"PREFIX d: <{D}> SELECT DISTINCT ?e WHERE {{ ?e d:startDate ?date ; d:participant ?a . "
        f"{{ ?a d:country <{INDIA}> }} UNION {{ ?e d:participant <{INDIA}> }} "
        f"{{ ?e d:location/d:inCountry <{RUSSIA}> }} UNION {{ ?e d:participant <{RUSSIA}> }} }}")}
    assert _of(rows, "event") == expected and len(expected) == 2


def test_the_profile_names_programmes_sides_and_figures(rows: list[dict[str, str]], store: GraphStore) -> None:
    discussed = {r["p"].value for r in store.select(
        f"PREFIX d: <{D}> SELECT DISTINCT ?p WHERE {{ {{ ?e d:discussed ?p ; d:location/d:inCountry <{RUSSIA}> }} "
        f"UNION {{ ?p d:partner <{INDIA}>, <{RUSSIA}> }} }}")}
    assert _of(rows, "programme") == discussed
    sides = {(r["IRI"].rsplit("/", 1)[-1], r["detail"]) for r in rows if r["part"] == "participant"}
    assert ("indian-industrial-delegation", "India") in sides and ("russian-defence-manufacturers", "Russia") in sides
    (figure,) = [r for r in rows if r["part"] == "figure"]
    assert figure["IRI"].endswith("india-military-equipment-russian-origin-share")
    assert "stated" in figure["detail"] and "36" in figure["detail"]


def test_the_profile_page_shows_its_parts_with_their_citations(client: FlaskClient, rows: list[dict[str, str]]) -> None:
    page = client.get("/profile/india/russia").get_data(as_text=True)
    for r in rows:
        assert r["IRI"].removeprefix("https://w3id.org/defcoop") in page
    assert "<q>" in page and "india-russia-moscow-06" in page  # the figure's quote and claim
    assert page.count('class="timeline') >= 1


def test_the_profile_as_rdf(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/profile/india/russia", headers={"Accept": "text/turtle"}).data,
                          format="turtle")
    share = URIRef("https://w3id.org/defcoop/id/quantity/india-military-equipment-russian-origin-share")
    assert any(isinstance(v, Literal) and v.toPython() == 36 for v in graph.objects(share, URIRef(D + "value")))
    assert (URIRef("https://w3id.org/defcoop/id/delegation/indian-industrial-delegation"), URIRef(D + "country"),
            URIRef(INDIA)) in graph


@pytest.mark.parametrize("path", ["/profile/india/india", "/profile/india/moscow", "/profile/nowhere/russia"])
def test_a_profile_needs_two_different_countries(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_profiles_offers_the_countries_and_sends_to_the_pair(client: FlaskClient) -> None:
    page = client.get("/profiles").get_data(as_text=True)
    assert '<option value="india"' in page and '<option value="russia"' in page
    answer = client.get("/profiles?first=russia&second=india")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/profile/russia/india")



@pytest.mark.parametrize("chooser", ["event index", "graph"])
def test_a_pair_with_more_events_than_read_at_once_has_the_same_profile(
        generated: tuple[GraphStore, Settings], chooser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the events of both countries are read once and named in the profile's queries; past EVENTS_READ they are not,
    # and each query evaluates the sub-selects again: the profile must not change
    store, settings = generated
    if chooser == "graph":  # as for a release without an event index
        monkeypatch.setattr(store, "release_dir", None)
    india_only = store.select(f"SELECT ?e WHERE {{ {timeline_queries.events_among(store, INDIA)} }}")
    both = store.select(f"SELECT ?e WHERE {{ {timeline_queries.events_among(store, INDIA, RUSSIA)} }}")
    assert 0 < len(both) < len(india_only), "the data would not tell the pair from one country"
    named = profile_queries.profile(store, settings, INDIA, RUSSIA)
    monkeypatch.setattr(timeline_queries, "EVENTS_READ", 0)
    assert timeline_queries.events_among(store, INDIA, RUSSIA).startswith("{ SELECT DISTINCT ?e")
    repeated = profile_queries.profile(store, settings, INDIA, RUSSIA)
    assert named is not None and named.timeline.items and repeated == named
