"""Linked Data pages: home, entity pages (HTML or RDF by content negotiation), class indexes, label search.

* `/` — the release at a glance (from its manifest), classes with counts, example queries, a search box.
* `/id/<type>/<slug>` — HTML for browsers, or the entity's RDF description (Turtle, JSON-LD, N-Triples,
  RDF/XML) by Accept, or by extension `/id/<type>/<slug>.html|.ttl|.jsonld|.nt|.rdf`; 404 (an HTML page
  or plain text, as negotiated) when the store says nothing about the IRI; 406 when no offered format is
  acceptable. Responses vary by Accept. An RDF description holds at most `sparql_max_rows` triples from
  the entity and as many pointing at it; `X-DefCoop-Truncated: true` says some were left off.
* `/class/<Name>?page=N` — instances of a DefCoop class, `page_link_limit` per page.
* `/search?q=` — entities whose label, alternative label or title contains the text (at most
  `page_link_limit` hits; the text is at most `SEARCH_MAX_CHARS` characters, else 400).
* Any other unknown path — the 404 page. Nothing published yet — 503.

Every GET answers conditional requests (ETag / Last-Modified, 304) through `@conditional`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import NotFound

from app.store import GraphStore, current_release, open_store
from app.web import get_settings, queries, render, urls
from app.web.caching import conditional
from app.web.examples import examples
from app.web.formats import HTML, TEXT, FormatError, choose, lookup, negotiate

bp = Blueprint("pages", __name__)

SEARCH_MAX_CHARS = 200
STORE_KEY = "defcoop.pages.store"


class NothingPublished(Exception):
    """No release to serve (and no remote store configured)."""


def page_store() -> GraphStore:
    """The store pages read: the current release, reopened when a build switches `current`, or the remote store."""
    settings = get_settings()
    release = current_release(settings.build_dir)
    key = settings.store_endpoint or (str(release.path) if release else None)
    if key is None:
        raise NothingPublished(settings.build_dir)
    cached = current_app.extensions.get(STORE_KEY)
    if cached is None or cached[0] != key:
        cached = (key, open_store(settings))
        current_app.extensions[STORE_KEY] = cached
    return cached[1]


@bp.get("/")
@conditional
def home() -> str:
    settings = get_settings()
    store = page_store()
    release = current_release(settings.build_dir)
    manifest = release.manifest if release else None
    return render_template(
        "home.html",
        summary=queries.dataset_summary(manifest),
        classes=queries.classes(store, manifest.get("classes") if manifest else None),
        examples=[(e, url_for("sparql.endpoint", query=e.query)) for e in examples(settings.ontology_dir)],
    )


@bp.get("/id/<kind>/<name>")
@conditional
def entity(kind: str, name: str) -> Response | str | tuple[str, int]:
    settings = get_settings()
    stem, dot, ext = name.rpartition(".")
    by_extension = lookup(ext, render.ENTITY_FORMATS) if dot else None
    slug = stem if by_extension else name
    fmt = by_extension or choose(render.ENTITY_FORMATS, request.headers.get("Accept"))
    iri = urls.iri_for(kind, slug, settings)
    if fmt is HTML:
        page = queries.entity(page_store(), iri, settings)
        if page is None:
            return not_found(f"Nothing is known about <{iri}>.", html=True)
        canonical = url_for("pages.entity", kind=kind, name=slug, _external=True)
        return render_template(
            "entity.html",
            page=page,
            canonical=canonical,
            alternates=[
                (render.TITLES[f], f.media_type, url_for("pages.entity", kind=kind, name=f"{slug}.{f.extension}"))
                for f in render.RDF_DOCUMENTS
            ],
            describe=url_for("sparql.endpoint", query=f"DESCRIBE <{iri}>"),
            schema=render.schema_org(page, canonical),
        )
    triples, truncated = queries.description(page_store(), iri, settings.sparql_max_rows)
    if not triples:
        return not_found(f"Nothing is known about <{iri}>.", html=False)
    response = Response(render.rdf_document(triples, fmt, settings), content_type=fmt.content_type)
    response.headers["X-DefCoop-Truncated"] = "true" if truncated else "false"
    return response


@bp.get("/class/<name>")
@conditional
def class_index(name: str) -> str | Response:
    settings = get_settings()
    choose((HTML,), request.headers.get("Accept"))
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) <= 9 and int(page) >= 1):
        return Response(f"page must be a whole number from 1, not {page!r}\n", 400, content_type=TEXT.content_type)
    number, limit = int(page), settings.page_link_limit
    index = queries.class_index(page_store(), urls.class_iri(name), limit, (number - 1) * limit, settings.base_iri)
    if index is None or (number > 1 and not index.items):
        return not_found(f"There is no class {name!r} (or no page {number} of it).")
    return render_template(
        "class_index.html",
        index=index,
        previous=url_for("pages.class_index", name=name, page=number - 1) if number > 1 else None,
        next=url_for("pages.class_index", name=name, page=number + 1) if index.has_next else None,
    )


@bp.get("/search")
@conditional
def search() -> str | Response:
    settings = get_settings()
    choose((HTML,), request.headers.get("Accept"))
    text = request.args.get("q", "")
    if len(text) > SEARCH_MAX_CHARS:
        return Response(f"search text is longer than {SEARCH_MAX_CHARS} characters\n", 400,
                        content_type=TEXT.content_type)
    results = queries.search(page_store(), text, settings.page_link_limit, settings) if text.strip() else None
    return render_template("search.html", text=text, results=results)


def not_found(message: str, html: bool | None = None) -> Any:
    """404 as the HTML page or plain text: `html` forces one, else the client's Accept decides."""
    if html is None:
        html = negotiate(request.headers.get("Accept"), (HTML, TEXT)) is HTML
    if html:
        return render_template("not_found.html", heading="Not found", message=message), 404
    return Response(message + "\n", 404, content_type=TEXT.content_type)


@bp.app_errorhandler(NotFound)
def unknown_path(exc: NotFound) -> Any:
    return not_found(f"There is no page at {request.path}.")


@bp.errorhandler(FormatError)
def format_error(exc: FormatError) -> Response:
    return Response(exc.message + "\n", exc.status, content_type=TEXT.content_type)


@bp.errorhandler(NothingPublished)
def nothing_published(exc: NothingPublished) -> Any:
    return render_template("not_found.html", heading="Nothing published yet",
                           message="Nothing is published yet: run `defcoop build`."), 503


@bp.after_request
def vary(response: Response) -> Response:
    response.vary.add("Accept")
    return response


@bp.app_template_filter("href")
def href(iri: str) -> str:
    """Where a link to `iri` goes: the local page for DefCoop IRIs, else the IRI."""
    return urls.href(iri, get_settings())


@bp.app_template_filter("count")
def count(number: int | None) -> str:
    """1234567 → 1,234,567; None → unknown."""
    return "unknown" if number is None else f"{number:,}"
