"""SHACL validation; each violation becomes a located Problem.

pySHACL runs the core constraints. It evaluates a SPARQL-based constraint (`sh:sparql`) once per focus node with
rdflib's query engine, which took minutes at 100k triples; so those constraints are run here instead, each as
one query over all its targets at once in Oxigraph (`$this` and `?this` are the same variable in SPARQL, so the
shape's own SELECT becomes a sub-query joined to its targets). Tests check both paths agree on the fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

from app.convert import to_rdflib
from app.pipeline.shacl_sparql import compile_shapes

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    """One SHACL violation: the focus node, the node shape it breaks (and the component), the editor's message."""

    focus: Node
    shape: str
    message: str
    component: str | None = None
    path: Node | None = None
    value: Node | None = None


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef
    targets: tuple[URIRef, ...]
    select: str
    message: str
    prefixes: tuple[tuple[str, str], ...]


def validate_unit(data: bytes, focus: set[str], checker: ShapeChecker) -> list[Violation]:
    """Violations whose focus node is in `focus`, in `data` (N-Triples: one source's facts and the context of
    the shared entities it references, see `unit_context`) together with the ontology."""
    return [v for v in checker.check_ntriples(data)
            if isinstance(v.focus, BNode) or str(v.focus) in focus]  # blank nodes never leave their file


def inverse_path_predicates(shapes: Graph) -> list[str]:
    """Predicates shapes follow backwards (`sh:inversePath`): facts stated elsewhere that point at a node."""
    return sorted({str(p) for p in shapes.objects(None, SH.inversePath) if isinstance(p, URIRef)})


def unit_context(store: ox.Store, own_graphs: set[str], shared: list[str], subjects: list[str],
                 inverse_predicates: list[str]) -> list[ox.Triple]:
    """What other files say that one source's validation must see: every triple other graphs state about the
    `shared` nodes it mentions (those other files describe too), the triples of inverse-path predicates pointing
    at its `subjects`, and the types of the nodes those reach (so `sh:class` can check them). Sorted, so its
    checksum keys the cache. Index lookups, one per node: a query joining VALUES with `GRAPH ?g` scans."""
    found: set[ox.Triple] = set()

    def take(quads: Iterable[ox.Quad]) -> None:
        for q in quads:
            if q.graph_name.value not in own_graphs:
                found.add(ox.Triple(q.subject, q.predicate, q.object))

    for node in shared:
        take(store.quads_for_pattern(ox.NamedNode(node), None, None))
    predicates = [ox.NamedNode(p) for p in inverse_predicates]
    for node in subjects:
        target = ox.NamedNode(node)
        for predicate in predicates:
            take(store.quads_for_pattern(None, predicate, target))
    rdf_type = ox.NamedNode(f"{RDF}type")
    reached = {t.object for t in found if isinstance(t.object, ox.NamedNode)}
    reached |= {t.subject for t in found if isinstance(t.subject, ox.NamedNode)}
    for node in reached:
        take(store.quads_for_pattern(node, rdf_type, None))
    return sorted(found, key=str)


class ShapeChecker:
    """The shapes, ready to check data: core constraints compiled to SPARQL (shacl_sparql.py) and SPARQL-based
    constraints that can run in bulk (see `bulk_ready`) run in Oxigraph; the rest, if any, with pySHACL."""

    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.ontology = ontology
        self.ontology_nt = ontology.serialize(format="nt", encoding="utf-8")
        core, self.sparql = split_sparql_constraints(shapes)
        self.compiled, left = compile_shapes(core)
        compiled_props = {c for c in core.objects(None, SH.property)} - left
        for prop in compiled_props:
            for shape in list(core.subjects(SH.property, prop)):
                core.remove((shape, SH.property, prop))
        self.shapes = shapes
        # pySHACL only runs when some node shape still has a property or a constraint of its own left
        self.core = core if left or any(_has_own_constraints(core, s) for s in core.subjects(RDF.type, SH.NodeShape)) \
            else None

    def check_graph(self, data: Graph) -> list[Violation]:
        return self.check_ntriples(data.serialize(format="nt", encoding="utf-8"), data)

    def check_ntriples(self, data: bytes, graph: Graph | None = None) -> list[Violation]:
        store = ox.Store()
        store.load(self.ontology_nt, format=ox.RdfFormat.N_TRIPLES)
        if data:
            store.load(data, format=ox.RdfFormat.N_TRIPLES)
        found: list[Violation] = []
        if self.core is not None:
            graph = graph if graph is not None else Graph().parse(data=data, format="nt")
            conforms, report, _ = pyshacl.validate(graph + self.ontology, shacl_graph=self.core,
                                                   ont_graph=self.ontology, inference="none", advanced=True,
                                                   allow_warnings=True)
            if not isinstance(report, Graph):  # pySHACL could not run the shapes themselves
                raise ValueError(f"the shapes could not be applied: {report}")
            if not conforms:
                found += [_from_report(self.shapes, report, r)
                          for r in report.subjects(SH.resultSeverity, SH.Violation)]
        for c in self.compiled:
            result = store.query(c.query, use_default_graph_as_union=True)
            has_value = "value" in [v.value for v in result.variables]  # type: ignore[union-attr]
            for row in result:  # type: ignore[union-attr]
                value = row["value"] if has_value else None
                found.append(Violation(to_rdflib(row["this"]), _local(c.shape), c.message, c.component, c.path,
                                       to_rdflib(value) if value is not None else None))
        return found + sparql_violations(store, self.sparql)


