"""HTML and Linked Data pages over a real build of the bundled data: home, entity pages with citations,
content negotiation, class indexes, search, 404s, conditional GETs, and escaping of hostile labels."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from app.config import load_settings
from app.pipeline.publish import Published
from app.web import create_app, urls
from app.web.examples import examples

ID = "https://w3id.org/defcoop/id/"
DEFCOOP = "https://w3id.org/defcoop/ontology#"
DELEGATION = "/id/delegation/indian-industrial-delegation"
MEETING = "/id/meeting/india-russia-defence-industry-moscow-october"
PERSON = "/id/person/sanjeev-kumar"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
EXTENSIONS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}


def make_app(build_dir: Path, **overrides: object) -> Flask:
    app = create_app({"build_dir": build_dir, **overrides})
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def site(published: Published) -> Iterator[Flask]:
    """The app on the session's build of the bundled data (build_dir/releases/<id> → build_dir)."""
    app = make_app(published.release.path.parent.parent)
    yield app
    app.extensions["defcoop.sparql"].close()


@pytest.fixture
def pages(site: Flask) -> FlaskClient:
    return site.test_client()


@pytest.fixture(scope="module")
def small_pages(published: Published) -> Iterator[FlaskClient]:
    """The same data with `page_link_limit = 2` and `sparql_max_rows = 5`, so caps and paging show."""
    app = make_app(published.release.path.parent.parent, page_link_limit=2, sparql_max_rows=5)
    yield app.test_client()
    app.extensions["defcoop.sparql"].close()


@pytest.fixture(scope="module")
def hostile_pages(hostile_build: Path) -> Iterator[FlaskClient]:
    """The bundled data plus tests/fixtures/data (a person labelled `<script>alert(1)</script>`), built for real."""
    app = make_app(hostile_build)
    yield app.test_client()
    app.extensions["defcoop.sparql"].close()


