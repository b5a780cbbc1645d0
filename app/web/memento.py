"""Memento (RFC 7089) for entity IRIs and the SPARQL endpoint: each is its own TimeGate.

* A request with `Accept-Datetime` to `/id/…` or `/sparql` is redirected (302; 307 for POST, which keeps the
  body) to the memento: the same path under `/releases/{id}/`, where `id` is the release that was current at
  that time (the oldest kept release for a time before them all). An unreadable datetime is 400.
* A memento (`/releases/{id}/id/…`, `/releases/{id}/sparql`) answers with `Memento-Datetime` (the release's
  build time) and `Link` to its original resource (also its TimeGate) and, for an entity, its TimeMap.
* The original resources say `Vary: Accept-Datetime` and link to their TimeMap.
* `/timemap/id/{type}/{slug}` (app/web/routes/releases.py) lists every kept release that names the entity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import Flask, Response, g, redirect, request
from werkzeug.http import http_date, parse_date

from app.store import Release, release_at
from app.web import urls
from app.web.context import RELEASE_ARG, app_settings, context
from app.web.errors import HTTPError
from app.web.renderers import LINK_FORMAT

ENTITY = re.compile(r"^/id/([^/]+)/([^/]+?)(?:\.[a-z]+)?$")
"""An entity URL (`/id/{type}/{slug}`, or with a format extension): its type and slug."""
MEMENTO = re.compile(r"^/releases/([^/]+)(/id/[^/]+/[^/]+|/sparql)$")
"""A memento URL: the release and the original path."""
HEADER = "Accept-Datetime"


def init_app(app: Flask) -> None:
    app.before_request(timegate)
    app.after_request(headers)
    app.context_processor(pinned_release)


def pinned_release() -> dict[str, Release | None]:
    """For templates: the release a `/releases/{id}/…` page shows as it was (None on pages of the current data and
    on the release pages themselves). Only a context already resolved is read, so an error page about a bad
    release id does not fail again."""
    resolved = g.get("defcoop_context")
    if resolved is None or g.get(RELEASE_ARG) is None or request.blueprint == "releases":
        return {"pinned_release": None}  # the release pages say which releases they show themselves
    return {"pinned_release": resolved.release}


def _original(path: str) -> bool:
    return path == "/sparql" or ENTITY.match(path) is not None


def timegate() -> Response | None:
    """Redirect a request for an original resource that carries Accept-Datetime to the memento of that time."""
    asked = request.headers.get(HEADER)
    if asked is None or not _original(request.path):
        return None
    moment = parse_date(asked)
    if moment is None:
        raise HTTPError(400, f"{HEADER} must be an HTTP date such as 'Wed, 02 Dec 2026 14:00:00 GMT', "
                             f"not {asked!r}")
    settings = app_settings()
    if settings.store_endpoint:
        return None  # a remote store holds one release: there is no earlier state to offer
    chosen = release_at(settings.build_dir, moment)
    if chosen is None:
        return None  # nothing published: the view answers 503
    target = f"/releases/{chosen.id}{request.path}"
    if request.query_string:
        target += "?" + request.query_string.decode("ascii", "replace")
    response = redirect(target, code=307 if request.method == "POST" else 302)
    response.vary.add(HEADER)
    response.headers["Link"] = _links(request.path, urls.site_root(settings), original=True)
    return response


def headers(response: Response) -> Response:
    """Memento headers on originals and mementos (see the module)."""
    path = request.path
    root = urls.site_root(app_settings())
    found = MEMENTO.match(path)
    if found is not None and response.status_code < 400:
        release = context().release
        if release is not None:
            response.headers["Memento-Datetime"] = http_date(release.built_at)
            response.headers.add("Link", _links(found.group(2), root, original=True))
    elif _original(path) and not app_settings().store_endpoint:
        response.vary.add(HEADER)
        if response.status_code < 400 and "timegate" not in response.headers.get("Link", ""):
            response.headers.add("Link", _links(path, root, original=False))
    return response


def _links(path: str, root: str, original: bool) -> str:
    """Link header value: the original resource (its own TimeGate) and, for an entity, its TimeMap."""
    links = [f'<{root}{path.lstrip("/")}>; rel="{"original timegate" if original else "timegate"}"']
    entity = ENTITY.match(path)
    if entity is not None:
        links.append(f'<{root}timemap/id/{entity.group(1)}/{entity.group(2)}>; rel="timemap"; '
                     f'type="{LINK_FORMAT.media_type}"')
    return ", ".join(links)


def timemap(path: str, kept: Sequence[Release], root: str) -> str:
    """The TimeMap of the original resource at `path`: its mementos in `kept` (oldest first), RFC 7089 §5."""
    original = f"{root}{path.lstrip('/')}"
    entity = ENTITY.match(path)
    self_url = f"{root}timemap/id/{entity.group(1)}/{entity.group(2)}" if entity else original
    lines = [f'<{original}>; rel="original"', f'<{original}>; rel="timegate"',
             f'<{self_url}>; rel="self"; type="{LINK_FORMAT.media_type}"; '
             f'from="{http_date(kept[0].built_at)}"; until="{http_date(kept[-1].built_at)}"']
    for n, release in enumerate(kept):
        rel = "memento"
        if n == 0:
            rel = "first memento"
        if n == len(kept) - 1:
            rel = "last memento" if n else "first last memento"
        lines.append(f'<{root}releases/{release.id}{path}>; rel="{rel}"; datetime="{http_date(release.built_at)}"')
    return ",\n".join(lines) + "\n"