def _has_own_constraints(shapes: Graph, shape: Node) -> bool:
    return any(p not in (RDF.type, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                         SH.message, SH.name, SH.description, RDFS.label, RDFS.comment, SH.severity, SH.deactivated)
               for p in shapes.predicates(shape))


def violations(data: Graph, shapes: Graph, ontology: Graph) -> list[Violation]:
    """Every violation of `shapes` in `data` (with the ontology, so subclass targets apply)."""
    return ShapeChecker(shapes, ontology).check_graph(data)


TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
UNSUPPORTED = re.compile(r"\$PATH|\$currentShape|\$shapesGraph|\bPREFIX\b|\bBASE\b", re.IGNORECASE)
PARTIAL = re.compile(r"NOT\s+EXISTS|OPTIONAL|MINUS|BOUND\s*\(", re.IGNORECASE)
BINDS_THIS_FIRST = re.compile(r"WHERE\s*\{\s*\$this\s", re.IGNORECASE)


def bulk_ready(shapes: Graph, shape: Node, node: Node) -> bool:
    """Whether a `sh:sparql` constraint can run once over all targets with the same result as per focus node: a
    node shape targeting classes only, active, of Violation severity, whose SELECT binds `$this` in its patterns:
    negation or optional parts only when a first top-level triple pattern binds `$this` (else they would see it
    unbound). Anything else stays with pySHACL."""
    select = str(shapes.value(node, SH.select) or "")
    return (
        (shape, RDF.type, SH.NodeShape) in shapes
        and (shape, RDF.type, RDFS.Class) not in shapes
        and any(shapes.objects(shape, SH.targetClass))
        and not any(True for t in TARGETS for _ in shapes.objects(shape, t))
        and not any(str(shapes.value(x, SH.deactivated)).lower() == "true" for x in (shape, node))
        and shapes.value(node, SH.severity, default=SH.Violation) == SH.Violation
        and "$this" in select and not UNSUPPORTED.search(select)
        and (not PARTIAL.search(select) or bool(BINDS_THIS_FIRST.search(select)))
    )


def split_sparql_constraints(shapes: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """The shapes without the `sh:sparql` constraints that can run in bulk (see `bulk_ready`), and those."""
    core = Graph()
    core += shapes
    constraints = []
    for shape, node in shapes.subject_objects(SH.sparql):
        if not bulk_ready(shapes, shape, node):
            continue
        core.remove((shape, SH.sparql, node))
        for triple in shapes.triples((node, None, None)):
            core.remove(triple)
        prefixes = tuple(
            (str(shapes.value(d, SH.prefix)), str(shapes.value(d, SH.namespace)))
            for p in shapes.objects(node, SH.prefixes) for d in shapes.objects(p, SH.declare))
        message = shapes.value(node, SH.message) or shapes.value(shape, SH.message) or "constraint violated"
        constraints.append(SparqlConstraint(
            shape, tuple(sorted(t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef))),
            str(shapes.value(node, SH.select)), str(message), prefixes))
    return core, constraints


def sparql_violations(store: ox.Store, constraints: list[SparqlConstraint]) -> list[Violation]:
    """Run each constraint once over all instances of its target classes (and their subclasses)."""
    found: dict[tuple[str, str, str], Violation] = {}
    for c in constraints:
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (("rdf", str(RDF)), ("rdfs", str(RDFS)),
                                                                  *c.prefixes))
        targets = " ".join(f"<{t}>" for t in c.targets)
        query = (f"{prefixes}SELECT DISTINCT * WHERE {{ VALUES ?shTarget {{ {targets} }} "
                 f"?this rdf:type/rdfs:subClassOf* ?shTarget . {{ {c.select} }} }}")
        try:
            result = store.query(query)
        except SyntaxError as exc:
            raise ValueError(f"the SPARQL constraint of {_local(c.shape)} is not valid SPARQL: {exc}") from None
        names = [v.value for v in result.variables]
        for row in result:
            bindings = {n: to_rdflib(row[n]) for n in names if row[n] is not None}
            v = Violation(bindings["this"], _local(c.shape), _fill(c.message, bindings), "SPARQLConstraintComponent",
                          bindings.get("path"), bindings.get("value"))
            found.setdefault((str(v.focus), v.shape, v.message), v)  # one per focus node, however many targets
    return list(found.values())


def _fill(message: str, bindings: dict[str, Node]) -> str:
    """SHACL message templates: `{?name}` / `{$name}` become the bound value."""
    def value(match: re.Match[str]) -> str:
        node = bindings.get(match.group(1))
        return match.group(0) if node is None else str(node)
    return re.sub(r"\{[?$](\w+)\}", value, message)


def _from_report(shapes: Graph, report: Graph, result: Node) -> Violation:
    source = report.value(result, SH.sourceShape)
    parent = source if isinstance(source, URIRef) else shapes.value(None, SH.property, source)
    component = report.value(result, SH.sourceConstraintComponent)
    return Violation(
        report.value(result, SH.focusNode), _local(parent) if isinstance(parent, URIRef) else str(source),
        str(report.value(result, SH.resultMessage) or "constraint violated"),
        _local(component) if component is not None and not isinstance(source, URIRef) else None,
        report.value(result, SH.resultPath), report.value(result, SH.value))


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
