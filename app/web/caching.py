"""HTTP validators tied to the published release: ETag and Last-Modified, and 304 answers to conditional GETs.

Everything DefCoop serves is a function of the current release, the request and the settings, so
an ETag is a hash of those (the site's root URL included: absolute links are built from it, and without
`public_url` it comes from the Host header), and Last-Modified is the release's build time (`built_at` in
its manifest, else the release folder's mtime). Decorate a view with `@conditional` to answer
If-None-Match / If-Modified-Since with 304 *before* doing any work and to stamp 200 answers:

    @bp.get("/id/<path:name>")
    @conditional
    def entity(name): ...
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Response, make_response, request
from werkzeug.http import is_resource_modified

from app.store import Release, current_release
from app.web import get_settings, urls


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime


def release_time(release: Release) -> datetime:
    """When the release was built: manifest `built_at` (ISO 8601, UTC if naive), else the folder's mtime."""
    try:
        built_at = release.manifest.get("built_at")
    except (OSError, ValueError):
        built_at = None
    if isinstance(built_at, str):
        try:
            moment = datetime.fromisoformat(built_at)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.fromtimestamp(release.path.stat().st_mtime, UTC)


def validators(release: Release | None, *key: str) -> Validators | None:
    """Validators for a representation of `release` identified by `key` (path, Accept, …); None without a release."""
    if release is None:
        return None
    digest = hashlib.sha256("\0".join((release.id, *key)).encode()).hexdigest()[:32]
    return Validators(etag=digest, last_modified=release_time(release))


def request_validators() -> Validators | None:
    """Validators for the current request: release id + settings + site root URL + path and query string + Accept."""
    settings = get_settings()
    return validators(
        current_release(settings.build_dir),
        repr(settings),
        urls.site_root(settings),
        request.full_path,
        request.headers.get("Accept", ""),
    )


def stamp(response: Response, found: Validators) -> Response:
    """Put ETag and Last-Modified on a response (every response varies by Accept: see `common_headers`)."""
    response.set_etag(found.etag)
    response.last_modified = found.last_modified
    return response


def conditional(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a view: 304 for a fresh conditional GET/HEAD, validators on every 200 GET/HEAD answer."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(*args, **kwargs)
        found = request_validators()
        if found is None:
            return view(*args, **kwargs)
        if not is_resource_modified(request.environ, etag=found.etag, last_modified=found.last_modified):
            return stamp(Response(status=304), found)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            stamp(response, found)
        return response

    return wrapper
