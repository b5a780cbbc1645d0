"""The release's name index: every entity's labels, alternative labels and titles in SQLite FTS5 with a trigram
tokenizer, written by the build (`search.sqlite` in the release folder) and read by the site's search.

A trigram index answers "contains this text" (case-insensitively) for text of three characters or more without
scanning; shorter text scans the names table (a few hundred thousand short rows at a million triples). Exact
matches rank first, then names that start with the text, then the rest by name.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.vocab import DCT_TITLE, RDFS_LABEL, SKOS_ALT, SKOS_PREF

FILE = "search.sqlite"
NAME_PROPERTIES = (RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT_TITLE)
"""What names an entity: labels, preferred and alternative labels, titles."""
SCHEMA = """
CREATE TABLE names (iri TEXT NOT NULL, name TEXT NOT NULL);
CREATE VIRTUAL TABLE names_fts USING fts5(name, content='names', content_rowid='rowid', tokenize='trigram');
"""
TRIGRAM = 3


@dataclass(frozen=True)
class Match:
    iri: str
    names: tuple[str, ...]
    """The entity's names that contain the text, best first."""


def write_index(path: Path, names: Iterable[tuple[str, str]]) -> int:
    """Write the index of (entity IRI, name) pairs to `path` (a new file); returns the number of names."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(SCHEMA)
        rows = sorted(set(names))  # stable file for the same names
        connection.executemany("INSERT INTO names (iri, name) VALUES (?, ?)", rows)
        connection.execute("INSERT INTO names_fts (names_fts) VALUES ('rebuild')")
        connection.execute("CREATE INDEX names_iri ON names (iri)")
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    return len(rows)


class NameIndex:
    """A release's index, opened read-only (one connection per thread: sqlite3 connections are not shared)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._local.connection = connection
        return connection

    def find(self, text: str, limit: int) -> tuple[list[Match], bool]:
        """Entities with a name containing `text`, best first: at most `limit`, and whether there are more."""
        needle = text.strip().lower()
        if not needle:
            return [], False
        rank = "CASE WHEN lower(name) = :needle THEN 0 WHEN lower(name) LIKE :prefix ESCAPE '\\' THEN 1 ELSE 2 END"
        if len(needle) >= TRIGRAM:
            where = "rowid IN (SELECT rowid FROM names_fts WHERE names_fts MATCH :phrase)"
        else:
            where = "lower(name) LIKE :contains ESCAPE '\\'"
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._connection().execute(
            f"SELECT iri, name, {rank} AS r FROM names WHERE {where} ORDER BY r, lower(name), iri",
            {"needle": needle, "prefix": escaped + "%", "contains": "%" + escaped + "%",
             "phrase": '"' + needle.replace('"', '""') + '"'},
        )
        found: dict[str, list[str]] = {}
        for iri, name, _ in rows:
            if iri not in found:
                if len(found) == limit:
                    return [Match(i, tuple(n)) for i, n in found.items()], True
                found[iri] = []
            found[iri].append(name)
        return [Match(i, tuple(n)) for i, n in found.items()], False


def index_path(release_path: Path) -> Path:
    return release_path / FILE
