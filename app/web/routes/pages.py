"""Linked Data pages: home, entity pages (HTML or RDF by content negotiation), class indexes, label search.

* `/` — the release at a glance (from its manifest), classes with counts, example queries, a search box.
* `/id/<type>/<slug>` — HTML for browsers, or the entity's RDF description (Turtle, JSON-LD, N-Triples,
  RDF/XML) by Accept, or by extension `/id/<type>/<slug>.html|.ttl|.jsonld|.nt|.rdf`; 404 when the store
  says nothing about the IRI; 406 when no offered format is acceptable. Responses vary by Accept. An RDF
  description holds at most `sparql_max_rows` triples from the entity and as many pointing at it;
  `X-DefCoop-Truncated: true` says some were left off.
* `/id/<type>/<slug>?links=<property IRI>&page=N` — one page (`page_link_limit`, in IRI order) of the entities
  linking to the entity by that property: how a hub's thousands of inverse links are read; the entity page itself
  shows each property's count and first `page_link_limit` values, and links here when there are more.
* `/class/<Name>?page=N` — instances of a DefCoop class, `page_link_limit` per page.
* `/search?q=` — entities whose label, alternative label or title contains the text (at most
  `page_link_limit` hits; the text is at most `SEARCH_MAX_CHARS` characters, else 400); `&country=…&year=…`
  narrows them by the class pages' facets, whose counts are over the hits shown.
* Errors (any unknown path → 404, nothing published yet → 503, …) are answered by `http.error`.

Every GET answers conditional requests (ETag / Last-Modified, 304) through `@conditional`.
"""

from __future__ import annotations

import functools

from flask import Blueprint, Response, render_template, request, url_for

from app.facets import FACETS, BadFacet
from app.facets import check as check_facets
from app.web import queries, render, urls
from app.web.context import context
from app.web.errors import HTTPError
from app.web.examples import examples
from app.web.http import conditional, page_number, truncated
from app.web.releases import entity_history
from app.web.renderers import HTML, RESULTS_CSV, choose, lookup, table_csv

bp = Blueprint("pages", __name__)

SEARCH_MAX_CHARS = 200
TABLE_FORMATS = (HTML, RESULTS_CSV)
"""A list page is HTML, or its table as CSV (`?format=csv` or `Accept: text/csv`)."""


@bp.get("/")
@conditional
def home() -> str:
    ctx = context()
    settings, store, release = ctx.settings, ctx.store, ctx.release
    manifest = release.manifest if release else None
    return render_template(
        "home.html",
        summary=queries.dataset_summary(manifest),
        classes=queries.classes(store, manifest.get("classes") if manifest else None),
        examples=[(e, url_for("questions.question", slug=e.slug)) for e in examples(settings.ontology_dir)],
    )


@bp.get("/id/<kind>/<name>")
@bp.get("/releases/<release_id>/id/<kind>/<name>")
@conditional
def entity(kind: str, name: str) -> Response | str:
    ctx = context()
    settings = ctx.settings
    stem, dot, ext = name.rpartition(".")
    by_extension = lookup(ext, render.ENTITY_FORMATS) if dot else None
    slug = stem if by_extension else name
    fmt = by_extension or choose(render.ENTITY_FORMATS, request.headers.get("Accept"))
    iri = urls.iri_for(kind, slug, settings)
    if fmt is HTML and "links" in request.args:
        return _inverse_links(kind, slug, iri, request.args["links"])
    if fmt is HTML:
        page = ctx.page(queries.entity, iri, settings)
        if page is None:
            raise HTTPError(404, f"Nothing is known about <{iri}>.")
        history = None if settings.store_endpoint else entity_history(
            settings.build_dir, ctx.published, iri, (c.claim.value for c in page.notes))
        return render.entity_page(page, kind, slug, settings, history)
    triples, cut = queries.description(ctx.store, iri, settings.sparql_max_rows)
    if not triples:
        raise HTTPError(404, f"Nothing is known about <{iri}>.")
    return truncated(Response(render.rdf_document(triples, fmt, settings), content_type=fmt.content_type), cut)