class Head(HTMLParser):
    """The <link> tags and <script type="application/ld+json"> bodies of a page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.json_ld: list[str] = []
        self._in_json = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link":
            self.links.append(dict(attrs))
        self._in_json = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_json = False

    def handle_data(self, data: str) -> None:
        if self._in_json:
            self.json_ld.append(data)


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.data[:500]
    return response.get_data(as_text=True)


# --- home ---------------------------------------------------------------------------------------


def test_home_lists_classes_with_counts_example_queries_and_ways_in(pages: FlaskClient, published: Published) -> None:
    page = text(pages.get("/"))
    assert re.search(r'<a href="/class/Programme">Programme</a> <span class="count">9</span>', page)
    assert re.search(r'<a href="/class/Firm">Firm</a> <span class="count">0</span>', page)
    for example in examples():
        assert example.question.replace("'", "&#39;") in page
    assert page.count('href="/questions/') == len(examples()) == 16
    for target in ('action="/search"', 'href="/sparql"', 'href="/downloads"', 'href="/ontology"',
                   'href="/.well-known/void"'):
        assert target in page
    manifest = published.manifest
    assert f">{manifest['triples']}<" in page and f">{manifest['claims']}<" in page  # of this release


def test_examples_are_the_competency_questions_without_their_comment_header() -> None:
    found = examples()
    assert [e.slug for e in found][:2] == ["01-delegation-leader", "02-meetings-where-when"]
    assert found[0].question == "Who led the Indian delegation, and in what post?"
    assert all(e.query.startswith("PREFIX") and "# expect" not in e.query for e in found)


# --- entity pages -------------------------------------------------------------------------------


def test_delegation_page_links_its_leader_and_cites_the_quote(pages: FlaskClient) -> None:
    page = text(pages.get(DELEGATION))
    assert '<a href="/id/person/sanjeev-kumar">Sanjeev Kumar</a>' in page
    assert ">led by</a>" in page and "ledBy</a>" not in page  # human labels, not IRIs
    assert re.search(r"<blockquote[^>]*>[^<]*led by Defence Production Secretary Sanjeev Kumar\.</blockquote>", page)
    assert '<span class="status">stated</span>' in page
    assert '<a class="type" href="/ontology#Delegation">Delegation</a>' in page
    assert 'href="/id/source/india-russia-defence-manufacturing-moscow"><cite>' in page


def test_meeting_page_shows_editorial_inference_with_rationale_and_unnamed_sources(pages: FlaskClient) -> None:
    page = text(pages.get(MEETING))
    assert '<span class="status">editorial inference</span>' in page
    assert "Rationale:</strong> The source gives 29–30 October without a year." in page
    assert "2025-10-29" in page and "xsd:date" in page
    assert '<span class="status">attributed to unnamed sources</span>' in page
    assert "“according to industry sources familiar with the discussions”" in page


def test_person_page_shows_inferred_leads_and_who_refers_to_them(pages: FlaskClient) -> None:
    page = text(pages.get(PERSON))
    leads = page[page.index(">leads</a>"):]
    assert 'class="badge inferred"' in leads[:2000]
    assert "follows from:" in leads[:2000] and "<em>led by</em>" in leads[:2000]
    referenced = page[page.index("Referenced by"):]
    assert '<a href="/id/delegation/indian-industrial-delegation">Indian industrial delegation</a>' in referenced


def test_claim_page_lists_what_its_quote_supports(pages: FlaskClient) -> None:
    page = text(pages.get("/id/claim/india-russia-moscow-03"))
    assert "What this quote supports" in page
    assert '<table class="statements">' in page
    assert page.count("<tr><td>") == 13  # the triples of the claim's graph
    assert "The meetings occurred alongside a visit by an Indian industrial delegation" in page


def test_source_page_lists_its_claims(pages: FlaskClient) -> None:
    page = text(pages.get("/id/source/india-russia-defence-manufacturing-moscow"))
    claims = page[page.index("Claims from this source"):page.index("<h2>Facts</h2>")]
    assert claims.count('<figure class="citation') == 28
    assert "Industry observers note" in claims


def test_values_over_page_link_limit_say_how_many_there_are(small_pages: FlaskClient) -> None:
    page = text(small_pages.get(MEETING))
    assert "showing 2 of 7" in page  # seven programmes discussed


def test_head_has_canonical_alternates_and_schema_org_json_ld(pages: FlaskClient) -> None:
    head = Head(text(pages.get(MEETING)))
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == ["http://localhost" + MEETING]
    alternates = {link["type"]: link["href"] for link in head.links if link.get("rel") == "alternate"}
    assert alternates == {media_type: f"{MEETING}.{ext}" for media_type, ext in
                          zip(RDF_TYPES, EXTENSIONS, strict=True)}
    (script,) = head.json_ld
    data = json.loads(script)
    assert data["@id"] == ID + "meeting/india-russia-defence-industry-moscow-october"
    assert data["@type"] == "Event"
    assert data["startDate"] == "2025-10-29"
    assert data["location"]["name"] == "Moscow"
    assert data["name"].startswith("Meetings of Indian and Russian defence manufacturers")


def test_pages_have_a_viewport_and_their_own_stylesheet(pages: FlaskClient) -> None:
    page = text(pages.get(PERSON))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<link rel="stylesheet" href="/static/style.css">' in page
    css = pages.get("/static/style.css")
    assert css.status_code == 200 and b"@media" in css.data
    css.close()


# --- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_entity_negotiates_rdf(pages: FlaskClient, media_type: str) -> None:
    response = pages.get(DELEGATION, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    graph = Graph().parse(data=response.data, format=RDF_TYPES[media_type])
    delegation = URIRef(ID + "delegation/indian-industrial-delegation")
    assert (delegation, URIRef(DEFCOOP + "ledBy"), URIRef(ID + "person/sanjeev-kumar")) in graph
    assert (delegation, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Indian industrial delegation", lang="en")) in graph
    # incoming links too: the visit the delegation took part in
    assert (URIRef(ID + "visit/indian-industrial-delegation-visit"), URIRef(DEFCOOP + "participant"),
            delegation) in graph


def test_json_ld_is_compact_with_an_inline_context(pages: FlaskClient) -> None:
    document = json.loads(pages.get(DELEGATION, headers={"Accept": "application/ld+json"}).data)
    assert isinstance(document["@context"], dict)
    assert document["@context"]["defcoop"] == DEFCOOP


def test_rdf_description_says_when_it_is_truncated(pages: FlaskClient, small_pages: FlaskClient) -> None:
    assert pages.get("/id/country/india.nt").headers["X-DefCoop-Truncated"] == "false"
    response = small_pages.get("/id/country/india.nt")
    assert response.headers["X-DefCoop-Truncated"] == "true"
    assert len(response.data.strip().splitlines()) <= 10  # 5 from it, 5 pointing at it


@pytest.mark.parametrize("extension", list(EXTENSIONS))
def test_entity_formats_by_extension(pages: FlaskClient, extension: str) -> None:
    response = pages.get(f"{PERSON}.{extension}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=EXTENSIONS[extension])
    assert (URIRef(ID + "person/sanjeev-kumar"), URIRef(DEFCOOP + "holdsPost"),
            URIRef(ID + "post/defence-production-secretary")) in graph


def test_html_by_default_by_accept_and_by_extension(pages: FlaskClient) -> None:
    for response in (pages.get(PERSON), pages.get(PERSON, headers={"Accept": "text/html,*/*;q=0.8"}),
                     pages.get(PERSON + ".html", headers={"Accept": "text/turtle"})):
        assert response.mimetype == "text/html"
        assert "Accept" in response.vary
        assert "<h1>Sanjeev Kumar</h1>" in text(response)


def test_unacceptable_format_is_406(pages: FlaskClient) -> None:
    assert pages.get(PERSON, headers={"Accept": "image/png"}).status_code == 406


def test_unknown_entity_is_404_for_browsers_and_rdf_clients(pages: FlaskClient) -> None:
    html = pages.get("/id/x/y", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert "Not found" in html.get_data(as_text=True)
    rdf = pages.get("/id/x/y", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404 and rdf.mimetype == "text/plain"
    assert pages.get("/id/x/y.ttl").status_code == 404
    assert pages.get("/id/city/moscow.xyz").status_code == 404
    assert pages.get("/no/such/page").status_code == 404


def test_conditional_get_answers_304(pages: FlaskClient) -> None:
    first = pages.get(MEETING)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = pages.get(MEETING, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    other = pages.get(MEETING, headers={"If-None-Match": first.headers["ETag"], "Accept": "text/turtle"})
    assert other.status_code == 200  # another representation, another ETag
    for path in ("/", "/class/Meeting", "/search?q=moscow", PERSON + ".ttl"):
        etag = pages.get(path).headers["ETag"]
        assert pages.get(path, headers={"If-None-Match": etag}).status_code == 304


# --- class indexes ------------------------------------------------------------------------------


def test_class_index_lists_instances_with_count(pages: FlaskClient) -> None:
    page = text(pages.get("/class/Programme"))
    assert "<strong>9</strong> instances" in page
    assert page.count('<li><a href="/id/programme/') == 9
    assert '<a href="/id/programme/mig-29-spare-parts">Manufacture of spare parts for MiG-29 aircraft</a>' in page


def test_class_index_includes_inferred_instances(pages: FlaskClient) -> None:
    page = text(pages.get("/class/Place"))
    assert "<strong>3</strong> instances" in page and 'href="/id/city/moscow"' in page


def test_empty_class_says_none_yet(pages: FlaskClient) -> None:
    page = text(pages.get("/class/Firm"))
    assert "<strong>0</strong> instances" in page and "none yet" in page


def test_class_index_pages(small_pages: FlaskClient) -> None:
    first = text(small_pages.get("/class/Programme"))
    assert first.count('<li><a href="/id/programme/') == 2
    assert 'rel="next" href="/class/Programme?page=2"' in first
    last = text(small_pages.get("/class/Programme?page=5"))  # nine programmes, two a page
    assert last.count('<li><a href="/id/programme/') == 1 and 'rel="next"' not in last
    assert 'rel="prev" href="/class/Programme?page=4"' in last
    assert small_pages.get("/class/Programme?page=6").status_code == 404
    assert small_pages.get("/class/Programme?page=0").status_code == 400
    assert small_pages.get("/class/Programme?page=x").status_code == 400


def test_unknown_class_is_404(pages: FlaskClient) -> None:
    for name in ("Nope", "Organization", "Firm>", "City%20x"):
        assert pages.get(f"/class/{name}").status_code == 404


# --- search -------------------------------------------------------------------------------------


def test_search_finds_labels(pages: FlaskClient) -> None:
    page = text(pages.get("/search?q=moscow"))
    assert '<a href="/id/city/moscow">Moscow</a>' in page
    assert page.index('href="/id/city/moscow"') < page.index('href="/id/meeting/')  # exact match first


def test_search_finds_alternative_labels(pages: FlaskClient) -> None:
    page = text(pages.get("/search?q=SIDM"))
    assert '<a href="/id/organisation/society-of-indian-defence-manufacturers">' in page
    assert "(also: SIDM)" in page


def test_search_text_cannot_change_the_query(pages: FlaskClient) -> None:
    for hostile in ('"} } SELECT * WHERE { ?s ?p ?o', "\\", '"\n"', "%", "Moscow\") || true || (\""):
        page = text(pages.get("/search", query_string={"q": hostile}))
        assert "No matches" in page


def test_search_without_text_shows_the_form_and_long_text_is_400(pages: FlaskClient) -> None:
    page = text(pages.get("/search"))
    assert 'name="q"' in page and "matches" not in page
    assert pages.get("/search", query_string={"q": "x" * 201}).status_code == 400


# --- URLs ---------------------------------------------------------------------------------------


def test_iris_under_the_base_link_locally_and_others_stay_external() -> None:
    settings = load_settings({}, environ={})
    assert urls.href(ID + "city/moscow", settings) == "/id/city/moscow"
    assert urls.href(DEFCOOP + "Firm", settings) == "/ontology#Firm"
    assert urls.href("http://www.wikidata.org/entity/Q649", settings) == "http://www.wikidata.org/entity/Q649"
    assert urls.href("https://w3id.org/defcoop/graph/inferred", settings) == "https://w3id.org/defcoop/graph/inferred"
    other = load_settings({"base_iri": "https://example.org/dc/"}, environ={})
    assert urls.href("https://example.org/dc/id/city/moscow", other) == "/id/city/moscow"
    assert urls.iri_for("city", "moscow", other) == "https://example.org/dc/id/city/moscow"


# --- hostile labels -----------------------------------------------------------------------------

RAW = "<script>alert(1)"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_hostile_label_is_escaped_on_its_page_and_in_its_json_ld(hostile_pages: FlaskClient) -> None:
    page = text(hostile_pages.get("/id/person/xss-official"))
    assert f"<h1>{ESCAPED}</h1>" in page
    assert RAW not in page
    (script,) = Head(page).json_ld
    assert "\\u003cscript\\u003e" in script
    assert json.loads(script)["name"] == "<script>alert(1)</script>"


@pytest.mark.parametrize("path", ["/search?q=<script>", "/search?q=alert", "/id/source/xss-label",
                                  "/id/claim/xss-label-01", "/class/Person"])
def test_hostile_label_is_escaped_everywhere_it_shows(hostile_pages: FlaskClient, path: str) -> None:
    page = text(hostile_pages.get(path))
    assert ESCAPED in page
    assert RAW not in page


def test_search_echoes_the_text_escaped(hostile_pages: FlaskClient) -> None:
    page = text(hostile_pages.get("/search", query_string={"q": '<script>"'}))
    assert 'value="&lt;script&gt;&#34;"' in page
    assert "<script>" not in page


def test_odd_page_numbers_are_400_not_500(pages: FlaskClient) -> None:
    for page in ("²", "0", "-1", "x", "99999999999999999999999"):
        assert pages.get(f"/class/Programme?page={page}").status_code == 400, page


def test_only_web_addresses_become_links(site: Flask) -> None:
    from app.web import urls
    from app.web.context import app_settings

    with site.app_context():
        settings = app_settings()
        assert urls.href("javascript:alert(1)", settings) == "#"
        assert urls.href("JaVaScRiPt:alert(1)", settings) == "#"
        assert urls.href("http://www.wikidata.org/entity/Q668", settings) == "http://www.wikidata.org/entity/Q668"
        assert urls.href(settings.id_prefix + "country/india", settings) == "/id/country/india"
