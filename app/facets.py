"""The release's facet index: for each entity, the countries, cities, programmes, years and epistemic statuses it
is linked to, and the DefCoop classes it belongs to, in SQLite (`facets.sqlite` in the release folder). The build
writes it (`FACETS` say what each facet is, as a SPARQL pattern); class pages read it, so that counting a facet
over tens of thousands of instances is an indexed GROUP BY, not a graph query per page view.

    index = FacetIndex(path)
    index.counts(class_iri, {"country": india_iri}, "year", 12)   # [(value, count), …]
    index.members(class_iri, {"country": india_iri}, 100, 0)     # ([iri, …], total)
    index.counts_among([iri, …], ("year", "city"), 12)          # {"year": [(value, count), …], …}

Search narrows its matches inside SQLite too: the name index attaches this file and keeps the names of the
entities `having(chosen)` selects (app/search.py), so no list of every hit passes through Python.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.sqlite_file import ReadOnlyFile, writer

FILE = "facets.sqlite"
SCHEMA = """
CREATE TABLE terms (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE members (class INTEGER NOT NULL, entity INTEGER NOT NULL);
CREATE TABLE facets (entity INTEGER NOT NULL, facet TEXT NOT NULL, value INTEGER NOT NULL);
"""
"""IRIs and years are stored once, in `terms`; the other tables hold their ids (a quarter of the size)."""
INDEXES = """
CREATE INDEX members_class ON members (class, entity);
CREATE INDEX facets_value ON facets (facet, value, entity);
CREATE INDEX facets_entity ON facets (entity, facet, value);
"""
COUNTS = """
CREATE TABLE value_counts AS
    SELECT m.class, f.facet, f.value, COUNT(DISTINCT m.entity) AS n
    FROM members m JOIN facets f ON f.entity = m.entity GROUP BY m.class, f.facet, f.value;
CREATE INDEX value_counts_class ON value_counts (class, facet, n);
"""
"""`value_counts` holds each facet's counts over a whole class: a class page with nothing chosen reads them as they
are, and a facet no member of a class has is not counted again under a choice. `facets_entity` finds the values of
a few given entities (the search hits a page shows) without reading a facet's every row."""
YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class FacetKind:
    key: str
    """The URL parameter (`?country=`)."""
    title: str
    pattern: str
    """SPARQL binding `?f` (the value) for the entity `?x`, run by the build over the whole release."""
    by_iri: bool = True
    """Values are IRIs (shown by label, linked); else text (a year)."""
    dated: bool = False
    """`?p` is a property with dates for values: the build narrows it to the release's dated properties (what the
    chunks found, app/pipeline/chunks.py `dated_properties`) instead of reading every triple."""


DATE_TYPES = tuple(f"http://www.w3.org/2001/XMLSchema#{name}" for name in ("date", "dateTime", "gYear"))
"""The datatypes a year facet reads its year from."""

FACETS = (
    FacetKind("country", "Country", "?x ?p ?f . ?f a defcoop:Country ."),
    FacetKind("city", "City", "?x ?p ?f . ?f a defcoop:City ."),
    FacetKind("programme", "Programme", "?x ?p ?f . ?f a defcoop:Programme ."),
    FacetKind("year", "Year", "?x ?p ?d . FILTER(DATATYPE(?d) IN (" + ", ".join(f"<{t}>" for t in DATE_TYPES) + ")) "
                              "BIND(SUBSTR(STR(?d), 1, 4) AS ?f)", by_iri=False, dated=True),
    FacetKind("status", "Epistemic status", "{ ?x defcoop:epistemicStatus ?f } UNION "
                                            "{ ?g defcoop:epistemicStatus ?f . GRAPH ?g { ?x a ?type } }"),
)
"""The facets; an entity's status is that of the claims stating what it is (or, for a claim, its own)."""
BY_KEY = {f.key: f for f in FACETS}


class BadFacet(ValueError):
    """A chosen value that is not a facet's kind of value (an IRI; for a year, four digits)."""


def check(chosen: Mapping[str, str]) -> None:
    """BadFacet unless every chosen value fits its facet."""
    for key, value in chosen.items():
        if BY_KEY[key].by_iri:
            if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", value, re.I):
                raise BadFacet(f"{key} must be an IRI, not {value!r}")
        elif not YEAR.match(value):
            raise BadFacet(f"{key} must be a year of four digits, not {value!r}")


def write_index(path: Path, members: Iterable[tuple[str, str]], facets: Iterable[tuple[str, str, str]]) -> int:
    """Write the index to `path` (a new file) from (class, entity) and (entity, facet, value) rows; returns the
    number of facet rows. Rows are sorted, so the same release gives the same file."""
    member_rows, facet_rows = sorted(set(members)), sorted(set(facets))
    ids = {text: n for n, text in enumerate(sorted(_terms(member_rows, facet_rows)), start=1)}
    connection = writer(path)
    try:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT INTO terms VALUES (?, ?)", ((n, t) for t, n in ids.items()))
        connection.executemany("INSERT INTO members VALUES (?, ?)", ((ids[c], ids[e]) for c, e in member_rows))
        connection.executemany("INSERT INTO facets VALUES (?, ?, ?)", ((ids[e], f, ids[v]) for e, f, v in facet_rows))
        connection.executescript(INDEXES + COUNTS)
        connection.commit()
    finally:
        connection.close()
    return len(facet_rows)


def _terms(member_rows: Iterable[tuple[str, str]], facet_rows: Iterable[tuple[str, str, str]]) -> set[str]:
    """The IRIs and years the rows name (what `terms` holds)."""
    return {t for row in member_rows for t in row} | {t for e, _, v in facet_rows for t in (e, v)}


RENUMBERED = """
CREATE TABLE new_terms (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
INSERT INTO new_terms (id, text)
    SELECT ROW_NUMBER() OVER (ORDER BY text), text FROM (SELECT text FROM terms UNION SELECT text FROM temp.missing);
CREATE TEMP TABLE renumbered (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
INSERT INTO temp.renumbered SELECT t.id, n.id FROM terms t JOIN new_terms n ON n.text = t.text;
CREATE TABLE new_members (class INTEGER NOT NULL, entity INTEGER NOT NULL);
INSERT INTO new_members SELECT c.new, e.new FROM members m
    JOIN temp.renumbered c ON c.old = m.class JOIN temp.renumbered e ON e.old = m.entity;
CREATE TABLE new_facets (entity INTEGER NOT NULL, facet TEXT NOT NULL, value INTEGER NOT NULL);
INSERT INTO new_facets SELECT e.new, f.facet, v.new FROM facets f
    JOIN temp.renumbered e ON e.old = f.entity JOIN temp.renumbered v ON v.old = f.value;
DROP TABLE members;
DROP TABLE facets;
DROP TABLE terms;
ALTER TABLE new_terms RENAME TO terms;
ALTER TABLE new_members RENAME TO members;
ALTER TABLE new_facets RENAME TO facets;
""" + INDEXES
"""New terms (`temp.missing`) into the index, every id given again so that ids still follow the terms' order (which
class pages page by), and the rows renumbered to match: in SQLite, without a row passing through Python."""


def update_index(path: Path, entities: Collection[str], members: Iterable[tuple[str, str]],
                 facets: Iterable[tuple[str, str, str]]) -> int:
    """The index at `path` (a copy of an earlier one) with the rows of `entities` replaced by these (`write_index`'s
    rows of those entities alone), terms they name that it lacks added (`RENUMBERED`), and the class counts made
    again; returns the number of facet rows."""
    member_rows, facet_rows = sorted(set(members)), sorted(set(facets))
    wanted = _terms(member_rows, facet_rows)
    connection = writer(path)
    try:
        connection.execute("CREATE TEMP TABLE wanted (text TEXT PRIMARY KEY)")
        connection.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", ((t,) for t in {*wanted, *entities}))
        query = "SELECT t.text, t.id FROM terms t JOIN temp.wanted w ON w.text = t.text"
        ids = dict(connection.execute(query))
        if not wanted <= ids.keys():
            connection.execute("CREATE TEMP TABLE missing (text TEXT PRIMARY KEY)")
            connection.executemany("INSERT INTO temp.missing VALUES (?)", ((t,) for t in sorted(wanted - ids.keys())))
            connection.executescript(RENUMBERED)
            ids = dict(connection.execute(query))
        touched = [(ids[e],) for e in entities if e in ids]
        connection.execute("CREATE TEMP TABLE touched (id INTEGER PRIMARY KEY)")
        connection.executemany("INSERT OR IGNORE INTO temp.touched VALUES (?)", touched)
        connection.execute("DELETE FROM members WHERE entity IN (SELECT id FROM temp.touched)")
        connection.execute("DELETE FROM facets WHERE entity IN (SELECT id FROM temp.touched)")
        connection.executemany("INSERT INTO members VALUES (?, ?)", ((ids[c], ids[e]) for c, e in member_rows))
        connection.executemany("INSERT INTO facets VALUES (?, ?, ?)", ((ids[e], f, ids[v]) for e, f, v in facet_rows))
        connection.execute("DROP TABLE value_counts")
        connection.executescript(COUNTS)
        connection.commit()
        return int(connection.execute("SELECT COUNT(*) FROM facets").fetchone()[0])
    finally:
        connection.close()


def having(chosen: Mapping[str, str], schema: str = "main") -> tuple[str, dict[str, str]]:
    """SQL selecting the ids of the entities that have every chosen value (at least one), and its named
    parameters; `schema` names the index where another database has attached it."""
    if not chosen:
        raise ValueError("having() needs at least one chosen value")
    parts, params = [], {}
    for n, (key, value) in enumerate(sorted(chosen.items())):
        parts.append(f"SELECT entity FROM {schema}.facets WHERE facet = :facet{n} AND "
                     f"value = (SELECT id FROM {schema}.terms WHERE text = :value{n})")
        params |= {f"facet{n}": key, f"value{n}": value}
    return " INTERSECT ".join(parts), params


class FacetIndex(ReadOnlyFile):
    """A release's facet index, opened read-only (one connection per thread)."""

    @staticmethod
    def _narrowed(class_iri: str, chosen: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """SQL selecting the ids of the class's members that have every chosen value, and its parameters."""
        sql = "SELECT entity FROM members WHERE class = (SELECT id FROM terms WHERE text = :class)"
        params = {"class": class_iri}
        if chosen:
            entities, more = having(chosen)
            sql += f" AND entity IN ({entities})"
            params |= more
        return sql, params

    def counts(self, class_iri: str, chosen: Mapping[str, str], facet: str, limit: int) -> list[tuple[str, int]]:
        """The facet's most frequent values among the class's members that have every chosen value."""
        whole = self._connection().execute(
            "SELECT t.text, v.n FROM value_counts v JOIN terms t ON t.id = v.value WHERE v.facet = ? AND "
            "v.class = (SELECT id FROM terms WHERE text = ?) ORDER BY v.n DESC, t.text LIMIT ?",
            [facet, class_iri, limit]).fetchall()
        if not chosen or not whole:
            return whole
        narrowed, params = self._narrowed(class_iri, chosen)
        return self._connection().execute(
            f"SELECT t.text, COUNT(DISTINCT f.entity) AS n FROM facets f JOIN terms t ON t.id = f.value "
            f"WHERE f.facet = :facet AND f.entity IN ({narrowed}) GROUP BY f.value ORDER BY n DESC, t.text "
            f"LIMIT :limit", {**params, "facet": facet, "limit": limit}).fetchall()

    def members(self, class_iri: str, chosen: Mapping[str, str], limit: int, offset: int) -> tuple[list[str], int]:
        """A page of the class's members that have every chosen value (in IRI order), and how many there are."""
        narrowed, params = self._narrowed(class_iri, chosen)
        connection = self._connection()
        total = connection.execute(f"SELECT COUNT(*) FROM ({narrowed})", params).fetchone()[0]
        page = connection.execute(  # ids follow the terms' order (write_index), so this walks the primary key
            f"SELECT text FROM terms WHERE id IN ({narrowed}) ORDER BY id LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset}).fetchall()
        return [row[0] for row in page], int(total)

    def counts_among(self, iris: Sequence[str], facets: Iterable[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        """Each facet's most frequent values among the entities `iris` (a bounded list, such as a page of search
        hits): one query, not one per facet, walking `facets_entity` from each entity (the unary `+` keeps the
        planner off `facets_value`, which would read every row of each facet)."""
        keys = list(facets)
        found: dict[str, list[tuple[str, int]]] = {}
        if not iris or not keys:
            return {}
        rows = self._connection().execute(
            f"SELECT f.facet, t.text, COUNT(DISTINCT f.entity) AS n FROM facets f JOIN terms t ON t.id = f.value "
            f"WHERE f.entity IN (SELECT id FROM terms WHERE text IN ({', '.join('?' * len(iris))})) "
            f"AND +f.facet IN ({', '.join('?' * len(keys))}) "
            f"GROUP BY f.facet, f.value ORDER BY f.facet, n DESC, t.text",
            [*iris, *keys]).fetchall()
        for key, value, n in rows:
            values = found.setdefault(key, [])
            if len(values) < limit:
                values.append((value, n))
        return found


def index_path(release_path: Path) -> Path:
    return release_path / FILE
