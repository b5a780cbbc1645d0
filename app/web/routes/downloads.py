"""/downloads: the release's dump files, listed (HTML or JSON) and served at stable URLs; /context.jsonld.

* `/downloads` lists every file of the release's manifest (name, content, media type, size, triples, sha256).
* `/downloads/<file>` serves only names the manifest lists (anything else, `../` included, is 404), with the
  registry's Content-Type, `Content-Disposition: attachment`, ETag / Last-Modified (304), gzip when the client
  accepts it (`Content-Encoding: gzip`, `Vary: Accept-Encoding`, a weak ETag: same content, other coding).
* `/context.jsonld` is the JSON-LD @context the JSON-LD dumps inline, as a document of its own.
* Every answer allows any origin and points at the dataset description (`Link: </.well-known/void>`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request, url_for

from app.store import Release, current_release
from app.web import get_settings
from app.web.caching import conditional
from app.web.dataset import Download, downloads, find_download, gzipped, jsonld_context
from app.web.formats import HTML, JSON_LD, Format, FormatError, choose

bp = Blueprint("downloads", __name__)

JSON = Format("json", "json", "application/json", "data")
"""Plain JSON, for listings that are not RDF (kept here until the format registry has it)."""
LISTING_FORMATS = (HTML, JSON)


def published() -> Release:
    """The release being served, or 503 when nothing is published."""
    release = current_release(get_settings().build_dir)
    if release is None:
        abort(503, description="nothing is published yet: run `defcoop build`")
    return release


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
    files = downloads(release)
    manifest = release.manifest
    if fmt is JSON:
        body = {
            "release": release.id,
            "built_at": manifest.get("built_at"),
            "description": url_for("dataset.void", _external=True),
            "context": url_for("downloads.context", _external=True),
            "downloads": [f.to_json(url_for("downloads.download", name=f.name, _external=True)) for f in files],
        }
        return Response(json.dumps(body, indent=2), content_type=JSON.content_type)
    return render_template("downloads.html", downloads=files, manifest=manifest, release=release)


@bp.get("/downloads/<path:name>")
@compressible
@conditional
def download(name: str) -> Response:
    found = find_download(published(), name)
    if found is None:
        abort(404, description=f"no download is called {name!r}; see /downloads")
    return send_download(found, attachment=True)


@bp.get("/context.jsonld")
@conditional
def context() -> Response:
    body = json.dumps(jsonld_context(published()), indent=2, sort_keys=True)
    return Response(body + "\n", content_type=JSON_LD.content_type)


@bp.after_request
def linked(response: Response) -> Response:
    """Any origin may fetch the dumps and the context; each answer says where the dataset is described."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    response.headers.add("Link", '</.well-known/void>; rel="describedby"')
    return response


@bp.errorhandler(FormatError)
def format_error(exc: FormatError) -> Response:
    return Response(f"{exc.message}\n", status=exc.status, content_type="text/plain; charset=utf-8")
