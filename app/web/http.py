"""HTTP rules every answer follows: validators and conditional requests, caching headers, CORS, gzip-encoded
files, the truncation header, and error answers. Routes call these; nothing else sets these headers.

* Validators: everything DefCoop serves is a function of the request's release, the request and the settings,
  so an ETag hashes those (the site's root URL included: absolute links are built from it) and Last-Modified is
  the release's build time. `@conditional` answers If-None-Match / If-Modified-Since with 304 before any work
  and stamps 200 answers. Both come from the request context, so they belong to the body sent.
* `common_headers` (after every request): CORS for any origin, `nosniff`, `Vary: Accept`.
* `send_download` streams a release file, its precompressed `.gz` twin to clients that accept gzip.
* `error` answers every refused request, on every surface, in the client's preferred of plain text, JSON and
  the HTML error page (text when it has no preference, so scripts and SPARQL clients read text).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, is_resource_modified
from werkzeug.wsgi import wrap_file

from app.config import Settings
from app.store import Release, StoreUnavailable
from app.web import urls
from app.web.context import app_settings, context
from app.web.dataset import Download
from app.web.errors import HTTPError, unavailable
from app.web.renderers import HTML, JSON, RESULTS_JSON, TEXT, Format, negotiate
from app.web.response_cache import FILE as CACHE_FILE
from app.web.response_cache import ResponseCache

EXPOSED_HEADERS = "ETag, Link, X-DefCoop-Truncated, X-DefCoop-Max-Rows"
"""Response headers scripts on other origins may read: validators, links, SPARQL truncation."""
PREFLIGHT_HEADERS = "Content-Type, Accept, If-None-Match, If-Modified-Since"
TRUNCATED = "X-DefCoop-Truncated"
CACHE_KEY = "defcoop.response_cache"
CACHE_HEADER = "X-DefCoop-Cache"
"""`hit` on an answer the shared response cache gave (app/web/response_cache.py), `miss` on one it now keeps."""
STREAM_OVER_BYTES = 4_000_000
"""Release files larger than this are streamed from disk rather than read into memory."""
ERROR_FORMATS: tuple[Format, ...] = (TEXT, RESULTS_JSON, HTML)
"""What an error body may be, the default first. RESULTS_JSON (with its alias application/json) so that SPARQL
clients asking only for results JSON get `{"error": …}` too; it is sent as plain JSON."""


# --- validators and conditional requests ----------------------------------------------------------------------


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime


CODE_SUFFIXES = frozenset({".py", ".html", ".css", ".js"})
"""Files of the app whose change changes what it serves (`code_digest`)."""


def validators(release: Release | None, *key: str) -> Validators | None:
    """Validators for a representation of `release` identified by `key` (path, Accept, …); None without a release."""
    if release is None:
        return None
    digest = hashlib.sha256("\0".join((release.id, *key)).encode()).hexdigest()[:32]
    return Validators(etag=digest, last_modified=release.built_at)


def request_validators() -> Validators | None:
    """Validators for this request: its release + DefCoop's code + settings + site root URL + path and query string +
    Accept."""
    ctx = context()
    return validators(ctx.release, code_digest(), repr(ctx.settings), urls.site_root(ctx.settings), request.full_path,
                      request.headers.get("Accept", ""))


@functools.cache
def code_digest() -> str:
    """The site's code (DefCoop's Python modules, templates and static files), hashed once per process: a release
    never changes, but an upgraded DefCoop draws it anew, so neither an ETag nor a cached body outlives the code."""
    return files_digest(Path(__file__).resolve().parent.parent)


def files_digest(root: Path) -> str:
    """The names and contents of the `CODE_SUFFIXES` files under `root`, hashed."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def stamp(response: Response, found: Validators) -> Response:
    """Put ETag and Last-Modified on a response (every response varies by Accept: see `common_headers`)."""
    response.set_etag(found.etag)
    response.last_modified = found.last_modified
    return response


