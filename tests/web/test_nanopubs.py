"""Every claim as a nanopublication (issue 10): /np/{claim} names its current trusty URI, which answers TriG that
the `nanopub` package accepts as a well-formed nanopublication with a valid trusty URI, holding exactly the claim's
facts as its assertion and the claim's description as their provenance."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from nanopub import Nanopub

from app.pipeline.publish import Published
from app.store import GraphStore
from app.vocab import RDF_TYPE
from app.web import create_app

BASE = "https://w3id.org/defcoop/"
NP = "http://www.nanopub.org/nschema#"


@pytest.fixture(scope="module")
def client(published: Published) -> FlaskClient:
    return create_app({"build_dir": published.release.path.parent.parent}).test_client()


def claims(store: GraphStore) -> list[str]:
    return sorted(r["c"].value for r in store.select(
        "SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/defcoop/ontology#Claim> GRAPH ?c { ?s ?p ?o } }"))


def test_every_claim_is_a_valid_nanopublication_with_a_trusty_uri(
        client: FlaskClient, store: GraphStore, tmp_path: Path) -> None:
    found = claims(store)
    assert len(found) > 20
    for claim in found:
        claim_id = claim.rsplit("/", 1)[-1]
        latest = client.get(f"/np/{claim_id}")
        assert latest.status_code == 303
        location = latest.headers["Location"]
        assert location.startswith(f"/np/{claim_id}/RA")
        answer = client.get(location)
        assert answer.status_code == 200 and answer.content_type.startswith("application/trig")
        trig = tmp_path / f"{claim_id}.trig"
        trig.write_bytes(answer.data)
        nanopub = Nanopub(rdf=trig)
        assert nanopub.source_uri == BASE + location.lstrip("/")
        assert nanopub.is_valid and nanopub.has_valid_trusty  # both raise when not

        quads = list(ox.parse(answer.data, format=ox.RdfFormat.TRIG))
        uri = nanopub.source_uri
        asserted = {ox.Triple(q.subject, q.predicate, q.object) for q in quads
                    if q.graph_name == ox.NamedNode(uri + "#assertion")}
        stated = set(store.triples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}"))
        assert asserted == stated
        provenance = {(q.predicate.value, q.object) for q in quads if q.graph_name == ox.NamedNode(uri + "#provenance")}
        assert ("http://www.w3.org/ns/prov#wasDerivedFrom", ox.NamedNode(
            BASE + "id/source/" + ("defcoop-reference" if claim_id.startswith("reference") else
                                   "india-russia-defence-manufacturing-moscow"))) in provenance
        assert any(p == BASE + "ontology#epistemicStatus" for p, _ in provenance)


def test_a_trusty_uri_names_one_content(client: FlaskClient, published: Published) -> None:
    """The same claim gives the same nanopublication (no build time inside it); any other code is not found."""
    location = client.get("/np/india-russia-moscow-06").headers["Location"]
    again = create_app({"build_dir": published.release.path.parent.parent}).test_client()
    assert again.get("/np/india-russia-moscow-06").headers["Location"] == location
    wrong = client.get(location[:-3] + "AAA")
    assert wrong.status_code == 404 and location in wrong.get_data(as_text=True)
    assert client.get("/np/no-such-claim").status_code == 404
    quads = client.get(location, headers={"Accept": "application/n-quads"})
    assert quads.content_type.startswith("application/n-quads")
    assert (ox.NamedNode(BASE + location.lstrip("/")), ox.NamedNode(NP + "hasAssertion")) in {
        (q.subject, q.predicate) for q in ox.parse(quads.data, format=ox.RdfFormat.N_QUADS)}


def test_a_claim_page_links_to_its_nanopublication(client: FlaskClient) -> None:
    page = client.get("/id/claim/india-russia-moscow-06", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<a href="/np/india-russia-moscow-06" type="application/trig">Nanopublication</a>' in page
    other = client.get("/id/country/india", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Nanopublication" not in other


def test_the_release_offers_every_claims_nanopublication_in_one_trig(
        client: FlaskClient, store: GraphStore, tmp_path: Path) -> None:
    answer = client.get("/downloads/nanopubs.trig")
    assert answer.status_code == 200 and answer.content_type.startswith("application/trig")
    dumped = set(ox.parse(answer.data, format=ox.RdfFormat.TRIG))
    heads = {q.subject.value for q in dumped
             if q.predicate.value == RDF_TYPE and q.object.value == NP + "Nanopublication"}
    served: set[ox.Quad] = set()
    for claim in claims(store):
        location = client.get(f"/np/{claim.rsplit('/', 1)[-1]}").headers["Location"]
        served |= set(ox.parse(client.get(location).data, format=ox.RdfFormat.TRIG))
        assert BASE + location.lstrip("/") in heads
    assert dumped == served and len(heads) == len(claims(store))
    one = sorted(heads)[0]
    trig = tmp_path / "one.trig"
    trig.write_bytes(ox.serialize([q for q in dumped if q.graph_name.value.startswith(one + "#")],
                                  format=ox.RdfFormat.TRIG))
    assert Nanopub(rdf=trig).has_valid_trusty
