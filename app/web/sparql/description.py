"""The SPARQL 1.1 Service Description of /sparql: what the endpoint supports, its limits and the dataset's size."""

from __future__ import annotations

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef

from app.config import Settings
from app.store import Release
from app.vocab import SD, VOID
from app.web.renderers import RDF_FORMATS, RESULTS_FORMATS


def service_description(settings: Settings, release: Release | None, endpoint: str) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint at `endpoint`, with the current release's size."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    node, dataset, default_graph = BNode(), BNode(), BNode()
    graph.add((node, RDF.type, SD.Service))
    graph.add((node, SD.endpoint, URIRef(endpoint)))
    graph.add((node, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((node, SD.feature, SD.UnionDefaultGraph))
    for fmt in (*RESULTS_FORMATS, *RDF_FORMATS):
        graph.add((node, SD.resultFormat, URIRef(str(fmt.w3c))))
    limits = (
        f"Read-only SPARQL 1.1 Query endpoint of DefCoop. Queries stop after sparql_time_limit_s = "
        f"{settings.sparql_time_limit_s:g} s (HTTP 503); results keep at most sparql_max_rows = "
        f"{settings.sparql_max_rows} rows or triples (header X-DefCoop-Truncated: true when rows were left off). "
        "SERVICE only for the IRIs in sparql_allowed_services; FROM / FROM NAMED only for graphs of the store."
    )
    graph.add((node, RDFS.comment, Literal(limits, lang="en")))
    graph.add((node, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    if release is not None:
        triples = release.manifest.get("triples")
        if isinstance(triples, int):
            graph.add((default_graph, VOID.triples, Literal(triples)))
    return graph
