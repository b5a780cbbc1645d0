"""The release's event index: every event's start days and the entities it involves, in SQLite (`events.sqlite` in
the release folder). The build writes it (`INVOLVEMENT` says, as SPARQL patterns, how an event involves an entity);
timelines, the network and profiles read it, so that the first events of a country with thousands of them, or of
the whole release, are an indexed range, not a graph query grouping and sorting every event on each page view.

    index = EventIndex(path)
    index.first(["…/country/india"], programme=None, year_from=2019, year_to=None, limit=50)  # ([iri, …], total)
    index.involving(["…/country/india", "…/country/russia"], 10_001)                          # [iri, …]

What it answers is what the SPARQL of app/web/queries/timeline.py answers over the store (a test compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from app.sqlite_file import ReadOnlyFile, opened, writer

FILE = "events.sqlite"
INVOLVEMENT = (
    "?e defcoop:participant ?x",
    "?e defcoop:participant ?a . ?a defcoop:country ?x",
    "?e defcoop:location ?x",
    "?e defcoop:location ?l . ?l defcoop:inCountry ?x",
    "?e defcoop:discussed ?x",
    "?e defcoop:discussed ?q . ?q defcoop:partner ?x",
)
"""How event ?e involves entity ?x: as a participant, through a participant's country, as the place or the place's
country, as something discussed, or as a partner in something discussed."""
SCHEMA = """
CREATE TABLE terms (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE days (event INTEGER NOT NULL, day TEXT NOT NULL);
CREATE TABLE involves (entity INTEGER NOT NULL, event INTEGER NOT NULL);
CREATE TABLE discussed (topic INTEGER NOT NULL, event INTEGER NOT NULL);
"""
"""IRIs are stored once, in `terms`, numbered in their sorted order (so ordering by id orders by IRI); `days` holds
every defcoop:startDate of every event as written (xsd:date, so the text orders as the day)."""
INDEXES = """
CREATE INDEX days_day ON days (day, event);
CREATE INDEX days_event ON days (event, day);
CREATE TABLE starts AS SELECT event, MIN(day) AS start FROM days GROUP BY event;
CREATE INDEX starts_start ON starts (start, event);
CREATE UNIQUE INDEX starts_event ON starts (event);
CREATE INDEX involves_entity ON involves (entity, event);
CREATE INDEX discussed_topic ON discussed (topic, event);
"""
"""`starts` holds each event's first day: a timeline without years walks `starts_start` in order and stops."""


def involves(x: str) -> str:
    """A SPARQL pattern binding ?e to the events that involve `x` (a variable or an IRI in angle brackets)."""
    return " UNION ".join("{ " + pattern.replace("?x", x) + " }" for pattern in INVOLVEMENT)


def write_index(path: Path, days: Iterable[tuple[str, str]], involved: Iterable[tuple[str, str]],
                discussed: Iterable[tuple[str, str]]) -> int:
    """Write the index to `path` (a new file) from (event, day), (entity, event) and (topic, event) rows; returns the
    number of events with a day. Rows are sorted, so the same release gives the same file."""
    day_rows, involved_rows, discussed_rows = sorted(set(days)), sorted(set(involved)), sorted(set(discussed))
    texts = sorted({e for e, _ in day_rows} | {t for rows in (involved_rows, discussed_rows) for row in rows
                                                for t in row})
    ids = {text: n for n, text in enumerate(texts, start=1)}
    connection = writer(path)
    try:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT INTO terms VALUES (?, ?)", ((n, t) for t, n in ids.items()))
        connection.executemany("INSERT INTO days VALUES (?, ?)", ((ids[e], d) for e, d in day_rows))
        connection.executemany("INSERT INTO involves VALUES (?, ?)", ((ids[x], ids[e]) for x, e in involved_rows))
        connection.executemany("INSERT INTO discussed VALUES (?, ?)", ((ids[t], ids[e]) for t, e in discussed_rows))
        connection.executescript(INDEXES)
        connection.commit()
    finally:
        connection.close()
    return len({e for e, _ in day_rows})


_ENTITY = "SELECT event FROM involves WHERE entity = (SELECT id FROM terms WHERE text = ?)"
_TOPIC = "SELECT event FROM discussed WHERE topic = (SELECT id FROM terms WHERE text = ?)"


class EventIndex(ReadOnlyFile):
    """A release's event index, opened read-only (one connection per thread)."""

    def first(self, among: Sequence[str], programme: str | None, year_from: int | None, year_to: int | None,
              limit: int) -> tuple[list[str], int]:
        """The first `limit` dated events that involve every one of `among`, discussed `programme` (when given) and
        have a start day in the years (inclusive), by their first such day, then IRI; and how many there are."""
        params: list[Any] = []
        if year_from is None and year_to is None:
            source = "starts"
        else:
            bounds = []
            if year_from is not None:
                bounds.append("day >= ?")
                params.append(f"{int(year_from):04d}-01-01")
            if year_to is not None:
                bounds.append("day <= ?")
                params.append(f"{int(year_to):04d}-12-31")
            source = f"(SELECT event, MIN(day) AS start FROM days WHERE {' AND '.join(bounds)} GROUP BY event)"
        wanted = [f"x.event IN ({_ENTITY})" for _ in among] + ([f"x.event IN ({_TOPIC})"] if programme else [])
        params += [*among, *([programme] if programme else [])]
        where = f"WHERE {' AND '.join(wanted)}" if wanted else ""
        connection = self._connection()
        rows = connection.execute(f"SELECT t.text FROM {source} x JOIN terms t ON t.id = x.event {where} "
                                  f"ORDER BY x.start, x.event LIMIT ?", [*params, int(limit)]).fetchall()
        total = len(rows)
        if total == limit:
            total = connection.execute(f"SELECT COUNT(*) FROM {source} x {where}", params).fetchone()[0]
        return [row[0] for row in rows], int(total)

    def involving(self, among: Sequence[str], limit: int) -> list[str]:
        """Up to `limit` events (dated or not) that involve every one of `among`, in IRI order."""
        if not among:
            raise ValueError("involving() needs at least one entity")
        rows = self._connection().execute(
            f"SELECT text FROM terms WHERE id IN ({' INTERSECT '.join([_ENTITY] * len(among))}) ORDER BY id LIMIT ?",
            [*among, int(limit)]).fetchall()
        return [row[0] for row in rows]


def event_index(release_dir: Path | None) -> EventIndex | None:
    """The event index of the release in `release_dir`, or None when there is none (no release, or one built before
    the index existed)."""
    return opened(EventIndex, release_dir / FILE) if release_dir is not None else None