def conditional(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a view: 304 for a fresh conditional GET/HEAD, validators on every 200 GET/HEAD answer, and 200
    answers kept in the response cache: a release never changes, so a body cached under its ETag is exact."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(*args, **kwargs)
        found = request_validators()
        if found is None:
            return view(*args, **kwargs)
        if not is_resource_modified(request.environ, etag=found.etag, last_modified=found.last_modified):
            return stamp(Response(status=304), found)
        cache: ResponseCache = current_app.extensions[CACHE_KEY]
        # by whether the client takes gzip, the one coding DefCoop sends (not by how it spells Accept-Encoding)
        key = f"{found.etag}\0{'gzip' if accepts_gzip() else 'identity'}"
        hit = cache.get(key)
        if hit is not None:
            hit.headers[CACHE_HEADER] = "hit"
            return stamp(hit, found)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            stamp(response, found)
            cache.put(key, response)
            response.headers[CACHE_HEADER] = "miss"
        return response

    return wrapper


def init_app(app: Flask, settings: Settings) -> None:
    """Error handlers, headers on every answer, and the app's response cache."""
    app.register_error_handler(HTTPError, error)
    app.register_error_handler(HTTPException, error)
    app.register_error_handler(StoreUnavailable, store_unavailable)
    app.after_request(common_headers)
    app.extensions[CACHE_KEY] = ResponseCache(settings.build_dir / CACHE_FILE, settings.response_cache_mb * 1_000_000)


# --- headers on every answer ----------------------------------------------------------------------------------


def common_headers(response: Response) -> Response:
    """On every answer: any origin may read it, its type is not to be sniffed, and it varies by Accept (every
    surface negotiates, error bodies included); OPTIONS answers the CORS preflight with the route's methods."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = headers.get("Allow", "GET, HEAD, OPTIONS")
        headers["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
        headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Accept")
    return response


def page_number() -> int:
    """The `?page=` of a paged list (1 when absent); 400 unless a whole number from 1."""
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) <= 9 and int(page) >= 1):
        raise HTTPError(400, f"page must be a whole number from 1, not {page!r}")
    return int(page)


def truncated(response: Response, flag: bool) -> Response:
    """Say whether rows or triples were left off the answer (at `sparql_max_rows`)."""
    response.headers[TRUNCATED] = "true" if flag else "false"
    return response


# --- files, gzip-encoded when the client accepts it --------------------------------------------------------------


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
    """A release file streamed as it is, or gzip-encoded for clients that accept it (its precompressed twin
    when the release has one, else compressed here). Use under `@compressible`."""
    path, packed, content_type = download.path, download.gzip_path, download.content_type
    if accepts_gzip():
        if packed is not None and packed.is_file():
            response = _stream(packed, content_type)
        else:
            response = Response(_gzip(path, path.stat().st_mtime_ns), content_type=content_type)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = _stream(path, content_type)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f"{disposition}; filename={download.name}"
    response.cache_control.no_cache = True  # stable URL, new content with each release: revalidate (cheap 304)
    return response


def _stream(path: Path, content_type: str) -> Response:
    """The file's bytes; read whole when small, else streamed from disk (dumps of big releases are large)."""
    if path.stat().st_size <= STREAM_OVER_BYTES:
        return Response(path.read_bytes(), content_type=content_type)
    handle = path.open("rb")
    response = Response(wrap_file(request.environ, handle), content_type=content_type, direct_passthrough=True)
    response.content_length = path.stat().st_size
    return response


@functools.lru_cache(maxsize=32)
def _gzip(path: Path, mtime_ns: int) -> bytes:
    del mtime_ns  # part of the cache key: a file replaced in place is compressed again
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


# --- errors ---------------------------------------------------------------------------------------------------


def error(exc: HTTPError | HTTPException) -> Response:
    """The answer to a refused request (HTTPError, or werkzeug's own: unknown path, body too large, …) as text,
    JSON (`{"error": {"status", "message"}}`) or the HTML error page, as the client prefers (see the module)."""
    headers: list[tuple[str, str]] = []
    if isinstance(exc, HTTPException):
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # e.g. Allow on 405
        exc = HTTPError(exc.code or 500, _werkzeug_message(exc))
    fmt = negotiate(request.headers.get("Accept"), ERROR_FORMATS) or TEXT
    if fmt is HTML:
        heading = HTTP_STATUS_CODES.get(exc.status, "Error").capitalize()
        response = Response(render_template("error.html", heading=heading, message=exc.message), exc.status,
                            content_type=HTML.content_type)
    elif fmt is RESULTS_JSON:
        body = json.dumps({"error": {"status": exc.status, "message": exc.message}})
        response = Response(body, exc.status, content_type=JSON.content_type)
    else:
        response = Response(exc.message + "\n", exc.status, content_type=TEXT.content_type)
    response.headers.extend(headers)
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def store_unavailable(exc: StoreUnavailable) -> Response:
    """503 with Retry-After while the remote store does not answer; nothing is cached, so the next request after it
    is back is served."""
    return error(unavailable(exc))


def _werkzeug_message(exc: HTTPException) -> str:
    if exc.code == 404:
        return f"There is no page at {request.path}."
    if exc.code == 413:
        return f"the request body is larger than max_request_bytes = {app_settings().max_request_bytes}"
    return exc.description or exc.name
