"""/downloads: the release's dump files, listed (HTML or JSON) and served at stable URLs; /context.jsonld.

* `/downloads` lists every file of the release's manifest (name, content, media type, size, triples, sha256).
* `/downloads/<file>` serves only names the manifest lists (anything else, `../` included, is 404), with the
  registry's Content-Type, `Content-Disposition: attachment`, ETag / Last-Modified (304), gzip when the client
  accepts it (`Content-Encoding: gzip`, `Vary: Accept-Encoding`, a weak ETag: same content, other coding).
* `/context.jsonld` is the JSON-LD @context the JSON-LD dumps inline, as a document of its own.
* Every answer points at the dataset description (`Link: </.well-known/void>`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, make_response, render_template, request

from app.web import get_settings, published, urls
from app.web.caching import conditional
from app.web.dataset import Download, downloads, find_download, gzipped, jsonld_context, listing_json
from app.web.errors import HTTPError
from app.web.formats import HTML, JSON, JSON_LD, choose

bp = Blueprint("downloads", __name__)

LISTING_FORMATS = (HTML, JSON)


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compressible(view: Callable[..., Any]) -> Callable[..., Any]:
    """Outside `@conditional`: answers that may be gzip-encoded vary by Accept-Encoding, and their ETag
    becomes weak when they are (RFC 9110 §8.8.1: one content in two codings), on 200 and 304 alike."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        if response.status_code in (200, 304):
            response.vary.add("Accept-Encoding")
            etag, weak = response.get_etag()
            if etag and not weak and accepts_gzip():
                response.set_etag(etag, weak=True)
        return response

    return wrapper


def send_download(download: Download, attachment: bool) -> Response:
    """The file's bytes as they are, or gzip-compressed for clients that accept it (dumps are small: read whole)."""
    if accepts_gzip():
        response = Response(gzipped(download), content_type=download.content_type)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(download.path.read_bytes(), content_type=download.content_type)
    response.headers["Content-Disposition"] = f"{'attachment' if attachment else 'inline'}; filename={download.name}"
    response.cache_control.no_cache = True  # stable URL, new content with each release: revalidate (cheap 304)
    return response


@bp.get("/downloads")
@conditional
def listing() -> Response | str:
    release = published()
    fmt = choose(LISTING_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    if fmt is JSON:
        body = listing_json(release, urls.site_root(get_settings()))
        return Response(json.dumps(body, indent=2), content_type=JSON.content_type)
    return render_template("downloads.html", downloads=downloads(release), manifest=release.manifest, release=release)


@bp.get("/downloads/<path:name>")
@compressible
@conditional
def download(name: str) -> Response:
    found = find_download(published(), name)
    if found is None:
        raise HTTPError(404, f"no download is called {name!r}; see /downloads")
    return send_download(found, attachment=True)


@bp.get("/context.jsonld")
@conditional
def context() -> Response:
    body = json.dumps(jsonld_context(published()), indent=2, sort_keys=True)
    return Response(body + "\n", content_type=JSON_LD.content_type)


@bp.after_request
def described(response: Response) -> Response:
    """Each answer says where the dataset is described."""
    response.headers.add("Link", '</.well-known/void>; rel="describedby"')
    return response
