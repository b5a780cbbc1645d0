"""Dataset metadata on a real build: the VoID + DCAT description, the ontology's documentation and its formats."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from pyld import jsonld
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from app.config import ROOT
from app.pipeline.publish import Published
from app.vocab import DCAT, DEFCOOP, PREFIXES, VOID
from app.web.dataset import VOCABULARIES

SPDX = Namespace("http://spdx.org/rdf/terms#")
ROOT_URL = "http://localhost/"
DATA = URIRef(ROOT_URL + ".well-known/void#defcoop")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
VOID_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
                "application/rdf+xml": "xml"}
ONTOLOGY_FORMATS = {"text/turtle": ("turtle", "ttl"), "application/rdf+xml": ("xml", "rdf"),
                    "application/ld+json": ("json-ld", "jsonld"), "application/n-triples": ("nt", "nt")}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def no_remote_documents(url: str, options: Any = None) -> Any:
    raise AssertionError(f"a JSON-LD processor tried to fetch {url}")


@pytest.fixture(scope="module")
def void(published_app: Any) -> Graph:
    response = published_app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.data, format="turtle")


def source_ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "defcoop.ttl", format="turtle")


def defcoop_terms(kind: URIRef) -> list[str]:
    graph = source_ontology()
    return sorted(str(t)[len(str(DEFCOOP._NS)):] for t in graph.subjects(RDF.type, kind)
                  if str(t).startswith(str(DEFCOOP._NS)))


# --- VoID and DCAT -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", VOID_FORMATS)
def test_void_is_served_in_each_rdf_format(published_client: FlaskClient, void: Graph, media_type: str) -> None:
    response = published_client.get("/.well-known/void", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert isomorphic(Graph().parse(data=response.data, format=VOID_FORMATS[media_type]), void)
    assert len(list(ox.parse(response.data, format=ox.RdfFormat.from_media_type(media_type)))) == len(void)
    if media_type == "application/ld+json":
        assert jsonld.expand(json.loads(response.data), {"documentLoader": no_remote_documents})


def test_void_defaults_to_turtle_and_sends_browsers_to_the_downloads_page(published_client: FlaskClient) -> None:
    assert published_client.get("/.well-known/void").mimetype == "text/turtle"
    assert published_client.get("/.well-known/void", headers={"Accept": "*/*"}).mimetype == "text/turtle"
    browser = published_client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert browser.status_code == 303 and browser.headers["Location"] == "/downloads"
    assert published_client.get("/.well-known/void?format=nt").mimetype == "application/n-triples"
    assert published_client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
    etag = published_client.get("/.well-known/void").headers["ETag"]
    assert published_client.get("/.well-known/void", headers={"If-None-Match": etag}).status_code == 304


def test_void_describes_the_dataset(published: Published, void: Graph) -> None:
    manifest = published.manifest
    assert (DATA, RDF.type, VOID.Dataset) in void and (DATA, RDF.type, DCAT.Dataset) in void
    assert void.value(DATA, DCTERMS.title) and void.value(DATA, DCTERMS.description)
    assert void.value(DATA, DCTERMS.license) == CC_BY
    assert void.value(DATA, VOID.sparqlEndpoint) == URIRef(ROOT_URL + "sparql")
    assert void.value(DATA, VOID.uriSpace) == Literal(manifest["base_iri"] + "id/")
    assert void.value(DATA, VOID.triples).toPython() == manifest["triples"]
    assert void.value(DATA, DCTERMS.modified) == Literal(manifest["built_at"], datatype=XSD.dateTime)
    vocabularies = set(void.objects(DATA, VOID.vocabulary))
    assert URIRef(manifest["ontology_iri"]) in vocabularies
    assert {URIRef(PREFIXES[p]) for p in VOCABULARIES} <= vocabularies


def test_the_vocabularies_void_names_are_the_ones_the_data_uses(published: Published) -> None:
    data = Graph().parse(published.release.downloads_dir / "defcoop.nt", format="nt")
    used = {str(p) for p in data.predicates()} | {str(c) for c in data.objects(None, RDF.type)}
    for prefix in VOCABULARIES:
        assert any(term.startswith(PREFIXES[prefix]) for term in used), prefix


def test_class_partitions_count_the_manifest_entities(published: Published, void: Graph) -> None:
    partitions = {void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
                  for p in void.objects(DATA, VOID.classPartition)}
    assert partitions == {URIRef(c): n for c, n in published.manifest["classes"].items()}
    assert partitions[DEFCOOP.Claim] == published.manifest["claims"]


def test_every_download_is_a_data_dump_and_a_distribution(published: Published, void: Graph,
                                                          published_client: FlaskClient) -> None:
    dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
    assert dumps == {ROOT_URL + "downloads/" + name for name in published.manifest["downloads"]}
    data_dumps = {str(o).rsplit("/", 1)[1] for o in void.objects(DATA, VOID.dataDump)}
    assert data_dumps == {n for n, d in published.manifest["downloads"].items() if d["content"].startswith("dataset")}
    for name, info in published.manifest["downloads"].items():
        url = URIRef(ROOT_URL + "downloads/" + name)
        (distribution,) = void.subjects(DCAT.downloadURL, url)
        dataset = void.value(None, DCAT.distribution, distribution)
        assert (dataset, VOID.dataDump, url) in void and (dataset, RDF.type, DCAT.Dataset) in void
        assert (distribution, RDF.type, DCAT.Distribution) in void
        media = void.value(distribution, DCAT.mediaType)
        assert media == URIRef("https://www.iana.org/assignments/media-types/" + info["media_type"])
        size = void.value(distribution, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and size.toPython() == info["bytes"]
        assert str(void.value(distribution, DCTERMS["format"])).startswith("http://www.w3.org/ns/formats/")
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == info["sha256"]
        served = published_client.get(url.removeprefix("http://localhost"))
        assert served.status_code == 200 and served.headers["Content-Type"].startswith(info["media_type"])


def test_the_ontology_and_shapes_are_described_apart_from_the_data(published: Published, void: Graph) -> None:
    ontology = void.value(DATA, VOID.subset)
    assert void.value(ontology, VOID.rootResource) == URIRef(published.manifest["ontology_iri"])
    assert void.value(ontology, VOID.triples).toPython() == published.manifest["downloads"]["ontology.ttl"]["triples"]
    shapes = void.value(DATA, DCTERMS.conformsTo)
    assert (shapes, VOID.dataDump, URIRef(ROOT_URL + "downloads/shapes.ttl")) in void


def test_the_sparql_endpoint_is_a_data_service(void: Graph) -> None:
    (service,) = void.subjects(RDF.type, DCAT.DataService)
    assert void.value(service, DCAT.endpointURL) == URIRef(ROOT_URL + "sparql")
    assert void.value(service, DCAT.servesDataset) == DATA


def test_urls_are_built_from_the_request_host(published_client: FlaskClient) -> None:
    response = published_client.get("/.well-known/void", base_url="https://defcoop.example.org/")
    graph = Graph().parse(data=response.data, format="turtle")
    data = URIRef("https://defcoop.example.org/.well-known/void#defcoop")
    assert graph.value(data, VOID.sparqlEndpoint) == URIRef("https://defcoop.example.org/sparql")
    assert all(str(d).startswith("https://defcoop.example.org/downloads/") for d in graph.objects(None, VOID.dataDump))


def test_the_downloads_page_points_at_the_description(published_client: FlaskClient) -> None:
    response = published_client.get("/downloads")
    assert response.headers["Link"] == '</.well-known/void>; rel="describedby"'


# --- The ontology's documentation --------------------------------------------------------------------------------


class Sections(HTMLParser):
    """The text of each `<section id=…>` of a page, and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.sections: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_data(" ")  # elements separate words, as a browser's text does
        found = dict(attrs).get("id")
        if found:
            self.ids.add(found)
        if tag == "section":
            self._open.append(found)
            if found:
                self.sections[found] = ""

    def handle_endtag(self, tag: str) -> None:
        self.handle_data(" ")
        if tag == "section" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for open_id in self._open:
            if open_id:
                self.sections[open_id] += data


