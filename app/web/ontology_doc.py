"""The ontology of a release as data for its documentation page: one `Term` per class and property.

The page is rendered from the release's own `downloads/ontology.ttl` (so it always documents exactly the
published ontology), once per release: `document()` is cached by release folder. Each term's anchor is its
local name, so `https://w3id.org/defcoop/ontology#Firm` resolves to `/ontology#Firm`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

from app.store import GraphStore, Release
from app.vocab import ONTOLOGY_NS, PREFIXES
from app.web import queries

VANN = "http://purl.org/vocab/vann/"


@dataclass(frozen=True)
class Ref:
    """A link to a term: `text` is its prefixed name, `href` its section on the page or its IRI elsewhere."""

    iri: str
    text: str
    href: str
    title: str = ""


@dataclass
class Term:
    """One class or property of the ontology, with everything its section shows."""

    iri: str
    name: str
    kind: str
    label: str
    definition: str
    characteristics: list[str] = field(default_factory=list)
    supers: list[Ref] = field(default_factory=list)
    subs: list[Ref] = field(default_factory=list)
    domain: list[Ref] = field(default_factory=list)
    range: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    disjoint: list[Ref] = field(default_factory=list)
    domain_of: list[Ref] = field(default_factory=list)
    range_of: list[Ref] = field(default_factory=list)
    used: int = 0


@dataclass
class OntologyDoc:
    """The ontology's header and its terms, grouped as the page shows them."""

    iri: str
    version_iri: str | None
    version: str | None
    title: str
    description: str
    license: str | None
    creators: list[str]
    created: str | None
    prefix: str | None
    namespace: str
    classes: list[Term]
    object_properties: list[Term]
    datatype_properties: list[Term]
    external: list[Ref]

    @property
    def terms(self) -> list[Term]:
        return [*self.classes, *self.object_properties, *self.datatype_properties]

    @property
    def sections(self) -> list[Section]:
        """The page's sections of terms, in order, each with its heading and anchor."""
        return [Section("Classes", "classes", self.classes),
                Section("Object properties", "object-properties", self.object_properties),
                Section("Datatype properties", "datatype-properties", self.datatype_properties)]


class Section(NamedTuple):
    """A group of terms on the page: `/ontology#{anchor}`, headed `title`."""

    title: str
    anchor: str
    terms: list[Term]


@functools.lru_cache(maxsize=4)
def ontology_graph(release: Release) -> Graph:
    """The release's ontology (its `downloads/ontology.ttl`), parsed once per release."""
    return Graph().parse(release.downloads_dir / "ontology.ttl", format="turtle")


def ontology_iri(graph: Graph) -> URIRef | None:
    """The IRI of the graph's owl:Ontology."""
    found = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    return found if isinstance(found, URIRef) else None


def document(release: Release, property_usage: Mapping[str, int]) -> OntologyDoc:
    """The documentation of the release's ontology; `property_usage` maps property IRIs to triples using them."""
    return _document(release, tuple(sorted(property_usage.items())))


@functools.lru_cache(maxsize=4)
def _document(release: Release, property_usage: tuple[tuple[str, int], ...]) -> OntologyDoc:
    graph = ontology_graph(release)
    classes_used: dict[str, int] = release.manifest.get("classes", {})
    used = {**classes_used, **dict(property_usage)}
    onto = ontology_iri(graph)
    if onto is None:
        raise ValueError(f"{release.downloads_dir / 'ontology.ttl'} declares no owl:Ontology")
    version_iri = graph.value(onto, OWL.versionIRI)
    terms = {
        kind: [_term(graph, iri, kind, used) for iri in _own(graph.subjects(RDF.type, cls))]
        for kind, cls in (("class", OWL.Class), ("object property", OWL.ObjectProperty),
                          ("datatype property", OWL.DatatypeProperty))
    }
    declared = {t.iri for ts in terms.values() for t in ts}
    external = sorted(
        (_ref(graph, s) for s in set(graph.subjects(RDF.type, None))
         if isinstance(s, URIRef) and s != onto and str(s) not in declared and not str(s).startswith(ONTOLOGY_NS)),
        key=lambda r: r.text,
    )
    return OntologyDoc(
        iri=str(onto),
        version_iri=str(version_iri) if version_iri else None,
        version=_text(graph.value(onto, OWL.versionInfo)) or None,
        title=_text(graph.value(onto, DCTERMS.title)) or str(onto),
        description=_text(graph.value(onto, DCTERMS.description)),
        license=str(graph.value(onto, DCTERMS.license)) if graph.value(onto, DCTERMS.license) else None,
        creators=sorted(_text(c) for c in graph.objects(onto, DCTERMS.creator)),
        created=_text(graph.value(onto, DCTERMS.created)) or None,
        prefix=_text(graph.value(onto, URIRef(VANN + "preferredNamespacePrefix"))) or None,
        namespace=_text(graph.value(onto, URIRef(VANN + "preferredNamespaceUri"))) or ONTOLOGY_NS,
        classes=terms["class"],
        object_properties=terms["object property"],
        datatype_properties=terms["datatype property"],
        external=external,
    )


