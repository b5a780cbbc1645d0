"""/downloads: the release's dump files, listed (HTML or JSON) and served at stable URLs; /context.jsonld.

* `/downloads` lists every file of the release's manifest (name, content, media type, size, triples, sha256).
* `/downloads/<file>` serves only names the manifest lists (anything else, `../` included, is 404), with the
  registry's Content-Type, `Content-Disposition: attachment`, ETag / Last-Modified (304), gzip when the client
  accepts it (`Content-Encoding: gzip`, `Vary: Accept-Encoding`, a weak ETag: same content, other coding).
* `/context.jsonld` is the JSON-LD @context the JSON-LD dumps inline, as a document of its own.
* Every answer points at the dataset description (`Link: </.well-known/void>`).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from app.web import urls
from app.web.context import context
from app.web.dataset import downloads, find_download, jsonld_context, listing_json
from app.web.errors import HTTPError
from app.web.http import compressible, conditional, send_download
from app.web.renderers import HTML, JSON, JSON_LD, choose

bp = Blueprint("downloads", __name__)

LISTING_FORMATS = (HTML, JSON)


@bp.get("/downloads")
@bp.get("/releases/<release_id>/downloads")
@conditional
def listing() -> Response | str:
    ctx = context()
    release = ctx.published
    fmt = choose(LISTING_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    if fmt is JSON:
        body = listing_json(release, urls.site_root(ctx.settings))
        return Response(json.dumps(body, indent=2), content_type=JSON.content_type)
    return render_template("downloads.html", downloads=downloads(release), manifest=release.manifest, release=release)


@bp.get("/downloads/<path:name>")
@bp.get("/releases/<release_id>/downloads/<path:name>")
@compressible
@conditional
def download(name: str) -> Response:
    found = find_download(context().published, name)
    if found is None:
        raise HTTPError(404, f"no download is called {name!r}; see /downloads")
    return send_download(found, attachment=True)


@bp.get("/context.jsonld", endpoint="context")
@conditional
def context_document() -> Response:
    body = json.dumps(jsonld_context(context().published), indent=2, sort_keys=True)
    return Response(body + "\n", content_type=JSON_LD.content_type)


@bp.after_request
def described(response: Response) -> Response:
    """Each answer says where the dataset is described."""
    link = '</.well-known/void>; rel="describedby"'
    if link not in response.headers.getlist("Link"):  # a cached answer has it already
        response.headers.add("Link", link)
    return response
