"""The request context: the settings, the release being served and its store, resolved once per request.

Every part of a request (validators, the body, the SPARQL worker's job) reads the release through `context()`,
so a build published in the middle of a request cannot make the ETag come from one release and the body from
another: the request finishes on the release it started with, the next request sees the new one.

    ctx = context()
    ctx.settings.page_link_limit
    ctx.release          # the Release, or None when nothing is published
    ctx.store            # its GraphStore (or the remote store), queried within the time limit; 503 without one
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, g

from app.config import Settings
from app.facets import FacetIndex
from app.facets import index_path as facet_path
from app.search import NameIndex, index_path
from app.sqlite_file import opened
from app.store import GraphStore, Release, current_release, open_release_store, open_remote_store, release_named
from app.web.errors import HTTPError, nothing_published

T = TypeVar("T")
SETTINGS_KEY = "defcoop"
STORES_KEY = "defcoop.stores"
OPEN_STORES = 2
"""Stores of releases kept open at once: the current one and the one requests in flight may still read."""


@dataclass
class RequestContext:
    """What one request serves from; see the module."""

    settings: Settings
    release: Release | None
    _store: GraphStore | None = field(default=None, repr=False)

    @property
    def published(self) -> Release:
        """The release; 503 when nothing is published."""
        if self.release is None:
            raise nothing_published()
        return self.release

    @property
    def names(self) -> NameIndex | None:
        """The release's name index for search, when it has one."""
        if self.release is None:
            return None
        path = index_path(self.release.path)
        return opened(NameIndex, path)

    @property
    def facets(self) -> FacetIndex | None:
        """The release's facet index for class pages, when it has one."""
        if self.release is None:
            return None
        path = facet_path(self.release.path)
        return opened(FacetIndex, path)

    def store_of(self, release: Release) -> GraphStore:
        """The embedded store of another kept release (what a diff between two releases reads)."""
        return _store_for(current_app, self.settings, release)

    def page(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(store, *args, **kwargs)`, a page model of app/web/queries, computed where the request's queries
        run (in one query worker: one round trip, not one per query; within the request's time limit)."""
        store = self.store
        run = getattr(store, "model", None)
        return run(function, *args, **kwargs) if run is not None else function(store, *args, **kwargs)

    @property
    def store(self) -> GraphStore:
        """The store of this request's release (or the remote store), read through the query workers so that the
        request's queries stop at `sparql_time_limit_s` (app/web/sparql/service.py); 503 when there is neither."""
        if self._store is None:
            if self.release is None and not self.settings.store_endpoint:
                raise nothing_published()
            from app.web.sparql.service import service  # the service is wired after the context

            self._store = service().page_store(self.release)
        return self._store


def context() -> RequestContext:
    """This request's context, resolved on first use: the release its URL names (`/releases/{id}/…`), else the
    current one."""
    found = g.get("defcoop_context")
    if found is None:
        settings = app_settings()
        named = g.get(RELEASE_ARG)
        found = RequestContext(settings, current_release(settings.build_dir) if named is None
                               else _named_release(settings, named))
        g.defcoop_context = found
    return found


RELEASE_ARG = "release_id"
"""The URL variable naming a release (`/releases/<release_id>/…`); taken off before the view is called."""


def _named_release(settings: Settings, release_id: str) -> Release:
    """A release a URL names: 404 when it is not (or no longer) kept, or when the site reads a remote store (which
    holds only the release it was loaded with)."""
    if settings.store_endpoint:
        raise HTTPError(404, "This site serves one release from its remote store; earlier releases are only "
                             "served by a site on the embedded store.")
    release = release_named(settings.build_dir, release_id)
    if release is None:
        raise HTTPError(404, f"There is no release {release_id!r}; see /releases.")
    return release


def _release_in_links(endpoint: str, values: dict[str, Any]) -> None:
    """Links built on a page of a named release stay in that release where the target has a release URL."""
    named = g.get(RELEASE_ARG) if g else None
    if named is not None and RELEASE_ARG not in values and current_app.url_map.is_endpoint_expecting(
            endpoint, RELEASE_ARG):
        values[RELEASE_ARG] = named


def _release_from_url(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Any route may take `<release_id>`: it selects the release the request serves, not a view argument."""
    if values and RELEASE_ARG in values:
        g.setdefault(RELEASE_ARG, values.pop(RELEASE_ARG))


def pinned(release: Release | None) -> bool:
    """Whether this request's URL names its release (`/releases/{id}/…`), rather than serving the current one."""
    return release is not None and g.get(RELEASE_ARG) is not None


def app_settings() -> Settings:
    """The settings of the current app (the same for every request)."""
    return current_app.extensions[SETTINGS_KEY]


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORES_KEY] = (threading.Lock(), OrderedDict())
    app.url_value_preprocessor(_release_from_url)
    app.url_defaults(_release_in_links)


def _store_for(app: Flask, settings: Settings, release: Release | None) -> GraphStore:
    """The remote store, or `release`'s embedded store opened read-only once for the app (a few kept open)."""
    if settings.store_endpoint:
        key = settings.store_endpoint
    elif release is not None:
        key = str(release.path)
    else:
        raise nothing_published()
    lock, stores = app.extensions[STORES_KEY]
    with lock:
        store = stores.get(key)
        if store is None:
            store = open_remote_store(settings) if settings.store_endpoint else open_release_store(release)
            stores[key] = store
            while len(stores) > OPEN_STORES:  # requests still on it keep it alive until they finish
                stores.popitem(last=False)
        stores.move_to_end(key)
        return store