def _inverse_links(kind: str, slug: str, iri: str, prop: str) -> str:
    """`?links={property IRI}&page=N` on an entity page: one page of what links to the entity by that property."""
    ctx = context()
    number, limit = page_number(), ctx.settings.page_link_limit
    try:
        found = queries.inverse_links(ctx.store, iri, prop, limit, (number - 1) * limit, ctx.settings.base_iri)
    except ValueError:
        raise HTTPError(400, f"links must be a property IRI, not {prop!r}") from None
    if found is None or not found.items:
        raise HTTPError(404, f"Nothing links to <{iri}> by <{prop}> (or there is no page {number}).")
    return render.links_page(found, kind, slug)


@bp.get("/class/<name>")
@conditional
def class_index(name: str) -> Response | str:
    ctx = context()
    settings = ctx.settings
    fmt = choose(TABLE_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    number, limit = page_number(), settings.page_link_limit
    chosen = _chosen_facets()
    class_iri, facet_index = urls.class_iri(name), ctx.facets
    narrowed = facet_index.members(class_iri, chosen, limit, (number - 1) * limit) if chosen and facet_index else None
    index = queries.class_index(ctx.store, class_iri, limit, (number - 1) * limit, settings.base_iri, narrowed)
    if index is None or (number > 1 and not index.items):
        raise HTTPError(404, f"There is no class {name!r} (or no page {number} of it).")
    if fmt is RESULTS_CSV:
        return Response(table_csv(("iri", "label"), ((n.value, n.label) for n in index.items)),
                        content_type=RESULTS_CSV.content_type)
    found, named = queries.facets(ctx.store, facet_index, class_iri, chosen, settings.base_iri) if facet_index \
        else ((), {})
    here = functools.partial(url_for, "pages.class_index", name=name)
    return render_template(
        "class_index.html",
        index=index,
        facets=render.facet_links(found, named, chosen, here),
        csv=here(**chosen, page=number, format="csv"),
        previous=here(**chosen, page=number - 1) if number > 1 else None,
        next=here(**chosen, page=number + 1) if index.has_next else None,
    )


def _chosen_facets() -> dict[str, str]:
    """The facet values the URL chooses (`?country=…&year=…`); 400 for a value that is not its facet's kind."""
    chosen = {f.key: request.args[f.key] for f in FACETS if request.args.get(f.key)}
    try:
        check_facets(chosen)
    except BadFacet as e:
        raise HTTPError(400, str(e)) from None
    return chosen


@bp.get("/search")
@conditional
def search() -> Response | str:
    ctx = context()
    settings = ctx.settings
    fmt = choose(TABLE_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    text = request.args.get("q", "")
    if len(text) > SEARCH_MAX_CHARS:
        raise HTTPError(400, f"search text is longer than {SEARCH_MAX_CHARS} characters")
    names, facet_index = ctx.names, ctx.facets
    chosen = _chosen_facets() if names and facet_index else {}  # without both indexes search has no facets
    results = queries.search(ctx.store, text, settings.page_link_limit, settings, names, facet_index, chosen) \
        if text.strip() else None
    if fmt is RESULTS_CSV:
        rows = ((h.node.value, h.node.label, h.matched or "", "; ".join(t.label for t in h.types))
                for h in (results.hits if results else ()))
        return Response(table_csv(("iri", "label", "matched name", "types"), rows),
                        content_type=RESULTS_CSV.content_type)
    found, named = queries.search_facets(ctx.store, facet_index, [h.node.value for h in results.hits], chosen,
                                         settings.base_iri) if results and names and facet_index else ((), {})
    here = functools.partial(url_for, "pages.search", q=text)
    return render_template("search.html", text=text, results=results, chosen=chosen,
                           facets=render.facet_links(found, named, chosen, here),
                           facet_note=render.search_facet_note(len(results.hits), results.more) if results else None,
                           csv=here(**chosen, format="csv") if results else None)