def _own(iris: Iterable[object]) -> list[URIRef]:
    return sorted((i for i in set(iris) if isinstance(i, URIRef) and str(i).startswith(ONTOLOGY_NS)), key=str.lower)


def _term(graph: Graph, iri: URIRef, kind: str, used: Mapping[str, int]) -> Term:
    is_class = kind == "class"
    sub_of = RDFS.subClassOf if is_class else RDFS.subPropertyOf
    characteristics = [name for cls, name in ((OWL.SymmetricProperty, "symmetric"),
                                              (OWL.TransitiveProperty, "transitive"),
                                              (OWL.FunctionalProperty, "functional"))
                       if (iri, RDF.type, cls) in graph]
    return Term(
        iri=str(iri),
        name=str(iri)[len(ONTOLOGY_NS):],
        kind=kind,
        label=_text(graph.value(iri, RDFS.label)) or str(iri)[len(ONTOLOGY_NS):],
        definition=_text(graph.value(iri, SKOS.definition)) or _text(graph.value(iri, RDFS.comment)),
        characteristics=characteristics,
        supers=_refs(graph, graph.objects(iri, sub_of)),
        subs=_refs(graph, graph.subjects(sub_of, iri)),
        domain=_refs(graph, graph.objects(iri, RDFS.domain)),
        range=_refs(graph, graph.objects(iri, RDFS.range)),
        inverse=_refs(graph, [*graph.objects(iri, OWL.inverseOf), *graph.subjects(OWL.inverseOf, iri)]),
        disjoint=_refs(graph, _disjoint(graph, iri)) if is_class else [],
        domain_of=_refs(graph, graph.subjects(RDFS.domain, iri)) if is_class else [],
        range_of=_refs(graph, graph.subjects(RDFS.range, iri)) if is_class else [],
        used=used.get(str(iri), 0),
    )


def _disjoint(graph: Graph, iri: URIRef) -> list[object]:
    found: list[object] = list(graph.objects(iri, OWL.disjointWith)) + list(graph.subjects(OWL.disjointWith, iri))
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(group, OWL.members)))
        if iri in members:
            found += [m for m in members if m != iri]
    return found


def _refs(graph: Graph, nodes: Iterable[object]) -> list[Ref]:
    refs: dict[str, Ref] = {}
    for node in nodes:
        if isinstance(node, URIRef):
            refs[str(node)] = _ref(graph, node)
        elif isinstance(node, BNode) and (union := graph.value(node, OWL.unionOf)) is not None:
            for member in Collection(graph, union):
                if isinstance(member, URIRef):
                    refs[str(member)] = _ref(graph, member)
    return sorted(refs.values(), key=lambda r: r.text.lower())


def _ref(graph: Graph, iri: URIRef) -> Ref:
    text = str(iri)
    if text.startswith(ONTOLOGY_NS):
        name = text[len(ONTOLOGY_NS):]
        return Ref(text, "defcoop:" + name, "#" + name, _text(graph.value(iri, RDFS.label)))
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return Ref(text, f"{prefix}:{text[len(namespace):]}", text, _text(graph.value(iri, RDFS.label)))
    return Ref(text, text, text, _text(graph.value(iri, RDFS.label)))


def _text(node: object) -> str:
    return str(node) if isinstance(node, Literal | URIRef) else ""


def documentation(release: Release, store: GraphStore) -> OntologyDoc:
    """The documentation page's data for the release, with usage counts from `store` (the release's graph);
    computed once per release."""
    return document(release, _usage(release, store))


@functools.lru_cache(maxsize=4)
def _usage(release: Release, store: GraphStore) -> dict[str, int]:  # the app keeps one store per release
    return queries.property_usage(store)
