"""IRIs ↔ local URLs: every IRI under the base is served here, everything else stays external.

* `{base}id/{type}/{slug}` ↔ `/id/{type}/{slug}` (the entity page, which negotiates HTML and RDF);
* ontology terms `https://w3id.org/defcoop/ontology#Term` → `/ontology#Term`, the ontology itself → `/ontology`;
* any other IRI (Wikidata, schema.org, DefCoop's graph names) is its own address.

Absolute URLs of the site (VoID, the Service Description, canonical links, the downloads listing) all come
from `site_root()`: the `public_url` setting, else the request's own Host.

    >>> s = Settings()
    >>> local_url("https://w3id.org/defcoop/id/city/moscow", s)
    '/id/city/moscow'
    >>> local_url("https://w3id.org/defcoop/ontology#Firm", s)
    '/ontology#Firm'
    >>> iri_for("city", "moscow", s)
    'https://w3id.org/defcoop/id/city/moscow'
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from flask import request

from app.config import Settings
from app.vocab import ONTOLOGY_IRI, ONTOLOGY_NS

_SAFE = "/:@!$&'()*+,;=-._~%"  # characters an IRI path keeps as they are in a URL path


def local_url(iri: str, settings: Settings) -> str | None:
    """The path this site serves `iri` at, or None when the IRI is not DefCoop's to serve."""
    return _local_url(iri, settings.id_prefix)


def href(iri: str, settings: Settings) -> str:
    """Where a link to `iri` should go: its local page if there is one, else the IRI itself when it is a web
    address; any other scheme (`javascript:`, `data:`, …) in the data never becomes a live link."""
    return _href(iri, settings.id_prefix)


LINKS_CACHED = 20_000
"""IRIs each process remembers the link of: a hub's page links 3,000 times, its links took a third of its rendering."""


@functools.lru_cache(maxsize=LINKS_CACHED)
def _href(iri: str, id_prefix: str) -> str:
    local = _local_url(iri, id_prefix)
    if local:
        return local
    return iri if iri.lower().startswith(("http://", "https://")) else "#"


@functools.lru_cache(maxsize=LINKS_CACHED)
def _local_url(iri: str, id_prefix: str) -> str | None:
    if iri.startswith(id_prefix):
        rest = iri[len(id_prefix):]
        kind, _, slug = rest.partition("/")
        if kind and slug and "/" not in slug and "#" not in rest and "?" not in rest:
            return "/id/" + quote(rest, safe=_SAFE)
        return None
    if iri.startswith(ONTOLOGY_NS):
        return "/ontology#" + quote(iri[len(ONTOLOGY_NS):], safe=_SAFE)
    if iri == str(ONTOLOGY_IRI):
        return "/ontology"
    return None


def iri_for(kind: str, slug: str, settings: Settings) -> str:
    """The entity IRI that `/id/{kind}/{slug}` serves."""
    return f"{settings.id_prefix}{quote(kind, safe=_SAFE)}/{quote(slug, safe=_SAFE)}"


def class_iri(name: str) -> str:
    """The ontology class `/class/{name}` lists."""
    return ONTOLOGY_NS + name


def class_name(iri: str) -> str | None:
    """The `{name}` of `/class/{name}` for a DefCoop class IRI, else None."""
    return iri[len(ONTOLOGY_NS):] if iri.startswith(ONTOLOGY_NS) else None


def site_root(settings: Settings) -> str:
    """The absolute URL the site is reached at, ending in '/': the `public_url` setting when set, else built
    from the request's Host header (so responses that use it are cached per root: see caching.py)."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    return request.url_root


def absolute(path: str, settings: Settings) -> str:
    """The site path `path` (as `url_for` gives it) as an absolute URL under `site_root()`."""
    return site_root(settings) + path.removeprefix(request.script_root).lstrip("/")
