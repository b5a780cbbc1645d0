"""The DefCoop web app: `create_app()` builds a Flask app from named settings; there is no module-level app.

Nothing here is imported back by the parts it wires: the request context is context.py, the HTTP rules http.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app.config import Settings, load_settings


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

    from app.web import context, http, memento, render, sparql
    from app.web.routes import downloads, endpoint, explore, nanopub, ontology, pages, questions, releases, void

    context.init_app(app, settings)
    sparql.init_app(app)
    for module in (endpoint, pages, explore, downloads, void, ontology, nanopub, releases, questions):
        app.register_blueprint(module.bp)
    http.init_app(app, settings)
    memento.init_app(app)
    app.jinja_env.filters.update(render.FILTERS)
    return app
