"""The response cache every server process shares: whole 200 answers in a SQLite file in the build folder.

A release never changes, so an answer cached under its key (the request's ETag, which hashes the release id, the
settings, the site root, the path and query, and Accept; plus whether the client takes gzip) is exact for as long
as that release is served, by any process: one gunicorn process's work serves the others. The file holds at most
`max_bytes` of bodies; the oldest entries go first (first in, first out: a hit writes nothing, so reads never
wait for each other). Any SQLite error (a busy file, a full disk) is a miss, never a failed request.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

from flask import Response

log = logging.getLogger(__name__)

FILE = "response-cache.sqlite"
"""The cache file, in `build_dir` (it outlives releases: keys name their release)."""
BUSY_TIMEOUT_MS = 200
"""Longest a process waits for another's write before treating the cache as a miss."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, status INTEGER NOT NULL, headers TEXT NOT NULL,
                                      body BLOB NOT NULL, size INTEGER NOT NULL, added REAL NOT NULL);
CREATE INDEX IF NOT EXISTS responses_added ON responses (added);
CREATE TABLE IF NOT EXISTS kept (id INTEGER PRIMARY KEY CHECK (id = 0), bytes INTEGER NOT NULL);
INSERT INTO kept SELECT 0, (SELECT COALESCE(SUM(size), 0) FROM responses) WHERE NOT EXISTS (SELECT 1 FROM kept);
"""
"""`kept` is the running total of the bodies' bytes, updated with each insert and delete: summing `size` read past
every body to it (a put into a full cache cost 10 ms). A file made before it gets its total once."""


class ResponseCache:
    """Whole 200 answers by key in the SQLite file `path`, at most `max_bytes` of bodies (0: off). Streamed
    answers (large files) are not kept; neither is one answer over an eighth of the cache."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection | None:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=OFF")  # a cache: losing it on a crash costs only time
                connection.executescript(SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                log.warning("the response cache %s cannot be used: %s", self.path, exc)
                return None
            self._local.connection = connection
        return connection

    def get(self, key: str) -> Response | None:
        if self.max_bytes <= 0:
            return None
        connection = self._connection()
        try:
            row = connection.execute("SELECT status, headers, body FROM responses WHERE key = ?", (key,)).fetchone() \
                if connection else None
        except sqlite3.Error:
            return None
        if row is None:
            return None
        status, headers, body = row
        return Response(body, status, [tuple(h) for h in json.loads(headers)])

    def put(self, key: str, response: Response) -> None:
        if self.max_bytes <= 0 or response.direct_passthrough or response.is_streamed:
            return
        body = response.get_data()
        connection = self._connection()
        if len(body) > self.max_bytes // 8 or connection is None:
            return
        try:
            connection.execute("BEGIN IMMEDIATE")
            added = connection.execute("INSERT OR IGNORE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                                       (key, response.status_code, json.dumps(list(response.headers.items())),
                                        body, len(body), time.time())).rowcount
            if added:
                connection.execute("UPDATE kept SET bytes = bytes + ?", (len(body),))
            total = connection.execute("SELECT bytes FROM kept").fetchone()[0]
            while total > self.max_bytes:
                oldest = connection.execute("SELECT key, size FROM responses ORDER BY added LIMIT 64").fetchall()
                if not oldest:
                    break
                for old_key, size in oldest:
                    if total <= self.max_bytes:
                        break
                    connection.execute("DELETE FROM responses WHERE key = ?", (old_key,))
                    total -= size
                connection.execute("UPDATE kept SET bytes = ?", (total,))
            connection.execute("COMMIT")
        except sqlite3.Error:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def size_bytes(self) -> int:
        """The bodies the file holds, in bytes."""
        connection = self._connection()
        return connection.execute("SELECT bytes FROM kept").fetchone()[0] if connection else 0
