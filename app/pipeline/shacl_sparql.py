"""SHACL core constraints compiled to SPARQL, so Oxigraph checks all focus nodes of a constraint in one query.

pySHACL evaluates constraints node by node in Python (about a millisecond per triple here: minutes at a million
triples). The constraints DefCoop's shapes use are simple enough to state as one SELECT each over the targets:
property shapes of class-targeted node shapes, with a predicate, inverse or alternative path, and `sh:minCount`,
`sh:maxCount`, `sh:class`, `sh:datatype`, `sh:or` of datatypes, `sh:in`, `sh:pattern`, `sh:nodeKind`, and value
ranges (`sh:minInclusive` and its three siblings). Anything
else stays with pySHACL (`compile_shapes` returns what it could not compile). Tests check that both give the
same results, component by component, on every fixture.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

PATH_ONLY = {SH.path, SH.message, SH.name, SH.description, SH.order, SH.group, RDFS.label, RDFS.comment,
             SH.severity}
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
"""Value range components and the comparison a value must pass (a value that cannot be compared fails)."""
COMPILED = {SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["or"], SH["in"], SH.pattern, SH.flags,
            SH.nodeKind, *RANGES}
NODE_SHAPE_KEYS = {RDF.type, SH.targetClass, SH.property, SH.sparql, SH.message, SH.name, SH.description,
                   RDFS.label, RDFS.comment, SH.severity}
CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime}
"""Datatypes SPARQL can cast to, so an ill-typed literal ("abc"^^xsd:integer) is caught as pySHACL does."""
NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
              SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.IRIOrLiteral: "!isBlank(?value)",
              SH.BlankNodeOrLiteral: "!isIRI(?value)"}


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint as one query: rows bind ?this (and ?value for value-based components)."""

    shape: URIRef
    component: str
    path: Node
    message: str
    query: str


def compile_shapes(shapes: Graph) -> tuple[list[CompiledConstraint], set[Node]]:
    """Queries for every property shape that can be compiled, and the property shapes that cannot."""
    compiled: list[CompiledConstraint] = []
    left: set[Node] = set()
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape))):
        props = set(shapes.objects(shape, SH.property))
        targets = sorted(t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef))
        shape_ok = (isinstance(shape, URIRef) and targets and (shape, RDF.type, RDFS.Class) not in shapes
                    and set(shapes.predicates(shape)) <= NODE_SHAPE_KEYS and not _off(shapes, shape))
        for prop in sorted(props):
            queries = _compile_property(shapes, shape, prop, targets) if shape_ok else None
            if queries is None:
                left.add(prop)
            else:
                compiled += queries
    return compiled, left


def _off(shapes: Graph, node: Node) -> bool:
    return str(shapes.value(node, SH.deactivated)).lower() == "true"


