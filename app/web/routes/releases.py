"""Releases over time: /releases, one release, diffs between two, and each entity's Memento TimeMap.

* `/releases` — every kept release, newest first, with what changed in each (HTML, or JSON by Accept or
  `?format=json`), `page_link_limit` per page (`?page=`).
* `/releases/<id>` — one release: its counts, inputs with checksums, what changed, its downloads (under
  `/releases/<id>/downloads/…`, stable for as long as the release is kept) and its SPARQL endpoint.
* `/releases/<id>/diff/<other>` — what changed from release `id` to `other`, graph by graph (HTML); as RDF Patch
  at `…/diff/<other>.rdfp`, as N-Quads at `…/diff/<other>/added.nq` and `…/removed.nq`.
* `/timemap/id/<type>/<slug>` — the entity's TimeMap (RFC 7089, link format): every kept release that names it.
The Memento headers and the TimeGate are app/web/memento.py's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, url_for

from app.store import Release, current_release, release_named, releases
from app.web import memento, urls
from app.web.context import context
from app.web.errors import HTTPError
from app.web.http import conditional, page_number
from app.web.releases import (
    CHANGE_KINDS,
    Diff,
    NotRecorded,
    diff,
    listing_json,
    names,
    nquads,
    quad_changes,
    rdf_patch,
    summary,
)
from app.web.renderers import HTML, JSON, LINK_FORMAT, N_QUADS, RDF_PATCH, choose

bp = Blueprint("releases", __name__)

LISTING_FORMATS = (HTML, JSON)


@bp.get("/releases")
@conditional
def listing() -> Response | str:
    ctx = context()
    fmt = choose(LISTING_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    kept = releases(ctx.settings.build_dir)
    if fmt is JSON:
        body = listing_json(kept, ctx.release, urls.site_root(ctx.settings))
        return Response(json.dumps(body, indent=2), content_type=JSON.content_type)
    number, limit = page_number(), ctx.settings.page_link_limit
    shown = kept[(number - 1) * limit: number * limit]
    if number > 1 and not shown:
        raise HTTPError(404, f"There is no page {number} of releases.")
    return render_template(
        "releases.html", releases=[summary(r) for r in shown], current=ctx.release, total=len(kept),
        previous=url_for("releases.listing", page=number - 1) if number > 1 else None,
        next=url_for("releases.listing", page=number + 1) if number * limit < len(kept) else None)


@bp.get("/releases/<release_id>")
@conditional
def release() -> str:
    ctx = context()
    this = ctx.published
    return render_template("release.html", release=summary(this), current=current_id(), kinds=CHANGE_KINDS)


@bp.get("/releases/<release_id>/diff/<other>")
@conditional
def diff_page(other: str) -> Response | str:
    ctx = context()
    stem, dot, ext = other.rpartition(".")
    if dot and ext == RDF_PATCH.extension:
        found = _diff(stem)
        changes = quad_changes(found, ctx.store_of(found.old), ctx.store_of(found.new))
        body = rdf_patch(found, changes, urls.site_root(ctx.settings) + "releases/")
        return _attachment(body, RDF_PATCH.content_type, f"{found.old.id}..{found.new.id}.rdfp")
    found = _diff(other)
    limit = ctx.settings.page_link_limit
    return render_template("diff.html", diff=found, kinds=CHANGE_KINDS, limit=limit,
                           shown={kind: found.of_kind(kind)[:limit] for kind in CHANGE_KINDS})


@bp.get("/releases/<release_id>/diff/<other>/<side>.nq")
@conditional
def diff_quads(other: str, side: str) -> Response:
    signs = {"added": "A", "removed": "D"}
    if side not in signs:
        raise HTTPError(404, f"a diff has added.nq and removed.nq, not {side}.nq")
    ctx = context()
    found = _diff(other)
    changes = quad_changes(found, ctx.store_of(found.old), ctx.store_of(found.new))
    return _attachment(nquads(changes, signs[side]), N_QUADS.content_type,
                       f"{found.old.id}..{found.new.id}-{side}.nq")


@bp.get("/timemap/id/<kind>/<name>")
@conditional
def timemap(kind: str, name: str) -> Response:
    ctx = context()
    iri = urls.iri_for(kind, name, ctx.settings)
    kept = [r for r in releases(ctx.settings.build_dir) if names(r, iri)]
    if not kept:
        raise HTTPError(404, f"No kept release knows <{iri}>.")
    body = memento.timemap(f"/id/{kind}/{name}", list(reversed(kept)), urls.site_root(ctx.settings))
    return Response(body, content_type=LINK_FORMAT.content_type)


def current_id() -> str | None:
    """The id of the release the site serves now (not the one the URL names)."""
    now = current_release(context().settings.build_dir)
    return now.id if now else None


def _diff(other: str) -> Diff:
    ctx = context()
    newer: Release | None = release_named(ctx.settings.build_dir, other)
    if newer is None:
        raise HTTPError(404, f"There is no release {other!r}; see /releases.")
    try:
        return diff(ctx.published, newer, ctx.settings.id_prefix + "claim/")
    except NotRecorded as e:
        raise HTTPError(404, f"Release {e} was built before releases recorded their graphs: it has no diff.") from e


def _attachment(body: Iterator[bytes], content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