@pytest.fixture(scope="module")
def ontology_page(published_app: Any) -> Sections:
    response = published_app.test_client().get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    parser = Sections()
    parser.feed(response.get_data(as_text=True))
    return parser


def text(section: str) -> str:
    return " ".join(section.split())


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_has_a_section_anchored_by_its_local_name(ontology_page: Sections, kind: URIRef) -> None:
    graph = source_ontology()
    names = defcoop_terms(kind)
    assert names
    for name in names:
        assert name in ontology_page.sections, f"/ontology#{name} is missing"
        section = text(ontology_page.sections[name])
        term = DEFCOOP[name]
        assert str(term) in section
        assert " ".join(str(graph.value(term, RDFS.label)).split()) in section
        assert " ".join(str(graph.value(term, SKOS.definition)).split()) in section


def test_every_defcoop_term_in_vocab_resolves_to_a_section(ontology_page: Sections) -> None:
    for name in DEFCOOP.__annotations__:
        assert name in ontology_page.sections, name


def test_sections_show_alignments_domain_range_and_inverse(ontology_page: Sections) -> None:
    firm = text(ontology_page.sections["Firm"])
    assert "defcoop:Organisation" in firm and "schema:Corporation" in firm
    assert "defcoop:IndustryAssociation" in firm  # disjoint with
    participated = text(ontology_page.sections["participatedIn"])
    assert "prov:Agent" in participated and "defcoop:Event" in participated
    assert "Inverse of defcoop:participant" in participated  # declared on the other property
    led_by = text(ontology_page.sections["ledBy"])
    assert "Domain defcoop:Delegation" in led_by and "Range defcoop:Person" in led_by
    assert "Subproperty of org:headOf" in text(ontology_page.sections["leads"])
    assert "symmetric" in text(ontology_page.sections["heldAlongside"])
    assert "xsd:date" in text(ontology_page.sections["startDate"])


