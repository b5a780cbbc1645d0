"""Every format the registry writes round-trips through real parsers: what a client reads back is what was
written (RDF formats through Oxigraph and rdflib, SPARQL results formats through Oxigraph)."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from app.convert import to_oxigraph
from app.vocab import PREFIXES
from app.web.renderers import (
    FORMATS,
    NATIVE_FORMATS,
    RDF_FORMATS,
    RESULTS_CSV,
    RESULTS_FORMATS,
    Format,
    native_solutions,
    write_boolean,
    write_graph,
    write_solutions,
)

EX = "https://w3id.org/defcoop/id/"
TRIPLES = [
    ox.Triple(ox.NamedNode(EX + "city/moscow"), ox.NamedNode(PREFIXES["rdfs"] + "label"),
              ox.Literal("Moscow", language="en")),
    ox.Triple(ox.NamedNode(EX + "city/moscow"), ox.NamedNode(PREFIXES["defcoop"] + "inCountry"),
              ox.NamedNode(EX + "country/russia")),
    ox.Triple(ox.NamedNode(EX + "quantity/q"), ox.NamedNode(PREFIXES["defcoop"] + "value"),
              ox.Literal("36", datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))),
    ox.Triple(ox.NamedNode(EX + "person/p"), ox.NamedNode(PREFIXES["rdfs"] + "label"),
              ox.Literal('Quote " and <tag> & ünïcode\nnew line')),
    ox.Triple(ox.BlankNode("b1"), ox.NamedNode(PREFIXES["rdfs"] + "comment"), ox.Literal("a blank node")),
]
VARIABLES = ["s", "label", "n", "missing"]
ROWS = [
    [ox.NamedNode(EX + "city/moscow"), ox.Literal("Moscow", language="en"),
     ox.Literal("36", datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")), None],
    [ox.BlankNode("b1"), ox.Literal('Quote " , and\ttab'), None, None],
]
RDFLIB_FORMATS = {"turtle": "turtle", "json-ld": "json-ld", "n-triples": "nt", "rdf-xml": "xml", "trig": "trig",
                  "n-quads": "nquads"}


def rdflib_graph(triples: list[ox.Triple]) -> Graph:
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def test_every_rdf_and_results_format_is_registered_with_a_writer() -> None:
    assert {f.kind for f in FORMATS} >= {"rdf", "results"}
    assert set(RDF_FORMATS) | set(RESULTS_FORMATS) == {f for f in FORMATS if f.kind in ("rdf", "results")}


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_rdf_formats_round_trip(fmt: Format) -> None:
    body = write_graph(fmt, TRIPLES, PREFIXES)
    assert isinstance(fmt.oxigraph, ox.RdfFormat)
    read_back = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt.oxigraph)] \
        if fmt.quads else list(ox.parse(body, format=fmt.oxigraph))
    assert isomorphic(rdflib_graph(read_back), rdflib_graph(TRIPLES))
    if fmt.quads:
        dataset = Dataset()
        dataset.parse(data=body, format=RDFLIB_FORMATS[fmt.name])
        parsed = Graph()
        for s, p, o, _ in dataset.quads():
            parsed.add((s, p, o))
    else:
        parsed = Graph().parse(data=body, format=RDFLIB_FORMATS[fmt.name])
    assert isomorphic(parsed, rdflib_graph(TRIPLES)), fmt.name


def rows_of(results: ox.QuerySolutions) -> list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
    names = [v.value for v in results.variables]
    return [[solution[n] for n in names] for solution in results]


def test_csv_results_read_back_with_a_csv_reader() -> None:
    """SPARQL 1.1 CSV keeps values, not types (Oxigraph refuses to parse it for that reason): Python's reader."""
    body = write_solutions(RESULTS_CSV, VARIABLES, ROWS, None).decode()
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert header == VARIABLES
    assert [row[1:] for row in rows] == [[t.value if t is not None else "" for t in row[1:]] for row in ROWS]


@pytest.mark.parametrize("fmt", [f for f in RESULTS_FORMATS if f is not RESULTS_CSV], ids=lambda f: f.name)
def test_results_formats_round_trip(fmt: Format) -> None:
    assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
    parsed = ox.parse_query_results(write_solutions(fmt, VARIABLES, ROWS, None), format=fmt.oxigraph)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == VARIABLES
    got = rows_of(parsed)
    # blank node labels are the writer's to choose: compare the rest
    assert [[t for t in row if not isinstance(t, ox.BlankNode)] for row in got] == \
        [[t for t in row if not isinstance(t, ox.BlankNode)] for row in ROWS]


@pytest.mark.parametrize("fmt", [f for f in RESULTS_FORMATS if f is not RESULTS_CSV and f.name != "tsv"],
                         ids=lambda f: f.name)
@pytest.mark.parametrize("value", [True, False])
def test_boolean_answers_round_trip(fmt: Format, value: bool) -> None:
    assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
    assert bool(ox.parse_query_results(write_boolean(fmt, value), format=fmt.oxigraph)) is value


def test_rdflib_graphs_reach_oxigraph_unchanged() -> None:
    graph = rdflib_graph(TRIPLES)
    assert isomorphic(rdflib_graph(to_oxigraph(graph)), graph)


# --- SELECT answers Oxigraph writes (native_solutions) ---------------------------------------------------------

MANY = 20_000


@pytest.fixture(scope="module")
def many_rows() -> ox.Store:
    """MANY rows whose values hold every format's row mark (a JSON row boundary, an XML tag, a line break)."""
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/e{n}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal(f'v{n} }},{{"x <result> \n'), ox.DefaultGraph()) for n in range(MANY))
    return store


@pytest.mark.parametrize("fmt", NATIVE_FORMATS)
def test_oxigraph_stops_writing_an_answer_soon_after_the_cap(many_rows: ox.Store, fmt: Format) -> None:
    """Regression: Oxigraph wrote an answer far over `sparql_max_rows` whole (up to NATIVE_MAX_BYTES, 64 MB) before
    it was cut; its row marks stop it a few rows past the cap, most rows never computed."""
    solutions = many_rows.query("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert native_solutions(fmt, solutions, 5) is None
    assert sum(1 for _ in solutions) > MANY * 0.9


@pytest.mark.parametrize("fmt", NATIVE_FORMATS)
def test_oxigraph_counts_the_rows_it_wrote_whatever_the_values_hold(many_rows: ox.Store, fmt: Format) -> None:
    for n in (1, 5, 50):
        found = native_solutions(fmt, many_rows.query(f"SELECT ?s ?o WHERE {{ ?s ?p ?o }} LIMIT {n}"), 1_000)
        assert found is not None and found[1] == n
        parsed = ox.parse_query_results(found[0], format=fmt.oxigraph)
        assert all("<result>" in row["o"].value for row in parsed)
