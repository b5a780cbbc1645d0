"""A source read with its facts (/source/{slug}/read), with Flask's client on real builds: every sentence of the text
as received, the ones the claims' quotes (as a SPARQL query of the test finds them) fall in highlighted with those
claims and their entities, the others marked unused; the text comes from the release, not from data/."""

from __future__ import annotations

import importlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from app.config import ROOT
from app.pipeline import build
from app.pipeline.publish import Published
from app.store import GraphStore
from app.texts import sentences
from app.web import create_app
from tests.conftest import settings_for

SLUG = "india-russia-defence-manufacturing-moscow"
READ = f"/source/{SLUG}/read"
SOURCE = f"https://w3id.org/defcoop/id/source/{SLUG}"


def quotes(store: GraphStore, source: str = SOURCE) -> dict[str, str]:
    rows = store.select(f"SELECT ?claim ?quote WHERE {{ ?claim <http://www.w3.org/ns/prov#wasDerivedFrom> <{source}> ; "
                        f"<https://w3id.org/defcoop/ontology#quote> ?quote }}")
    return {r["claim"].value: r["quote"].value for r in rows}


def quoted_sentences(text: str, found: dict[str, str]) -> set[int]:
    spans = [(text.find(q), text.find(q) + len(q)) for q in found.values()]
    return {s.number for s in sentences(text) for a, b in spans if a >= 0 and s.start < b and a < s.end}


def blocks(html: str) -> dict[int, str]:
    """Sentence number → its block's class and content."""
    return {int(n): body for n, body in re.findall(r'<div class="sentence[^"]*" id="s-(\d+)">(.*?)\n      </div>',
                                                   html, re.S)}


def test_every_sentence_shows_with_the_claims_quoting_it(published_client: FlaskClient, store: GraphStore) -> None:
    text = (ROOT / "data" / "sources" / f"{SLUG}.txt").read_text(encoding="utf-8")
    found = quotes(store)
    assert found
    response = published_client.get(READ)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = blocks(html)
    assert sorted(shown) == [s.number for s in sentences(text)]
    assert html.count('<div class="sentence used"') == len(quoted_sentences(text, found))
    for claim, quote in found.items():
        number = next(s.number for s in sentences(text) if s.start <= text.find(quote) < s.end)
        assert f'href="/id/claim/{claim.rsplit("/", 1)[-1]}"' in shown[number], claim
    for s in sentences(text):
        assert str(escape(s.text)) in shown[s.number]  # the words as received


def test_source_page_links_to_its_reading(published_client: FlaskClient) -> None:
    html = published_client.get(f"/id/source/{SLUG}").get_data(as_text=True)
    assert f'href="{READ}"' in html
    assert published_client.get("/id/source/defcoop-reference").get_data(as_text=True).count("/read\"") == 0


@pytest.mark.parametrize("path", ["/source/defcoop-reference/read", "/source/no-such-source/read"])
def test_a_source_without_a_text_is_404(published_client: FlaskClient, path: str) -> None:
    assert published_client.get(path).status_code == 404


def test_the_release_ships_the_texts_as_received(published: Published) -> None:
    shipped = published.release.path / "texts" / "sources" / f"{SLUG}.txt"
    assert shipped.read_bytes() == (ROOT / "data" / "sources" / f"{SLUG}.txt").read_bytes()


@pytest.fixture(scope="module")
def hostile_client(hostile_build: Path) -> Iterator[FlaskClient]:
    app = create_app({"build_dir": hostile_build, "sparql_workers": 1})
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["defcoop.sparql"].close()


def test_unused_sentences_are_marked_and_hostile_text_stays_text(hostile_client: FlaskClient) -> None:
    html = hostile_client.get("/source/xss-label/read").get_data(as_text=True)
    shown = blocks(html)
    assert len(shown) == 2
    assert "not used" in shown[1] and "A test text for the web pages." in shown[1]
    assert "not used" not in shown[2] and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown[2]
    assert "<script>alert(1)" not in html


def test_reading_needs_no_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    build(settings_for(tmp_path / "build", data_dir=data))
    shutil.rmtree(data)
    app = create_app({"build_dir": tmp_path / "build", "data_dir": tmp_path / "gone", "sparql_workers": 1})
    try:
        response = app.test_client().get(READ)
    finally:
        app.extensions["defcoop.sparql"].close()
    assert response.status_code == 200 and "<mark>" in response.get_data(as_text=True)


def test_a_long_text_comes_in_pages(published: Published, store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("app.web.queries.reading")  # the module (the package exports its function)
    monkeypatch.setattr(module, "READ_SENTENCES", 5)
    text = (ROOT / "data" / "sources" / f"{SLUG}.txt").read_text(encoding="utf-8")
    settings = settings_for(published.release.path.parent.parent)
    pages = [module.reading(store, SOURCE, settings, n) for n in range(1, 7)]
    assert pages[-1] is None  # 21 sentences: five pages
    numbers = [s.number for p in pages[:-1] for para in p.paragraphs for s in para]  # type: ignore[union-attr]
    assert numbers == [s.number for s in sentences(text)]
    assert all(p.used_total == len(quoted_sentences(text, quotes(store))) for p in pages[:-1])  # type: ignore[union-attr]


@pytest.mark.parametrize(("query", "status"), [("page=2", 404), ("page=x", 400), ("page=0", 404)])
def test_a_page_that_is_not_there(published_client: FlaskClient, query: str, status: int) -> None:
    assert published_client.get(f"{READ}?{query}").status_code == status
