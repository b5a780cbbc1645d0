"""SHACL validation; each violation becomes a located Problem.

pySHACL runs the core constraints. It evaluates a SPARQL-based constraint (`sh:sparql`) once per focus node with
rdflib's query engine, which took minutes at 100k triples; so those constraints are run here instead, each as
one query over all its targets at once in Oxigraph (`$this` and `?this` are the same variable in SPARQL, so the
shape's own SELECT becomes a sub-query joined to its targets). Tests check both paths agree on the fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from app.pipeline.errors import Problem
from app.pipeline.load import Inputs

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


def validate_shapes(inputs: Inputs, data: Graph) -> list[Problem]:
    """Validate the union of all facts against shapes/, with the ontology so subclass targets apply.

    The ontology folder's individuals (the SKOS concepts of ontology/concepts.ttl) are validated too, and
    are visible to `sh:class` checks of the data that links to them.
    """
    try:
        found = violations(data + inputs.ontology, inputs.shapes, inputs.ontology)
    except ValueError as exc:
        return [Problem("shape", str(exc), fix="correct the SHACL in shapes/ (run the shape tests)")]
    problems = []
    names = inputs.ontology.namespace_manager
    for v in found:
        detail = []
        if isinstance(v.path, URIRef):
            detail.append(f"property {v.path.n3(names)}")
        if v.value is not None:
            detail.append(f"value {v.value.n3(names)}")
        shape = f"{v.shape} ({v.component})" if v.component else v.shape
        file, line = inputs.locate(str(v.focus))
        problems.append(Problem(
            "shape", f"violates {shape}" + (f": {', '.join(detail)}" if detail else ""),
            file=file, line=line, subject=str(v.focus), shape=shape, fix=v.message))
    return sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.message))


def violations(data: Graph, shapes: Graph, ontology: Graph) -> list[Violation]:
    """Every violation of `shapes` in `data`: core constraints by pySHACL, SPARQL constraints in bulk."""
    core, constraints = split_sparql_constraints(shapes)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=core, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True)
    if not isinstance(report, Graph):  # pySHACL could not run the shapes themselves
        raise ValueError(f"the shapes could not be applied: {report}")
    found = [] if conforms else [_from_report(shapes, report, r)
                                 for r in report.subjects(SH.resultSeverity, SH.Violation)]
    return found + sparql_violations(data + ontology, constraints)


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


def sparql_violations(graph: Graph, constraints: list[SparqlConstraint]) -> list[Violation]:
    """Run each constraint once over all instances of its target classes (and their subclasses)."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
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
            bindings = {n: _rdflib(row[n]) for n in names if row[n] is not None}
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


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


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
