"""The cooperation network (/graph): the dated events with who took part, where, what was discussed and the
countries behind them; every node and link drawn, listed in the table and in the downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from app.pipeline.publish import Published
from app.store import GraphStore
from app.web import create_app

D = "https://w3id.org/defcoop/ontology#"


@pytest.fixture(scope="module")
def client(published: Published) -> FlaskClient:
    return create_app({"build_dir": published.release.path.parent.parent}).test_client()


def test_the_network_draws_every_dated_event_and_what_it_links_to(client: FlaskClient, store: GraphStore) -> None:
    page = client.get("/graph").get_data(as_text=True)
    drawn = set(re.findall(r'<a class="node" href="([^"]+)">', page))
    events = {r["e"].value for r in store.select(f"SELECT DISTINCT ?e WHERE {{ ?e <{D}startDate> ?d }}")}
    places = {r["x"].value for r in store.select(
        f"SELECT DISTINCT ?x WHERE {{ ?e <{D}startDate> ?d ; <{D}location> ?x }}")}
    expected = {iri.removeprefix("https://w3id.org/defcoop") for iri in events | places}
    assert expected <= drawn
    for path in drawn:
        assert client.get(path).status_code == 200, path


def test_the_links_as_csv_are_the_links_drawn(client: FlaskClient) -> None:
    page = client.get("/graph").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/graph?format=csv").get_data(as_text=True))))
    assert len(rows) == len(re.findall(r'<g class="edge[ "]', page)) == page.count('<tr class="link">') > 10
    assert {"location", "participant", "discussed"} <= {r["link"] for r in rows}


def test_the_network_as_rdf(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/graph", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert (URIRef("https://w3id.org/defcoop/id/city/moscow"), URIRef(D + "inCountry"),
            URIRef("https://w3id.org/defcoop/id/country/russia")) in graph


def test_filters_narrow_the_network(client: FlaskClient) -> None:
    later = client.get("/graph?from=2100").get_data(as_text=True)
    assert "No dated event matches." in later and "<svg" not in later
    assert client.get("/graph?from=soon").status_code == 400
    india = client.get("/graph?country=india").get_data(as_text=True)
    assert '<option value="india" selected>' in india and "<svg" in india
