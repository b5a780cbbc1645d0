"""Views to explore the data by time and by source text.

* `/timeline` — dated events (meetings, visits, other events) on a time axis with a table, filtered by
  `country={slug}`, `programme={slug}`, `involving={type}/{slug}` (any entity), `from={year}`, `to={year}`;
  HTML, or Turtle, JSON-LD and CSV by Accept or `format=` (`ttl`, `jsonld`, `csv`).
* `/graph` — the cooperation network drawn around the first dated events (`NETWORK_EVENTS`) matching
  `country={slug}`, `from={year}`, `to={year}`: who took part, where, what was discussed, the countries behind them,
  and the links among them all; HTML (a drawing and a table), or Turtle, JSON-LD and CSV of the links.
* `/profiles`, `/profile/<a>/<b>` — the cooperation of two countries (`{base}id/country/{slug}`): the events
  involving both on a time axis and as a table, the programmes, each side's participants, the figures that relate
  them with their claims; HTML, or Turtle, JSON-LD and CSV (`format=`). `/profiles?first=…&second=…` redirects to
  the pair's page; 404 unless both are countries.
* `/source/<slug>/read` — the text of source `{base}id/source/{slug}` as received, sentence by sentence, each with
  the claims that quote it and the entities they are about; sentences no claim uses are marked. 404 when the source
  has no text in the release. `?page=N`: sentences come `READ_SENTENCES` (100) a page.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from app.web import queries, render, render_explore, urls
from app.web.context import context
from app.web.errors import HTTPError
from app.web.http import conditional
from app.web.renderers import HTML, choose

bp = Blueprint("explore", __name__)


def _year(name: str) -> int | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise HTTPError(400, f"{name} must be a year (up to four digits), not {text!r}")
    return int(text)


@bp.get("/timeline")
@conditional
def timeline() -> Response | str:
    ctx = context()
    settings = ctx.settings
    fmt = choose(render.TIMELINE_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    country, programme, involving = (request.args.get(k, "").strip() for k in ("country", "programme", "involving"))
    kind, _, slug = involving.partition("/")
    if involving and not (kind and slug):
        raise HTTPError(400, f"involving must name an entity as type/slug (such as firm/acme), not {involving!r}")
    found = ctx.page(
        queries.timeline, settings,
        country=urls.iri_for("country", country, settings) if country else None,
        programme=urls.iri_for("programme", programme, settings) if programme else None,
        involving=urls.iri_for(kind, slug, settings) if involving else None,
        year_from=_year("from"), year_to=_year("to"), offer_countries=fmt is HTML)
    if fmt is HTML:
        return render_explore.timeline_page(found, request.args, settings)
    return Response(render_explore.timeline_document(found, fmt), content_type=fmt.content_type)


@bp.get("/graph")
@conditional
def network() -> Response | str:
    ctx = context()
    settings = ctx.settings
    fmt = choose(render.TIMELINE_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    slug = request.args.get("country", "").strip()
    country = urls.iri_for("country", slug, settings) if slug else None
    found = ctx.page(queries.network, settings, country=country, year_from=_year("from"), year_to=_year("to"))
    if fmt is HTML:
        return render_explore.network_page(found, settings, request.args)
    return Response(render_explore.network_document(found, fmt), content_type=fmt.content_type)


@bp.get("/profiles")
@conditional
def profiles() -> Response | str:
    ctx = context()
    first, second = request.args.get("first", "").strip(), request.args.get("second", "").strip()
    if first and second:
        return redirect(url_for("explore.profile", first=first, second=second), code=303)
    countries = queries.countries(ctx.store, ctx.settings)
    return render_template("profiles.html", countries=render_explore.pair_choices(countries, ctx.settings))


@bp.get("/profile/<first>/<second>")
@conditional
def profile(first: str, second: str) -> Response | str:
    ctx = context()
    settings = ctx.settings
    fmt = choose(render.TIMELINE_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    found = ctx.page(queries.profile, settings, urls.iri_for("country", first, settings),
                            urls.iri_for("country", second, settings))
    if found is None:
        raise HTTPError(404, f"A profile is of two different countries; {first!r} and {second!r} are not.")
    if fmt is not HTML:
        return Response(render_explore.profile_document(found, fmt), content_type=fmt.content_type)
    return render_explore.profile_page(found, first, second)


@bp.get("/source/<slug>/read")
@conditional
def read_source(slug: str) -> str:
    ctx = context()
    choose((HTML,), request.headers.get("Accept"))
    iri = urls.iri_for("source", slug, ctx.settings)
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) <= 6):
        raise HTTPError(400, f"page must be a whole number from 1, not {page!r}")
    number = int(page)  # 0 is a page that is not there (404), unlike page_number()
    found = ctx.page(queries.reading, iri, ctx.settings, number)
    if found is None:
        raise HTTPError(404, f"There is no source text of <{iri}> in this release (or no page {number} of it).")
    return render_template(
        "source_read.html", reading=found,
        previous=url_for("explore.read_source", slug=slug, page=number - 1) if number > 1 else None,
        next=url_for("explore.read_source", slug=slug, page=number + 1) if number < found.pages else None)
