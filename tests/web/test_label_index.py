"""Pages name what they show from the labels the build put in the release's name index (app/search.py), which are
the labels the graph query would choose (app/web/queries/common.py `labels_of`): on the bundled release (labels in
several properties and languages) and on a generated one; a release without them is named from the graph."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.search import index_path, label_index
from app.store import GraphStore
from app.web.queries.common import labels_of

BASE = "https://w3id.org/defcoop/"


def everything_named(store: GraphStore) -> list[str]:
    """Subjects, properties, classes and objects of the release (IRIs), labelled or not."""
    rows = store.select("SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?x ?o } UNION { ?s ?p ?x } "
                        "FILTER(isIRI(?x)) }")
    return [r["x"].value for r in rows]


@pytest.mark.parametrize("release", ["bundled", "generated"])
def test_the_labels_of_the_name_index_are_those_the_graph_gives(release: str, request: pytest.FixtureRequest,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store: GraphStore = (request.getfixturevalue("store") if release == "bundled"
                         else request.getfixturevalue("generated")[0])
    iris = everything_named(store)
    assert store.release_dir is not None and label_index(store.release_dir) is not None
    indexed = labels_of(store, iris, BASE)
    monkeypatch.setattr(store, "release_dir", None)  # as for a release whose index holds no labels
    by_graph = labels_of(store, iris, BASE)
    assert dict(indexed.found) == dict(by_graph.found)
    assert 0 < len(indexed.found) < len(iris), "the release would not tell labelled from unlabelled IRIs"


def test_an_index_without_labels_says_so(store: GraphStore, tmp_path: Path) -> None:
    assert store.release_dir is not None
    older = index_path(tmp_path)
    shutil.copy(index_path(store.release_dir), older)
    connection = sqlite3.connect(older)
    connection.execute("DROP TABLE labels")
    connection.commit()
    connection.close()
    index = label_index(tmp_path)
    assert index is not None and index.labels([BASE + "id/country/india"]) is None
    assert label_index(store.release_dir).labels([BASE + "id/country/india"]) == {  # type: ignore[union-attr]
        BASE + "id/country/india": "India"}
