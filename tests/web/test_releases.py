"""Releases over time on the site: /releases, one release, its downloads and entity pages as they were, diffs as
HTML, RDF Patch and N-Quads, VoID versions (Flask's test client; Memento over real HTTP is test_memento_live.py)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from app.vocab import DCAT
from app.web import create_app
from tests.conftest import EDITED_LABEL, History

NEW_CLAIM = "https://w3id.org/defcoop/id/claim/xss-label-01"


@pytest.fixture(scope="module")
def client(release_history: History) -> FlaskClient:
    return create_app({"build_dir": release_history.build_dir}).test_client()


def test_releases_lists_every_release_newest_first_with_its_changes(client: FlaskClient,
                                                                    release_history: History) -> None:
    listed = client.get("/releases?format=json").get_json()
    assert [r["id"] for r in listed] == [release_history.second.id, release_history.first.id]
    assert listed[0]["current"] and not listed[1]["current"]
    assert listed[0]["previous"] == release_history.first.id
    assert listed[0]["changes"]["claims"] == {"added": 1, "removed": 0}
    page = client.get("/releases").get_data(as_text=True)
    assert page.index(release_history.second.id) < page.index(release_history.first.id)
    assert f'/releases/{release_history.first.id}/diff/{release_history.second.id}' in page


def test_a_release_page_shows_its_inputs_and_what_changed(client: FlaskClient, release_history: History) -> None:
    page = client.get(f"/releases/{release_history.second.id}").get_data(as_text=True)
    assert "data/facts/xss-label.trig" in page
    assert release_history.second.manifest["inputs"]["data/facts/xss-label.trig"] in page
    assert f"/releases/{release_history.second.id}/downloads" in page


def test_an_unknown_release_is_404(client: FlaskClient) -> None:
    assert client.get("/releases/20000101T000000-000").status_code == 404
    assert client.get("/releases/20000101T000000-000/id/city/moscow").status_code == 404
    assert client.get("/releases/..%2F..%2Fetc/downloads").status_code == 404


def test_an_old_releases_downloads_stay_at_their_urls(client: FlaskClient, release_history: History) -> None:
    first = release_history.first
    answer = client.get(f"/releases/{first.id}/downloads/defcoop.nt")
    assert answer.status_code == 200
    assert answer.data == (first.downloads_dir / "defcoop.nt").read_bytes()
    assert answer.data != client.get("/downloads/defcoop.nt").data
    listing = client.get(f"/releases/{first.id}/downloads?format=json").get_json()
    assert listing["release"] == first.id


def test_an_entity_as_it_was_in_an_earlier_release(client: FlaskClient, release_history: History) -> None:
    old_label, new_label = (ox.parse(f"<x:s> <x:p> {n3} .".encode(), format=ox.RdfFormat.N_TRIPLES).__next__()
                            .object.value for n3 in EDITED_LABEL)
    subjects = {q.subject.value for q in ox.parse(path=str(release_history.second.downloads_dir / "defcoop.nt"),
                                                  format=ox.RdfFormat.N_TRIPLES) if q.object.value == new_label}
    (iri,) = subjects
    path = iri.removeprefix("https://w3id.org/defcoop")
    then = client.get(f"/releases/{release_history.first.id}{path}").get_data(as_text=True)
    now = client.get(path).get_data(as_text=True)
    assert old_label in then and new_label not in then
    assert new_label in now
    assert "You are looking at release" in then and "You are looking at release" not in now
    turtle = client.get(f"/releases/{release_history.first.id}{path}.ttl").get_data(as_text=True)
    assert old_label in turtle


def test_a_diff_lists_the_graphs_that_changed(client: FlaskClient, release_history: History) -> None:
    first, second = release_history.first, release_history.second
    page = client.get(f"/releases/{first.id}/diff/{second.id}").get_data(as_text=True)
    assert NEW_CLAIM in page
    assert "2 added" in page and "0 removed" in page


def _quads(data: bytes) -> set[ox.Quad]:
    return set(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def test_diff_downloads_turn_the_old_release_into_the_new(client: FlaskClient, release_history: History) -> None:
    first, second = release_history.first, release_history.second
    old = _quads((first.downloads_dir / "defcoop.nq").read_bytes())
    new = _quads((second.downloads_dir / "defcoop.nq").read_bytes())
    added = _quads(client.get(f"/releases/{first.id}/diff/{second.id}/added.nq").data)
    removed = _quads(client.get(f"/releases/{first.id}/diff/{second.id}/removed.nq").data)
    assert added == new - old and removed == old - new
    assert (old - removed) | added == new


def test_rdf_patch_of_a_diff(client: FlaskClient, release_history: History) -> None:
    first, second = release_history.first, release_history.second
    answer = client.get(f"/releases/{first.id}/diff/{second.id}.rdfp")
    assert answer.status_code == 200 and answer.mimetype == "application/rdf-patch"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == f"H id <http://localhost/releases/{second.id}> ."
    assert lines[1] == f"H prev <http://localhost/releases/{first.id}> ."
    assert lines[2] == "TX ." and lines[-1] == "TC ."
    rows = lines[3:-1]
    assert {r[0] for r in rows} == {"A", "D"}
    added = _quads("\n".join(r[2:] for r in rows if r.startswith("A ")).encode())
    assert added == _quads(client.get(f"/releases/{first.id}/diff/{second.id}/added.nq").data)


def test_void_describes_each_release_as_a_version(client: FlaskClient, release_history: History) -> None:
    first, second = release_history.first, release_history.second
    graph = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    data = URIRef("http://localhost/.well-known/void#defcoop")
    assert str(graph.value(data, DCAT.version)) == second.id
    previous = graph.value(data, DCAT.previousVersion)
    assert previous == URIRef(f"http://localhost/releases/{first.id}/.well-known/void#defcoop")
    assert str(graph.value(previous, DCAT.version)) == first.id
    assert graph.value(previous, DCTERMS.issued) is not None
    versions = set(graph.objects(data, DCAT.hasVersion))
    assert previous in versions
    old = Graph().parse(data=client.get(f"/releases/{first.id}/.well-known/void").data, format="turtle")
    dumps = {str(o) for o in old.objects(previous, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert f"http://localhost/releases/{first.id}/downloads/defcoop.nt" in dumps
    assert json.loads(client.get("/releases?format=json").data)[1]["id"] == first.id


def test_an_entity_page_says_when_its_claims_appeared_and_links_its_earlier_releases(
        client: FlaskClient, release_history: History) -> None:
    first, second = release_history.first, release_history.second
    moscow = client.get("/id/city/moscow").get_data(as_text=True)
    assert f"In DefCoop since release <a href=\"/releases/{first.id}\">" in moscow
    assert f'href="/releases/{first.id}/id/city/moscow"' in moscow
    assert 'href="/timemap/id/city/moscow"' in moscow
    person = client.get("/id/person/xss-official").get_data(as_text=True)
    assert f"In DefCoop since release <a href=\"/releases/{second.id}\">" in person
    assert "No earlier release names this entity." in person
    then = client.get(f"/releases/{first.id}/id/city/moscow").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/id/city/moscow">' in then


def test_pruning_keeps_the_promised_releases_and_answers_404_for_the_rest(tmp_path, data_copy) -> None:  # type: ignore[no-untyped-def]
    from app.pipeline import build
    from tests.conftest import settings_for

    settings = settings_for(tmp_path / "build", data_dir=data_copy, keep_releases=2)
    built = [build(settings).release for _ in range(3)]
    client = create_app({"build_dir": tmp_path / "build", "keep_releases": 2}).test_client()
    listed = [r["id"] for r in client.get("/releases?format=json").get_json()]
    assert listed == [built[2].id, built[1].id]
    assert client.get(f"/releases/{built[0].id}/id/city/moscow").status_code == 404
    assert client.get(f"/releases/{built[0].id}/downloads/defcoop.nt").status_code == 404
    assert client.get(f"/releases/{built[1].id}/id/city/moscow").status_code == 200
    assert client.get(f"/releases/{built[1].id}/diff/{built[2].id}").status_code == 200
    assert built[2].manifest["changes"]["previous"] == built[1].id
