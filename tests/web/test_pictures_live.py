"""The pictures are the same from every store: the relation graph and timeline of every entity page, /timeline with
its filters and a source read with its facts, served by `defcoop serve` from `oxigraph serve` and Virtuoso, answer as
from the embedded store (a Virtuoso store holds its merged default graph as one more graph: the pictures skip it)."""

from __future__ import annotations

import re

import pytest
import requests

from app.pipeline.publish import Published
from tests.web.test_live_http import embedded_site, entity_paths, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.server]
PICTURES = re.compile(r'<section class="(?:relations|timeline)".*?</section>', re.S)


def get(url: str) -> str:
    response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, (url, response.text[:300])
    return response.text


def test_every_entity_s_pictures_as_on_the_embedded_store(site: str, embedded_site: str,  # noqa: F811
                                                          published: Published) -> None:
    drawn = 0
    for path in entity_paths(published):
        got, expected = (PICTURES.findall(get(url + path)) for url in (site, embedded_site))
        assert got == expected, path
        drawn += len(expected)
    assert drawn > 50


@pytest.mark.parametrize("path", ["/timeline", "/timeline?country=india", "/timeline?programme=mig-29-spare-parts",
                                  "/source/india-russia-defence-manufacturing-moscow/read"])
def test_picture_pages_as_on_the_embedded_store(site: str, embedded_site: str, path: str) -> None:  # noqa: F811
    got, expected = (get(url + path) for url in (site, embedded_site))
    assert got.replace(site, "SITE") == expected.replace(embedded_site, "SITE")
