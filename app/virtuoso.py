"""Virtuoso as DefCoop's remote store: publishing a release into it, and the dataset its queries are given.

Virtuoso has no default graph of its own: a query without FROM reads every quad of the database (each triple once
per graph that holds it, and Virtuoso's own system graphs). So a release is published with its merged default
graph (every triple of every graph once: the merged dump and the ontology, as the embedded store holds it) as one
more graph, `{base}graph/default`, and DefCoop names it as the default graph of every query that names no dataset,
while GRAPH ?g is told to skip Virtuoso's schema graph (`dataset()`).

Publishing (`publish()`) is one SQL statement run through Virtuoso's `isql` client (setting `virtuoso_isql`) on
its SQL port (`virtuoso_sql`): a procedure that deletes every graph under the base IRI and loads the release's
N-Quads (named graphs kept) and merged triples. A statement is one transaction, so a load that fails (bad data, a
full disk, Virtuoso stopped) rolls back and the previous release keeps serving; readers see the old release until
it commits. Virtuoso reads the files itself: they must be in a folder its `DirsAllowed` lists (the build folder).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from app.config import Settings
from app.vocab import graph_iri

SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#",)
"""Virtuoso's own graphs that GRAPH ?g would otherwise range over (its RDF views schema)."""
LOAD_TIMEOUT_S = 3600
"""Longest a publish into Virtuoso may take before the build gives up (and the transaction rolls back)."""

PROCEDURE = """
create procedure DB.DBA.DEFCOOP_PUBLISH (in base varchar, in merged varchar, in quads varchar, in triples any)
{
  declare exit handler for sqlstate '*' { rollback work; resignal; };
  log_enable (1, 1);
  delete from DB.DBA.RDF_QUAD where starts_with (id_to_iri (G), base);
  DB.DBA.TTLP (file_open (quads), '', merged, 512);
  foreach (varchar path in triples) do
    DB.DBA.TTLP (file_open (path), '', merged, 0);
}
;
"""
"""Delete the previous release and load the new one in one transaction (flag 512: N-Quads); any error rolls all of it
back (without the handler, Virtuoso keeps what ran before the failing statement)."""


def default_graph(base_iri: str) -> str:
    """The graph of a Virtuoso store that holds the release's merged default graph."""
    return str(graph_iri(base_iri, "default"))


def dataset(base_iri: str) -> tuple[str, str]:
    """(default graph, query prologue) a RemoteStore on Virtuoso gives each query: the merged default graph, and
    `define`s that keep Virtuoso's system graphs out of GRAPH ?g. (The merged graph itself cannot be excluded:
    Virtuoso would drop it from the default graph too; GRAPH ?g reaches it, and pages skip it.)"""
    return default_graph(base_iri), "".join(f"define input:named-graph-exclude <{g}> " for g in SYSTEM_GRAPHS)


class PublishFailed(RuntimeError):
    """Virtuoso refused the release; nothing changed there (its transaction rolled back)."""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def isql(settings: Settings, sql: str, timeout_s: float = LOAD_TIMEOUT_S) -> str:
    """Run `sql` through Virtuoso's isql client on `virtuoso_sql`; its output, or PublishFailed with Virtuoso's
    message (isql exits 0 even when a statement fails, so its output is read)."""
    assert settings.virtuoso_sql, "no virtuoso_sql is set"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8") as script:
        script.write(sql)
        script.flush()
        command = [settings.virtuoso_isql, settings.virtuoso_sql, settings.virtuoso_user,
                   settings.virtuoso_password, script.name]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except FileNotFoundError:
            raise PublishFailed(f"Virtuoso's isql client {settings.virtuoso_isql!r} is not installed "
                                "(setting virtuoso_isql)") from None
        except subprocess.TimeoutExpired:
            raise PublishFailed(f"Virtuoso did not finish within {timeout_s:.0f} s") from None
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        message = next((line for line in output.splitlines() if "Error" in line), output.strip()[-500:])
        raise PublishFailed(f"Virtuoso at {settings.virtuoso_sql} refused the release: {message}")
    return output


def publish(settings: Settings, quads: Path, triples: Sequence[Path]) -> float:
    """Replace the release in Virtuoso by `quads` (N-Quads, named graphs kept) and `triples` (N-Triples, the merged
    default graph) in one transaction; seconds taken. PublishFailed leaves the previous release there."""
    started = time.perf_counter()
    paths = ", ".join(_quoted(str(p.resolve())) for p in triples)
    isql(settings, PROCEDURE + f"DB.DBA.DEFCOOP_PUBLISH ({_quoted(settings.base_iri)}, "
                   f"{_quoted(default_graph(settings.base_iri))}, {_quoted(str(quads.resolve()))}, "
                   f"vector ({paths}));\ncheckpoint;\n")
    return time.perf_counter() - started
