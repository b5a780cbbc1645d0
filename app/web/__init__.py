"""The DefCoop web app: `create_app()` builds a Flask app from named settings; there is no module-level app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from app.config import Settings, load_settings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """An app serving the current release under `build_dir`; settings are defaults, then DEFCOOP_*, then `overrides`."""
    settings = load_settings(overrides)
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,  # larger bodies → 413
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
    )
    app.extensions["defcoop"] = settings

    from app.web import sparql
    from app.web.routes import pages as pages_routes
    from app.web.routes import sparql as sparql_routes

    sparql.init_app(app)
    app.register_blueprint(sparql_routes.bp)
    app.register_blueprint(pages_routes.bp)
    from app.web.routes import dataset as dataset_routes
    from app.web.routes import downloads as downloads_routes
    from app.web.routes import ontology as ontology_routes

    app.register_blueprint(downloads_routes.bp)
    app.register_blueprint(dataset_routes.bp)
    app.register_blueprint(ontology_routes.bp)
    return app


def get_settings() -> Settings:
    """The settings of the current app."""
    return current_app.extensions["defcoop"]
