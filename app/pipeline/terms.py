"""What the build needs to know of the ontology, computed once and handed to worker processes as plain data.

`Vocabulary` holds the declared terms (for the vocabulary check) and the TBox closure tables the rule reasoner
applies triple by triple (see reason.py). Everything is strings, so it pickles cheaply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from app.vocab import DEFCOOP, PREFIXES, RDF_TYPE

RDF, RDFS, OWL, XSD, SKOS, PROV = (PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd", "skos", "prov"))
TYPE = RDF_TYPE
CLAIM = str(DEFCOOP.Claim)

DECLARATIONS = (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty")
BUILT_IN = {TYPE, RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy"}  # OWL 2's own
SKIP_TYPES = frozenset({OWL + "Thing", OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                        OWL + "AnnotationProperty", OWL + "SymmetricProperty", OWL + "Ontology",
                        OWL + "AllDisjointClasses", SKOS + "ConceptScheme"})
"""Inferences about the ontology's own terms stay out of the inferred graph, and so do these trivial types."""

COVERED = frozenset({
    TYPE, RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range", OWL + "inverseOf",
    OWL + "members", OWL + "disjointWith", OWL + "versionIRI", OWL + "versionInfo", OWL + "imports",
    RDF + "first", RDF + "rest",
})
"""Axiom predicates whose consequences for individuals the rule reasoner computes completely (with the class
kinds in COVERED_TYPES). An ontology using any other OWL axiom makes the build hand the whole data to HermiT."""
COVERED_TYPES = frozenset({OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "Ontology",
                           OWL + "AnnotationProperty", OWL + "SymmetricProperty", OWL + "AllDisjointClasses",
                           OWL + "NamedIndividual", RDFS + "Datatype"})

NUMERIC_SUBTYPES = {XSD + "decimal": {XSD + t for t in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}}


@dataclass(frozen=True)
class Vocabulary:
    """The ontology as the build's checks and rules use it."""

    digest: str
    declared: frozenset[str]
    property_closure: dict[str, tuple[tuple[str, bool], ...]]
    """property → every (property, flipped) a triple of it entails: super-properties, inverses, symmetry."""
    superclasses: dict[str, frozenset[str]]
    """class → its strict superclasses (transitively)."""
    domains: dict[str, frozenset[str]]
    ranges: dict[str, frozenset[str]]
    """object property → classes of its values (datatype ranges are in `data_ranges`)."""
    data_ranges: dict[str, str]
    disjoint: tuple[tuple[str, str], ...]
    ontology_subjects: frozenset[str]
    """Terms typed as classes, properties etc. (SKIP_TYPES): statements inferred about them are dropped."""
    uncovered: tuple[str, ...] = field(default=())
    """Axioms (as `predicate` or `a Type`) outside what the rules compute; HermiT must see the data then."""

    def closure_of(self, predicate: str) -> tuple[tuple[str, bool], ...]:
        return self.property_closure.get(predicate, ((predicate, False),))


def vocabulary(ontology: Iterable[ox.Triple], digest: str) -> Vocabulary:
    """Tables of `ontology` (all ontology files' triples)."""
    triples = [(t.subject, t.predicate.value, t.object) for t in ontology]
    types: dict[str, set[str]] = {}
    sub_class: dict[str, set[str]] = {}
    sub_prop: dict[str, set[str]] = {}
    inverse: dict[str, set[str]] = {}
    domains: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    lists: dict[str, tuple[str | None, str | None]] = {}
    members: list[str] = []
    disjoint: set[tuple[str, str]] = set()
    uncovered: set[str] = set()
    for s, p, o in triples:
        sv, ov = s.value, o.value
        if p == TYPE:
            types.setdefault(sv, set()).add(ov)
            if ov.startswith(OWL) and ov not in COVERED_TYPES:
                uncovered.add(f"a <{ov}>")
        elif p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
            sub_class.setdefault(sv, set()).add(ov)
        elif p == RDFS + "subClassOf":
            uncovered.add(f"<{p}> a class expression")
        elif p == RDFS + "subPropertyOf":
            sub_prop.setdefault(sv, set()).add(ov)
        elif p == OWL + "inverseOf":
            inverse.setdefault(sv, set()).add(ov)
            inverse.setdefault(ov, set()).add(sv)
        elif p == RDFS + "domain" and isinstance(o, ox.NamedNode):
            domains.setdefault(sv, set()).add(ov)
        elif p == RDFS + "range" and isinstance(o, ox.NamedNode):
            ranges.setdefault(sv, set()).add(ov)
        elif p == OWL + "disjointWith" and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            disjoint.add((sv, ov))
        elif p == OWL + "disjointWith":
            uncovered.add(f"<{p}> a class expression")
        elif p == OWL + "members":
            members.append(ov)
        elif p in (RDF + "first", RDF + "rest"):
            first, rest = lists.get(sv, (None, None))
            lists[sv] = (ov, rest) if p == RDF + "first" else (first, ov)
        elif p.startswith(OWL) and p not in COVERED:
            uncovered.add(f"<{p}>")
    for head in members:
        items, node = [], head
        while node in lists:
            first, node = lists[node]  # type: ignore[assignment]
            if first:
                items.append(first)
        if any(":" not in item for item in items):  # a blank node: a class expression, which HermiT must see
            uncovered.add(f"<{OWL}members> of class expressions")
        disjoint |= {(a, b) for i, a in enumerate(items) for b in items[i + 1:] if ":" in a and ":" in b}
    declared = {s for s, kinds in types.items() if kinds & set(DECLARATIONS)} | BUILT_IN
    symmetric = {s for s, kinds in types.items() if OWL + "SymmetricProperty" in kinds}
    object_props = {s for s, kinds in types.items() if OWL + "ObjectProperty" in kinds}
    datatype_props = {s for s, kinds in types.items() if OWL + "DatatypeProperty" in kinds}

    def prop_closure(p: str) -> tuple[tuple[str, bool], ...]:
        seen, todo = {(p, False)}, [(p, False)]
        while todo:
            q, flipped = todo.pop()
            steps = [(s, flipped) for s in sub_prop.get(q, ())] + [(i, not flipped) for i in inverse.get(q, ())]
            if q in symmetric:
                steps.append((q, not flipped))
            for step in steps:
                if step not in seen:
                    seen.add(step)
                    todo.append(step)
        return tuple(sorted(seen))

    def class_closure(c: str) -> frozenset[str]:
        seen: set[str] = set()
        todo = list(sub_class.get(c, ()))
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo.extend(sub_class.get(d, ()))
        seen.discard(c)
        return frozenset(seen)

    props = set(sub_prop) | set(inverse) | symmetric | object_props | datatype_props | set(domains)
    return Vocabulary(
        digest=digest,
        declared=frozenset(declared),
        property_closure={p: prop_closure(p) for p in props},
        superclasses={c: class_closure(c) for c in {c for c in types if types[c] & {OWL + "Class"}} | set(sub_class)},
        domains={p: frozenset(c) for p, c in domains.items()},
        ranges={p: frozenset(c) for p, c in ranges.items() if p in object_props},
        data_ranges={p: next(iter(sorted(c))) for p, c in ranges.items() if p in datatype_props and c},
        disjoint=tuple(sorted(disjoint)),
        ontology_subjects=frozenset(s for s, kinds in types.items() if kinds & SKIP_TYPES),
        uncovered=tuple(sorted(uncovered)),
    )


def digest_files(paths: Iterable[Path], *extra: str) -> str:
    """sha256 over the files' names and bytes (and `extra` strings): a cache key part."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for text in extra:
        h.update(text.encode() + b"\0")
    return h.hexdigest()