def test_where_used_counts_instances_and_triples(published: Published, ontology_page: Sections) -> None:
    for iri, count in published.manifest["classes"].items():
        name = iri.rsplit("#", 1)[1]
        assert f"In the data {count:,} instance" in text(ontology_page.sections[name]), name
    data = Graph().parse(published.release.downloads_dir / "defcoop.nt", format="nt")
    for name in defcoop_terms(OWL.ObjectProperty) + defcoop_terms(OWL.DatatypeProperty):
        count = len(set(data.triples((None, DEFCOOP[name], None))))
        found = re.search(r"In the data ([\d,]+) triple", text(ontology_page.sections[name]))
        assert found and int(found.group(1).replace(",", "")) == count, name


@pytest.mark.parametrize("media_type", ONTOLOGY_FORMATS)
def test_the_ontology_negotiates_its_rdf_formats(published: Published, published_client: FlaskClient,
                                                 media_type: str) -> None:
    rdflib_format, extension = ONTOLOGY_FORMATS[media_type]
    response = published_client.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    assert response.headers["Content-Location"] == f"/ontology.{extension}"
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert isomorphic(graph, source_ontology())
    assert (URIRef(published.manifest["ontology_iri"]), RDF.type, OWL.Ontology) in graph
    assert len(set(ox.parse(response.data, format=ox.RdfFormat.from_media_type(media_type)))) == len(graph)
    if media_type == "application/ld+json":
        assert jsonld.expand(json.loads(response.data), {"documentLoader": no_remote_documents})
    by_extension = published_client.get(f"/ontology.{extension}")
    assert by_extension.status_code == 200 and by_extension.data == response.data


def test_the_ontology_defaults_to_turtle_and_honours_format(published_client: FlaskClient) -> None:
    assert published_client.get("/ontology").mimetype == "text/turtle"
    assert published_client.get("/ontology?format=rdf-xml").mimetype == "application/rdf+xml"
    assert published_client.get("/ontology?format=html").mimetype == "text/html"
    assert published_client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert published_client.get("/ontology.trig").status_code == 404
    page = published_client.get("/ontology", headers={"Accept": "text/html"})
    assert published_client.get("/ontology", headers={"Accept": "text/html",
                                                       "If-None-Match": page.headers["ETag"]}).status_code == 304


def test_the_version_iri_resolves_to_the_published_version(published_client: FlaskClient) -> None:
    version_iri = source_ontology().value(URIRef("https://w3id.org/defcoop/ontology"), OWL.versionIRI)
    version = str(version_iri).rsplit("/", 1)[1]
    assert published_client.get(f"/ontology/{version}", headers={"Accept": "text/turtle"}).status_code == 200
    assert published_client.get("/ontology/0.0.0-nope").status_code == 404


def test_shapes_are_served_as_turtle(published: Published, published_client: FlaskClient) -> None:
    response = published_client.get("/shapes")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert len(Graph().parse(data=response.data, format="turtle")) == published.manifest["downloads"]["shapes.ttl"][
        "triples"]