def _compile_property(shapes: Graph, shape: URIRef, prop: Node, targets: list[URIRef]
                      ) -> list[CompiledConstraint] | None:
    keys = set(shapes.predicates(prop))
    if not keys <= PATH_ONLY | COMPILED or _off(shapes, prop):
        return None
    if shapes.value(prop, SH.severity, default=SH.Violation) != SH.Violation:
        return None
    path_node = shapes.value(prop, SH.path)
    path = _path(shapes, path_node)
    if path is None:
        return None
    message = str(shapes.value(prop, SH.message) or "constraint violated")
    focus = (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?target {{ {' '.join(t.n3() for t in targets)} }} "
             f"?this rdf:type/rdfs:subClassOf* ?target }} }}")
    out: list[CompiledConstraint] = []

    def add(component: str, query: str) -> None:
        out.append(CompiledConstraint(shape, component, path_node, message,  # type: ignore[arg-type]
                                      f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\n{query}"))

    def value_check(component: str, condition: str, before: str = "") -> None:
        add(component, f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . {before} "
                       f"FILTER({condition}) }}")

    for n in shapes.objects(prop, SH.minCount):
        count = int(n)
        if count == 1:
            add("MinCountConstraintComponent",
                f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?v }} }}")
        elif count > 1:
            add("MinCountConstraintComponent", f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                                                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {count})")
    for n in shapes.objects(prop, SH.maxCount):
        add("MaxCountConstraintComponent", f"SELECT ?this WHERE {{ {focus} ?this {path} ?v }} "
                                            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(n)})")
    for cls in shapes.objects(prop, SH["class"]):
        value_check("ClassConstraintComponent", f"NOT EXISTS {{ ?value rdf:type/rdfs:subClassOf* {cls.n3()} }}")
    for datatype in shapes.objects(prop, SH.datatype):
        condition = f"!isLiteral(?value) || DATATYPE(?value) != {datatype.n3()}"
        if datatype in CASTABLE:
            value_check("DatatypeConstraintComponent", condition + " || !BOUND(?cast)",
                        f"BIND(IF(isLiteral(?value), {datatype.n3()}(STR(?value)), 0) AS ?cast)")
        else:
            value_check("DatatypeConstraintComponent", condition)
    for alternatives in shapes.objects(prop, SH["or"]):
        datatypes = []
        for member in Collection(shapes, alternatives):
            if set(shapes.predicates(member)) != {SH.datatype}:
                return None
            datatypes += list(shapes.objects(member, SH.datatype))
        value_check("OrConstraintComponent",
                    f"!isLiteral(?value) || DATATYPE(?value) NOT IN ({', '.join(d.n3() for d in datatypes)})")
    for values in shapes.objects(prop, SH["in"]):
        allowed = list(Collection(shapes, values))
        if any(isinstance(v, BNode) for v in allowed):
            return None
        value_check("InConstraintComponent",
                    "!(" + " || ".join(f"sameTerm(?value, {_term(v)})" for v in allowed) + ")" if allowed else "true")
    for pattern in shapes.objects(prop, SH.pattern):
        flags = shapes.value(prop, SH.flags)
        regex = f"REGEX(STR(?value), {_string(str(pattern))}" + (f", {_string(str(flags))})" if flags else ")")
        value_check("PatternConstraintComponent", f"isBlank(?value) || !{regex}")
    for component, operator in RANGES.items():
        for bound in shapes.objects(prop, component):
            if not isinstance(bound, Literal):
                return None
            name = component.rsplit("#", 1)[-1]
            value_check(f"{name[0].upper()}{name[1:]}ConstraintComponent",
                        f"!COALESCE(?value {operator} {_term(bound)}, false)")
    for kind in shapes.objects(prop, SH.nodeKind):
        if kind not in NODE_KINDS:
            return None
        value_check("NodeKindConstraintComponent", f"!({NODE_KINDS[kind]})")
    return out


def _path(shapes: Graph, node: Node | None) -> str | None:
    """A SHACL path as a SPARQL property path: a predicate, an inverse, or alternatives of those."""
    if isinstance(node, URIRef):
        return node.n3()
    if not isinstance(node, BNode):
        return None
    inverse = shapes.value(node, SH.inversePath)
    if isinstance(inverse, URIRef) and len(set(shapes.predicate_objects(node))) == 1:
        return "^" + inverse.n3()
    alternatives = shapes.value(node, SH.alternativePath)
    if alternatives is not None and len(set(shapes.predicate_objects(node))) == 1:
        parts = [_path(shapes, member) for member in Collection(shapes, alternatives)]
        if parts and all(p is not None and "|" not in p for p in parts):
            return "(" + "|".join(parts) + ")"  # type: ignore[arg-type]
    return None


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _term(node: Node) -> str:
    if isinstance(node, Literal):
        if node.language:
            return f"{_string(str(node))}@{node.language}"
        return f"{_string(str(node))}^^<{node.datatype or XSD.string}>"
    return node.n3()
