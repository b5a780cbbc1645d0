"""The Service Description graph (app/web/sparql/description.py): it states what the runner really offers and the
limits really set. How /sparql serves it (formats, negotiation): test_sparql_protocol.py."""

from __future__ import annotations

from pathlib import Path

import rdflib

from app.config import load_settings
from app.store import current_release
from app.vocab import SD, VOID
from app.web.sparql import service_description
from app.web.sparql.guard import FORMS
from app.web.sparql.runner import offered_formats
from tests.web.conftest import BULK_SIZE

ENDPOINT = "https://defcoop.example/sparql"


def service_of(graph: rdflib.Graph) -> rdflib.term.Node:
    node = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert node is not None
    return node


def test_result_formats_are_those_the_runner_answers_in(release_dir: Path) -> None:
    graph = service_description(load_settings({"build_dir": release_dir}), current_release(release_dir), ENDPOINT)
    stated = set(graph.objects(service_of(graph), SD.resultFormat))
    offered = {rdflib.URIRef(str(fmt.w3c)) for form in FORMS.values() for fmt in offered_formats(form)}
    assert stated == offered


def test_the_comment_states_the_limits_set(release_dir: Path) -> None:
    settings = load_settings({"build_dir": release_dir, "sparql_time_limit_s": 2.5, "sparql_max_rows": 42})
    graph = service_description(settings, current_release(release_dir), ENDPOINT)
    comment = str(graph.value(service_of(graph), rdflib.RDFS.comment))
    assert "sparql_time_limit_s = 2.5 s" in comment and "sparql_max_rows = 42 rows" in comment


def test_the_default_graph_has_the_releases_size(release_dir: Path, tmp_path: Path) -> None:
    def size(build_dir: Path) -> int | None:
        graph = service_description(load_settings({"build_dir": build_dir}), current_release(build_dir), ENDPOINT)
        dataset = graph.value(service_of(graph), SD.defaultDataset)
        default_graph = graph.value(dataset, SD.defaultGraph)
        assert default_graph is not None
        triples = graph.value(default_graph, VOID.triples)
        return None if triples is None else triples.toPython()

    assert size(release_dir) == 2 + 3 + 2 + BULK_SIZE  # claim-1, claim-2, provenance, bulk
    assert size(tmp_path) is None  # nothing published: no size, still a description
