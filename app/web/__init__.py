"""The DefCoop web app: `create_app()` builds a Flask app from named settings; there is no module-level app.

What every route shares is here: the app's settings (`get_settings`), the release it serves (`published`),
the one read-only store it reads (`graph_store`), and the headers every answer carries (`common_headers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from app.config import Settings, load_settings
from app.store import GraphStore, Release, current_release, open_store
from app.web.errors import HTTPError, nothing_published

STORE_KEY = "defcoop.store"
EXPOSED_HEADERS = "ETag, Link, X-DefCoop-Truncated, X-DefCoop-Max-Rows"
"""Response headers scripts on other origins may read: validators, links, SPARQL truncation."""
PREFLIGHT_HEADERS = "Content-Type, Accept, If-None-Match, If-Modified-Since"


def create_app(settings_or_overrides: Settings | Mapping[str, Any] | None = None) -> Flask:
    """An app serving the current release under `build_dir` with these settings, or with defaults, then DEFCOOP_*,
    then these overrides (a mapping, as tests give)."""
    settings = settings_or_overrides if isinstance(settings_or_overrides, Settings) else load_settings(
        settings_or_overrides)
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,  # larger bodies → 413
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
    )
    app.extensions["defcoop"] = settings

    from app.web import render, sparql
    from app.web.routes import dataset, downloads, ontology, pages
    from app.web.routes import sparql as sparql_routes

    sparql.init_app(app)
    for module in (sparql_routes, pages, downloads, dataset, ontology):
        app.register_blueprint(module.bp)
    app.register_error_handler(HTTPError, render.error)
    app.register_error_handler(HTTPException, render.error)
    app.after_request(common_headers)
    app.jinja_env.filters.update(render.FILTERS)
    return app


def get_settings() -> Settings:
    """The settings of the current app."""
    return current_app.extensions["defcoop"]


def published() -> Release:
    """The release being served; 503 when nothing is published."""
    release = current_release(get_settings().build_dir)
    if release is None:
        raise nothing_published()
    return release


def graph_store() -> GraphStore:
    """The store every page reads: the current release's, opened read-only once per release for the whole app
    (reopened when a build switches `current`), or the remote store; 503 when there is neither."""
    settings = get_settings()
    release = current_release(settings.build_dir)
    key = settings.store_endpoint or (str(release.path) if release else None)
    if key is None:
        raise nothing_published()
    cached = current_app.extensions.get(STORE_KEY)
    if cached is None or cached[0] != key:
        cached = (key, open_store(settings))
        current_app.extensions[STORE_KEY] = cached
    return cached[1]


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
