"""A SQLite file of a release (its name index, its facet index), opened read-only with one connection per thread
(sqlite3 connections are not shared between threads)."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TypeVar

F = TypeVar("F", bound="ReadOnlyFile")


def writer(path: Path) -> sqlite3.Connection:
    """A connection writing an index file of a release being built: no rollback journal and no syncs (the release
    folder is staged, so a build that stops leaves no half-written file serving); a fifth of the time of writing
    the name index at 1M triples."""
    connection = sqlite3.connect(path)
    connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
    return connection


class ReadOnlyFile:
    """Subclasses query `self._connection()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._local.connection = connection
        return connection


OPEN_FILES = 8
"""Files `opened` keeps open per process, most recently used first (a few releases' indexes): a pruned release's
files are let go, not held open on disk."""
_opened: OrderedDict[tuple[type, Path], ReadOnlyFile] = OrderedDict()
_opening = threading.Lock()


def opened(kind: type[F], path: Path) -> F | None:
    """The file at `path` opened as `kind` once per process (queries of every release it serves share it), or None
    when there is no such file (a release built before it existed)."""
    with _opening:
        found = _opened.get((kind, path))
        if found is None:
            if not path.exists():
                return None
            found = _opened[(kind, path)] = kind(path)
            while len(_opened) > OPEN_FILES:
                _opened.popitem(last=False)
        _opened.move_to_end((kind, path))
        return found  # type: ignore[return-value]
