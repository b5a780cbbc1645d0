"""The page model of the Linked Data pages: terms, entities with their citations, class indexes, search, facets."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from app.vocab import DEFCOOP, ONTOLOGY_NS
from app.web.model.explore import RelationGraph, Timeline
from app.web.model.node import Node

Term = ox.NamedNode | ox.BlankNode | ox.Literal



@dataclass(frozen=True)
class Citation:
    """A claim: the verbatim quote of its source that supports some facts, and on what footing."""

    claim: Node
    quote: str | None
    status: Node | None
    attribution: str | None
    rationale: str | None
    source: Node | None
    agent: Node | None

    @property
    def status_key(self) -> str:
        """The status IRI's last segment (`stated`, `editorial-inference`, …), for styling."""
        return self.status.value.rsplit("/", 1)[-1] if self.status else "unknown"


@dataclass(frozen=True)
class Basis:
    """Why an inferred value holds: the fact `subject property object` it follows from, and the claims stating
    that fact (none when it is itself inferred)."""

    subject: Node
    property: Node
    object: Node
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Value:
    """One value of a property. `inferred`: only the reasoner's graph holds it; `records`: non-claim graphs holding
    it (`provenance record`, `DefCoop vocabulary`, `DefCoop ontology`)."""

    node: Node
    citations: tuple[Citation, ...] = ()
    inferred: bool = False
    bases: tuple[Basis, ...] = ()
    records: tuple[str, ...] = ()


@dataclass(frozen=True)
class PropertyGroup:
    """The values of one property, at most `page_link_limit` of them, and how many there are in all."""

    property: Node
    values: tuple[Value, ...]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.values)

    @property
    def inferred(self) -> bool:
        return all(v.inferred for v in self.values)


@dataclass(frozen=True)
class Statement:
    """A triple of a claim's graph: what its quote supports."""

    subject: Node
    property: Node
    object: Node


@dataclass(frozen=True)
class Entity:
    """Everything an entity page shows. `citation` and `statements` are set for claims, `claims` for sources."""

    iri: str
    label: str
    types: tuple[Value, ...]
    properties: tuple[PropertyGroup, ...]
    referenced_by: tuple[PropertyGroup, ...]
    citation: Citation | None = None
    statements: tuple[Statement, ...] = ()
    statements_total: int = 0
    claims: tuple[Citation, ...] = ()
    claims_total: int = 0
    graph: RelationGraph | None = None
    """The entity and its neighbours (app/web/queries/graph.py), drawn by app/web/pictures.py."""
    timeline: Timeline | None = None
    """Dated events it takes part in, for delegations, firms, programmes and countries (None when there are none)."""

    @property
    def is_claim(self) -> bool:
        return self.citation is not None

    @property
    def asserted_types(self) -> tuple[Value, ...]:
        return tuple(t for t in self.types if not t.inferred)

    @property
    def inferred_types(self) -> tuple[Value, ...]:
        return tuple(t for t in self.types if t.inferred)

    @property
    def referenced_by_asserted(self) -> tuple[PropertyGroup, ...]:
        return tuple(g for g in self.referenced_by if not g.inferred)

    @property
    def referenced_by_inferred(self) -> tuple[PropertyGroup, ...]:
        """Incoming links only the reasoner's graph holds (mostly inverses of this entity's own facts)."""
        return tuple(g for g in self.referenced_by if g.inferred)

    @property
    def is_source(self) -> bool:
        return any(t.node.value == str(DEFCOOP.Source) for t in self.types)

    @property
    def own_properties(self) -> tuple[PropertyGroup, ...]:
        """Property groups to show first: DefCoop's own properties and anything asserted."""
        return tuple(g for g in self.properties if not _is_alignment(g))

    @property
    def alignments(self) -> tuple[PropertyGroup, ...]:
        """Values entailed only through the alignment to standard vocabularies (schema:attendee, org:headOf, …)."""
        return tuple(g for g in self.properties if _is_alignment(g))

    @property
    def notes(self) -> tuple[Citation, ...]:
        """Each claim cited by the facts once, numbered in order of first citation (footnotes of the page)."""
        seen: dict[str, Citation] = {}
        for group in self.own_properties:
            for value in group.values:
                for c in (*value.citations, *(c for b in value.bases for c in b.citations)):
                    seen.setdefault(c.claim.value, c)
        return tuple(seen.values())

    @property
    def note_numbers(self) -> dict[str, int]:
        """Claim IRI → footnote number."""
        return {c.claim.value: n for n, c in enumerate(self.notes, start=1)}

    def values(self, prop: str) -> tuple[Value, ...]:
        """The shown values of property `prop` (an IRI)."""
        return next((g.values for g in self.properties if g.property.value == prop), ())


def _is_alignment(group: PropertyGroup) -> bool:
    return group.inferred and not group.property.value.startswith(ONTOLOGY_NS)


@dataclass(frozen=True)
class ReadSentence:
    """A sentence of a source text with the claims that quote it and the entities those claims are about."""

    number: int
    text: str
    claims: tuple[Citation, ...]
    entities: tuple[Node, ...]


@dataclass(frozen=True)
class Reading:
    """One page of a source's text as received, paragraph by paragraph and sentence by sentence, with its facts laid
    over it; `used_total` sentences of `sentences_total` are quoted by claims. `unplaced`: claims whose quote the
    text does not hold (none, when the build has checked it)."""

    source: Node
    paragraphs: tuple[tuple[ReadSentence, ...], ...]
    claims_total: int
    claims_read: int
    unplaced: tuple[Citation, ...] = ()
    sentences_total: int = 0
    used_total: int = 0
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class ClassCount:
    """A DefCoop class with how many instances it has (asserted or inferred)."""

    node: Node
    name: str
    count: int
    definition: str | None = None


@dataclass(frozen=True)
class ClassIndex:
    """One page of a class's instances (sorted by label within the page) and the class's total."""

    node: Node
    name: str
    definition: str | None
    total: int
    items: tuple[Node, ...]
    offset: int
    limit: int
    superclasses: tuple[Node, ...] = ()
    subclasses: tuple[Node, ...] = ()

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class Hit:
    """A search hit: the entity, the label that matched when it is not the entity's name, its asserted types."""

    node: Node
    matched: str | None
    types: tuple[Node, ...]


@dataclass(frozen=True)
class SearchResults:
    text: str
    hits: tuple[Hit, ...]
    more: bool


@dataclass(frozen=True)
class Summary:
    """The release at a glance, from its manifest (None where the manifest does not say)."""

    triples: int | None
    quads: int | None
    claims: int | None
    sources: int | None
    inferred_triples: int | None
    built_at: str | None
    build_id: str | None




@dataclass(frozen=True)
class ClaimParts:
    """What a claim's nanopublication is made of: the claim graph's triples, the claim's description in its
    provenance graph, and the licence of the dataset (the ontology's dcterms:license), if any."""

    assertion: tuple[ox.Triple, ...]
    description: tuple[ox.Triple, ...]
    license: str | None


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many of the listed instances have it."""

    node: Node
    count: int


@dataclass(frozen=True)
class Facet:
    """A way to narrow a class index (`key` is its URL parameter), with its most frequent values."""

    key: str
    title: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class LinkPage:
    """One page of the entities linking to `entity` by `property`, in IRI order, and how many there are in all."""

    entity: Node
    property: Node
    items: tuple[Node, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total
