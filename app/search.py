"""The release's name index: every entity's labels, alternative labels and titles in SQLite FTS5 with a trigram
tokenizer, written by the build (`search.sqlite` in the release folder) and read by the site's search.

A trigram index answers "contains this text" (case-insensitively) for text of three characters or more without
scanning; shorter text scans the names table (a few hundred thousand short rows at a million triples). Exact
matches rank first, then names that start with the text, then the rest by name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.sqlite_file import ReadOnlyFile
from app.vocab import DCT_TITLE, RDFS_LABEL, SKOS_ALT, SKOS_PREF

FILE = "search.sqlite"
NAME_PROPERTIES = (RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT_TITLE)
"""What names an entity: labels, preferred and alternative labels, titles."""
SCHEMA = """
CREATE TABLE names (iri TEXT NOT NULL, name TEXT NOT NULL, lname TEXT NOT NULL);
CREATE VIRTUAL TABLE names_fts USING fts5(lname, content='names', content_rowid='rowid', tokenize='trigram');
"""
LAST_CHAR = chr(0x10FFFF)
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
        connection.executemany("INSERT INTO names (iri, name, lname) VALUES (?, ?, ?)",
                               ((iri, name, name.lower()) for iri, name in rows))
        connection.execute("INSERT INTO names_fts (names_fts) VALUES ('rebuild')")
        connection.execute("CREATE INDEX names_lname ON names (lname, iri)")
        connection.execute("CREATE INDEX names_iri ON names (iri)")
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    return len(rows)


class NameIndex(ReadOnlyFile):
    """A release's index, opened read-only (one connection per thread: sqlite3 connections are not shared)."""

    def find(self, text: str, limit: int) -> tuple[list[Match], bool]:
        """Entities with a name containing `text`, best first: at most `limit`, and whether there are more.

        Three bounded lookups, each stopping after enough entities: exact names and names starting with the text
        (the index on lower-cased names), then names containing it (the trigram index; a scan under 3 characters).
        """
        needle = text.strip().lower()
        if not needle:
            return [], False
        cap = 4 * (limit + 1)  # rows, not entities: an entity may match by several names
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        contains = ("rowid IN (SELECT rowid FROM names_fts WHERE names_fts MATCH :phrase)"
                    if len(needle) >= TRIGRAM else "lname LIKE :contains ESCAPE '\\'")
        lookups = (
            "lname = :needle",
            "lname > :needle AND lname < :upper",
            f"{contains} AND NOT (lname >= :needle AND lname < :upper)",
        )
        params = {"needle": needle, "upper": needle + LAST_CHAR, "contains": f"%{escaped}%",
                  "phrase": '"' + needle.replace('"', '""') + '"', "cap": cap}
        found: dict[str, list[str]] = {}
        capped = False
        for where in lookups:
            rows = self._connection().execute(
                f"SELECT iri, name FROM names WHERE {where} ORDER BY lname, iri LIMIT :cap", params).fetchall()
            capped = capped or len(rows) == cap
            for iri, name in rows:
                if iri not in found:
                    if len(found) == limit:
                        return [Match(i, tuple(n)) for i, n in found.items()], True
                    found[iri] = []
                found[iri].append(name)
        return [Match(i, tuple(n)) for i, n in found.items()], capped


def knows(path: Path, iri: str) -> bool:
    """Whether the index at `path` names the entity `iri` (what a TimeMap asks of each release)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT 1 FROM names WHERE iri = ? LIMIT 1", (iri,)).fetchone() is not None
    finally:
        connection.close()


def index_path(release_path: Path) -> Path:
    return release_path / FILE
