"""The release's name index: every entity's labels, alternative labels and titles in SQLite FTS5 with a trigram
tokenizer, written by the build (`search.sqlite` in the release folder) and read by the site's search.

A trigram index answers "contains this text" (case-insensitively) for text of three characters or more without
scanning; shorter text scans the names table (a few hundred thousand short rows at a million triples). Exact
matches rank first, then names that start with the text, then the rest by name.

Search narrows by facets (app/facets.py) inside SQLite: the facet index is attached read-only to this one's
connection, and each lookup keeps only the names of entities that have every chosen value.

It also holds what a hit shows (each entity's label and asserted classes with their labels, chosen at build time by
`best_label`, as pages choose labels), so that search answers from this file alone, with no store query; and the
label of everything labelled, which pages read instead of asking the store (app/web/queries/common.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.facets import having
from app.sqlite_file import ReadOnlyFile, opened, writer
from app.vocab import DCT_TITLE, RDFS_LABEL, SKOS_ALT, SKOS_PREF

FILE = "search.sqlite"
NAME_PROPERTIES = (RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT_TITLE)
"""What names an entity: labels, preferred and alternative labels, titles."""
LABELS = (RDFS_LABEL, SKOS_PREF, DCT_TITLE)
"""Properties that name a thing, most preferred first (entities, concepts, sources); see `best_label`."""
SCHEMA = """
CREATE TABLE names (iri TEXT NOT NULL, name TEXT NOT NULL, lname TEXT NOT NULL);
CREATE TABLE entities (iri TEXT PRIMARY KEY, label TEXT, types TEXT NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE names_fts USING fts5(lname, content='names', content_rowid='rowid', tokenize='trigram');
CREATE TABLE labels (iri TEXT PRIMARY KEY, label TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE links (iri TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
"""
"""`labels` holds the label pages show for every IRI that has one (entities, claims, concepts, the ontology's
classes and properties), chosen by `best_label`, so that pages name what they show with one lookup. `links` holds
how many links each entity has, either way, types aside (app/pipeline/chunks.py `link_counts`), by which the
relation graph picks a hub's most connected neighbours without counting theirs in the store."""
LAST_CHAR = chr(0x10FFFF)
ATTACHED = "facet_index"
"""The schema name the facet index is attached under."""
TRIGRAM = 3
LOOKUP_BATCH = 500
"""IRIs looked up per statement (SQLite allows 32,766 parameters)."""


Shown = tuple[str | None, tuple[tuple[str, str], ...]]
"""What a hit shows of an entity: its label (None: it has none) and its asserted classes as (IRI, label)."""


@dataclass(frozen=True)
class Match:
    iri: str
    names: tuple[str, ...]
    """The entity's names that contain the text, best first."""
    label: str | None = None
    types: tuple[tuple[str, str], ...] = ()


def label_rank(prop: str, language: str | None) -> tuple[int, int]:
    """How good a name is, lower first: by property (`LABELS` order), then English, untagged, any other language."""
    lang = (language or "").lower()
    return LABELS.index(prop), 0 if lang.startswith("en") else 1 if not lang else 2


def best_label(candidates: Iterable[tuple[str, str, str, str | None]]) -> dict[str, str]:
    """IRI → its label, from (IRI, naming property, text, language) candidates: the best `label_rank`, then the
    smallest text (the same choice whatever the order of the candidates)."""
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for iri, prop, text, language in candidates:
        key = (label_rank(prop, language), text)
        if iri not in best or key < best[iri]:
            best[iri] = key
    return {iri: text for iri, (_, text) in best.items()}


def write_index(path: Path, names: Iterable[tuple[str, str]], shown: Mapping[str, Shown] | None = None,
                labels: Mapping[str, str] | None = None) -> int:
    """Write the index of (entity IRI, name) pairs to `path` (a new file), with what a hit shows of each entity and
    the label of each labelled IRI; returns the number of names. The links of each entity come after (`add_links`)."""
    connection = writer(path)
    try:
        connection.executescript(SCHEMA)
        rows = _insert(connection, names, shown or {}, labels or {})
        connection.execute("INSERT INTO names_fts (names_fts) VALUES ('rebuild')")
        connection.execute("CREATE INDEX names_lname ON names (lname, iri)")
        connection.execute("CREATE INDEX names_iri ON names (iri)")
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    return len(rows)


def _insert(connection: sqlite3.Connection, names: Iterable[tuple[str, str]], shown: Mapping[str, Shown],
            labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Rows into the names, entities and labels tables, sorted (the same file for the same rows); returns the
    names written."""
    rows = sorted(set(names))
    connection.executemany("INSERT INTO names (iri, name, lname) VALUES (?, ?, ?)",
                           ((iri, name, name.lower()) for iri, name in rows))
    connection.executemany("INSERT INTO entities (iri, label, types) VALUES (?, ?, ?)",
                           ((iri, label, json.dumps(sorted(types))) for iri, (label, types) in sorted(shown.items())))
    connection.executemany("INSERT INTO labels (iri, label) VALUES (?, ?)", sorted(labels.items()))
    return rows


def update_index(path: Path, entities: Collection[str], names: Iterable[tuple[str, str]],
                 shown: Mapping[str, Shown], labels: Mapping[str, str]) -> int:
    """The index at `path` (a copy of an earlier one) with the names and what hits show of `entities`, and the
    labels of these IRIs, replaced by these (`write_index`'s rows of those IRIs alone); returns the number of names.
    The trigram index follows: a name's row is taken out of it before the row goes."""
    connection = writer(path)
    try:
        connection.execute("CREATE TEMP TABLE touched (iri TEXT PRIMARY KEY) WITHOUT ROWID")
        connection.executemany("INSERT OR IGNORE INTO temp.touched VALUES (?)", ((iri,) for iri in entities))
        connection.execute("INSERT INTO names_fts (names_fts, rowid, lname) SELECT 'delete', rowid, lname FROM names "
                           "WHERE iri IN (SELECT iri FROM temp.touched)")
        for table in ("names", "entities", "labels"):
            connection.execute(f"DELETE FROM {table} WHERE iri IN (SELECT iri FROM temp.touched)")
        first = int(connection.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM names").fetchone()[0])
        _insert(connection, names, shown, labels)
        connection.execute("INSERT INTO names_fts (rowid, lname) SELECT rowid, lname FROM names WHERE rowid >= ?",
                           (first,))
        connection.commit()
        return int(connection.execute("SELECT COUNT(*) FROM names").fetchone()[0])
    finally:
        connection.close()


def add_links(path: Path, links: Mapping[str, int]) -> None:
    """How many links each entity has, into the index at `path` (written by `write_index`), in place of any it held."""
    connection = writer(path)
    try:
        connection.execute("DELETE FROM links")
        connection.executemany("INSERT INTO links (iri, n) VALUES (?, ?)", sorted(links.items()))
        connection.commit()
    finally:
        connection.close()


class NameIndex(ReadOnlyFile):
    """A release's index, opened read-only (one connection per thread: sqlite3 connections are not shared)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._tables: dict[str, bool] = {}

    def shows_hits(self) -> bool:
        """Whether the index holds what hits show (labels, classes): releases built before it did not."""
        return self._connection().execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'entities'").fetchone() is not None

    def labels(self, iris: Sequence[str]) -> dict[str, str] | None:
        """IRI → label of those of `iris` that have one; None when the index holds no labels (an older release)."""
        return self._lookup("labels", "label", iris)

    def links(self, iris: Sequence[str]) -> dict[str, int] | None:
        """IRI → how many links each of `iris` has (0 for one the index does not list); None when the index holds
        no link counts (an older release)."""
        found = self._lookup("links", "n", iris)
        return None if found is None else {iri: found.get(iri, 0) for iri in iris}

    def _lookup(self, table: str, column: str, iris: Sequence[str]) -> dict[str, Any] | None:
        connection = self._connection()
        if not self._has(connection, table):
            return None
        found: dict[str, Any] = {}
        for start in range(0, len(iris), LOOKUP_BATCH):
            batch = iris[start:start + LOOKUP_BATCH]
            found.update(connection.execute(
                f"SELECT iri, {column} FROM {table} WHERE iri IN ({', '.join('?' * len(batch))})", batch).fetchall())
        return found

    def _has(self, connection: sqlite3.Connection, table: str) -> bool:
        """Whether the file has `table`, asked once (a release's file never changes)."""
        if table not in self._tables:
            self._tables[table] = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
        return self._tables[table]

    def find(self, text: str, limit: int, chosen: Mapping[str, str] | None = None, facets: Path | None = None
             ) -> tuple[list[Match], bool]:
        """Entities with a name containing `text`, best first: at most `limit`, and whether there are more; with
        `chosen` facet values, only entities that have them all, as the facet index at `facets` says.

        Three bounded lookups, each stopping after enough entities: exact names and names starting with the text
        (the index on lower-cased names), then names containing it (the trigram index; a scan under 3 characters).
        """
        needle = text.strip().lower()
        if not needle:
            return [], False
        narrowing, narrowing_params = "", {}
        if chosen:
            if facets is None:
                raise ValueError("narrowing by facets needs the facet index")
            self._attach(facets)
            entities, narrowing_params = having(chosen, ATTACHED)
            narrowing = f" AND iri IN (SELECT text FROM {ATTACHED}.terms WHERE id IN ({entities}))"
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
                  "phrase": '"' + needle.replace('"', '""') + '"', "cap": cap, **narrowing_params}
        found: dict[str, list[str]] = {}
        capped = False
        for where in lookups:
            rows = self._connection().execute(
                f"SELECT iri, name FROM names WHERE {where}{narrowing} ORDER BY lname, iri LIMIT :cap", params
            ).fetchall()
            capped = capped or len(rows) == cap
            for iri, name in rows:
                if iri not in found:
                    if len(found) == limit:
                        return self._shown(found), True
                    found[iri] = []
                found[iri].append(name)
        return self._shown(found), capped

    def _attach(self, facets: Path) -> None:
        """Attach the facet index at `facets` (read-only) to this thread's connection, once."""
        connection = self._connection()
        if getattr(self._local, "attached", None) != facets:
            if getattr(self._local, "attached", None) is not None:
                connection.execute(f"DETACH DATABASE {ATTACHED}")
            connection.execute(f"ATTACH DATABASE ? AS {ATTACHED}", (f"{facets.as_uri()}?mode=ro",))
            self._local.attached = facets

    def _shown(self, found: dict[str, list[str]]) -> list[Match]:
        """Matches with the label and classes the index holds for each entity."""
        iris = list(found)
        marks = ", ".join("?" * len(iris))
        rows = {iri: (label, tuple(tuple(t) for t in json.loads(types))) for iri, label, types in
                self._connection().execute(f"SELECT iri, label, types FROM entities WHERE iri IN ({marks})", iris)
                } if iris else {}
        return [Match(i, tuple(n), *rows.get(i, (None, ()))) for i, n in found.items()]


def knows(path: Path, iri: str) -> bool:
    """Whether the index at `path` names the entity `iri` (what a TimeMap asks of each release)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT 1 FROM names WHERE iri = ? LIMIT 1", (iri,)).fetchone() is not None
    finally:
        connection.close()


def index_path(release_path: Path) -> Path:
    return release_path / FILE


def label_index(release_dir: Path | None) -> NameIndex | None:
    """The name index of the release in `release_dir` (for its labels), or None when there is none."""
    return opened(NameIndex, index_path(release_dir)) if release_dir is not None else None
