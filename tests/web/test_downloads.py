"""Downloads: every dump of a real build is listed, served at a stable URL, parses, and is what the manifest says."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from pyld import jsonld
from rdflib import Dataset, Graph

from app.pipeline.publish import Published

DOWNLOADS = ["defcoop.ttl", "defcoop.nt", "defcoop.rdf", "defcoop.jsonld", "defcoop.trig", "defcoop.nq",
             "ontology.ttl", "ontology.rdf", "ontology.nt", "ontology.jsonld", "shapes.ttl", "nanopubs.trig"]
QUADS = {"defcoop.trig", "defcoop.nq", "nanopubs.trig"}
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples", "rdf": "application/rdf+xml",
                 "jsonld": "application/ld+json", "trig": "application/trig", "nq": "application/n-quads"}


def no_remote_documents(url: str, options: Any = None) -> Any:
    raise AssertionError(f"a JSON-LD processor tried to fetch {url}")


def entry(published: Published, name: str) -> dict[str, Any]:
    return published.manifest["downloads"][name]


def test_the_manifest_lists_the_documented_downloads(published: Published) -> None:
    assert sorted(published.manifest["downloads"]) == sorted(DOWNLOADS)


def test_the_page_lists_every_file_with_what_it_is(published: Published, published_client: FlaskClient) -> None:
    response = published_client.get("/downloads", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    for name, info in published.manifest["downloads"].items():
        assert f'href="/downloads/{name}"' in page
        assert info["sha256"] in page
        assert info["media_type"] in page
        assert f"{info['bytes']:,} bytes" in page
        assert f"{info['triples']:,}" in page
    assert 'href="/.well-known/void"' in page and 'href="/context.jsonld"' in page


@pytest.mark.parametrize("how", [{"headers": {"Accept": "application/json"}}, {"query_string": {"format": "json"}}])
def test_the_listing_as_json_is_the_manifest(published: Published, published_client: FlaskClient,
                                             how: dict[str, Any]) -> None:
    response = published_client.get("/downloads", **how)
    assert response.status_code == 200 and response.content_type == "application/json"
    body = response.get_json()
    assert body["release"] == published.release.id
    assert [f["name"] for f in body["downloads"]] == list(published.manifest["downloads"])
    for listed in body["downloads"]:
        info = entry(published, listed["name"])
        assert listed["url"] == f"http://localhost/downloads/{listed['name']}"
        assert {k: listed[k] for k in ("media_type", "bytes", "triples", "sha256")} == {
            k: info[k] for k in ("media_type", "bytes", "triples", "sha256")}
        assert listed["description"]
    assert body["description"] == "http://localhost/.well-known/void"


@pytest.mark.parametrize("name", DOWNLOADS)
def test_each_download_is_the_file_the_manifest_describes(published: Published, published_client: FlaskClient,
                                                          name: str) -> None:
    response = published_client.get(f"/downloads/{name}")
    assert response.status_code == 200
    info = entry(published, name)
    extension = name.rsplit(".", 1)[1]
    assert response.headers["Content-Type"] == CONTENT_TYPES[extension]
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Link"] == '</.well-known/void>; rel="describedby"'
    assert len(response.data) == info["bytes"] == int(response.headers["Content-Length"])
    assert hashlib.sha256(response.data).hexdigest() == info["sha256"]


@pytest.mark.parametrize("name", DOWNLOADS)
def test_each_download_parses_with_rdflib_and_oxigraph_to_the_manifest_count(
    published: Published, published_client: FlaskClient, name: str
) -> None:
    body = published_client.get(f"/downloads/{name}").data
    info = entry(published, name)
    extension = name.rsplit(".", 1)[1]
    if name in QUADS:
        dataset = Dataset()
        dataset.parse(data=body, format=RDFLIB_FORMATS[extension])
        assert len(list(dataset.quads((None, None, None, None)))) == info["triples"]
    else:
        assert len(Graph().parse(data=body, format=RDFLIB_FORMATS[extension])) == info["triples"]
    parsed = list(ox.parse(body, format=ox.RdfFormat.from_media_type(info["media_type"])))
    assert len(set(parsed)) == info["triples"]


@pytest.mark.parametrize("name", ["defcoop.jsonld", "ontology.jsonld"])
def test_json_ld_expands_with_its_inline_context_and_fetches_nothing(published: Published,
                                                                      published_client: FlaskClient,
                                                                      name: str) -> None:
    document = json.loads(published_client.get(f"/downloads/{name}").data)
    assert isinstance(document["@context"], dict)
    expanded = jsonld.expand(document, {"documentLoader": no_remote_documents})
    quads = jsonld.to_rdf(expanded, {"format": "application/n-quads", "documentLoader": no_remote_documents})
    assert len(set(quads.splitlines())) == entry(published, name)["triples"]


def test_the_context_is_served_alone_and_is_the_one_the_dumps_inline(published_client: FlaskClient) -> None:
    response = published_client.get("/context.jsonld")
    assert response.status_code == 200 and response.content_type == "application/ld+json"
    context = response.get_json()
    dump = json.loads(published_client.get("/downloads/defcoop.jsonld").data)
    assert context == {"@context": dump["@context"]}
    assert json.loads(published_client.get("/downloads/ontology.jsonld").data)["@context"] == dump["@context"]

    def only_our_context(url: str, options: Any = None) -> dict[str, Any]:
        assert url == "http://localhost/context.jsonld", url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": context}

    by_reference = {**dump, "@context": "http://localhost/context.jsonld"}
    assert jsonld.expand(by_reference, {"documentLoader": only_our_context}) == jsonld.expand(
        dump, {"documentLoader": no_remote_documents})


@pytest.mark.parametrize("name", ["defcoop.ttl", "defcoop.nq", "ontology.jsonld"])
def test_gzip_for_clients_that_accept_it(published_client: FlaskClient, name: str) -> None:
    plain = published_client.get(f"/downloads/{name}")
    packed = published_client.get(f"/downloads/{name}", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Content-Type"] == plain.headers["Content-Type"]
    assert packed.headers["Content-Disposition"] == plain.headers["Content-Disposition"]
    assert len(packed.data) < len(plain.data)
    assert gzip.decompress(packed.data) == plain.data
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]  # the same content, in another coding
    assert published_client.get(f"/downloads/{name}", headers={"Accept-Encoding": "gzip;q=0"}).data == plain.data


def test_conditional_requests_get_304(published_client: FlaskClient) -> None:
    first = published_client.get("/downloads/defcoop.ttl")
    again = published_client.get("/downloads/defcoop.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert published_client.get("/downloads/defcoop.ttl", headers=since).status_code == 304
    packed = published_client.get("/downloads/defcoop.ttl", headers={"Accept-Encoding": "gzip"})
    revalidated = published_client.get("/downloads/defcoop.ttl", headers={
        "Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == packed.headers["ETag"]
    listing = published_client.get("/downloads")
    assert published_client.get("/downloads", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304
    etag = published_client.get("/context.jsonld").headers["ETag"]
    assert published_client.get("/context.jsonld", headers={"If-None-Match": etag}).status_code == 304


def test_head_answers_like_get_without_a_body(published_client: FlaskClient) -> None:
    got = published_client.get("/downloads/defcoop.nt")
    head = published_client.head("/downloads/defcoop.nt")
    assert head.status_code == 200 and head.data == b""
    for header in ("Content-Type", "Content-Length", "Content-Disposition", "ETag", "Last-Modified"):
        assert head.headers[header] == got.headers[header]
    packed = published_client.head("/downloads/defcoop.nt", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.data == b""


@pytest.mark.parametrize("path", [
    "/downloads/nothing.ttl",
    "/downloads/manifest.json",
    "/downloads/../manifest.json",
    "/downloads/..%2Fmanifest.json",
    "/downloads/%2e%2e/manifest.json",
    "/downloads/../../releases",
    "/downloads/./defcoop.ttl",
    "/downloads/defcoop.ttl/",
    "/downloads//etc/passwd",
    "/downloads/defcoop.ttl%00.txt",
    "/downloads/DEFCOOP.TTL",
])
def test_only_names_in_the_manifest_are_served(published_client: FlaskClient, path: str) -> None:
    response = published_client.get(path, follow_redirects=True)  # `//` is first merged by a redirect
    assert response.status_code == 404, path
    assert b"build_id" not in response.data and b"@prefix" not in response.data
