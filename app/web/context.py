"""The request context: the settings, the release being served and its store, resolved once per request.

Every part of a request (validators, the body, the SPARQL worker's job) reads the release through `context()`,
so a build published in the middle of a request cannot make the ETag come from one release and the body from
another: the request finishes on the release it started with, the next request sees the new one.

    ctx = context()
    ctx.settings.page_link_limit
    ctx.release          # the Release, or None when nothing is published
    ctx.store            # its GraphStore (or the remote store); 503 when there is none
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, g

from app.config import Settings
from app.search import NameIndex, index_path
from app.store import GraphStore, Release, current_release, open_release_store, open_remote_store
from app.web.errors import nothing_published

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
        return _name_index(path) if path.is_file() else None

    @property
    def store(self) -> GraphStore:
        """The store of this request's release (or the remote store); 503 when there is neither."""
        if self._store is None:
            self._store = _store_for(current_app, self.settings, self.release)
        return self._store


def context() -> RequestContext:
    """This request's context, resolved on first use."""
    found = g.get("defcoop_context")
    if found is None:
        settings = app_settings()
        found = RequestContext(settings, current_release(settings.build_dir))
        g.defcoop_context = found
    return found


def app_settings() -> Settings:
    """The settings of the current app (the same for every request)."""
    return current_app.extensions[SETTINGS_KEY]


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORES_KEY] = (threading.Lock(), OrderedDict())


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


@functools.lru_cache(maxsize=4)
def _name_index(path: Path) -> NameIndex:
    return NameIndex(path)
