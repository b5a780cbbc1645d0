"""The entity page's queries: links grouped by property (capped, with totals), the claims citing each fact, and
the asserted facts an inferred one follows from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from app.config import Settings
from app.store import GraphStore
from app.vocab import (
    DEFCOOP,
    ONTOLOGY_IRI,
    ONTOLOGY_NS,
    PROV_DERIVED,
    RDF_TYPE,
)
from app.web.model import (
    Basis,
    Citation,
    Entity,
    Node,
    PropertyGroup,
    Statement,
    Term,
    Timeline,
    Value,
)
from app.web.queries.common import (
    FIRST,
    PROLOGUE,
    Names,
    Row,
    compact,
    first_value,
    in_graph,
    iri_ref,
    labels_of,
    property_counts,
)
from app.web.queries.graph import neighbourhood
from app.web.queries.timeline import ENTITY_TIMELINE_ITEMS, TIMELINE_CLASSES, timeline


def entity(store: GraphStore, iri: str, settings: Settings) -> Entity | None:
    """The entity page of `iri`, or None when the store says nothing about it (as subject or object).

    Outgoing and incoming links are grouped by property, each group capped at `settings.page_link_limit`
    with its true total; each value carries the claims whose graphs state it, or `inferred` when only the
    reasoner's graph holds it (with the asserted fact it follows from, when that is an inverse, symmetric or
    sub-property fact).
    """
    try:
        node = iri_ref(iri)
    except ValueError:
        return None
    limit = settings.page_link_limit
    out_counts = property_counts(store, f"SELECT ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {node} ?p ?x }} GROUP BY ?p")
    in_counts = property_counts(store, f"SELECT ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x ?p {node} }} GROUP BY ?p")
    if not out_counts and not in_counts:
        return None
    graphs = _Graphs(settings.base_iri)
    out_rows = graphs.named(_linked(store, lambda p: f"{node} {p} ?x", out_counts, limit))
    in_rows = graphs.named(_linked(store, lambda p: f"?x {p} {node}", in_counts, limit))
    is_claim = any(p == RDF_TYPE and x == str(DEFCOOP.Claim) for p, x, _ in _plain(out_rows))

    statements: list[tuple[Term, Term, Term]] = []
    statements_total = 0
    if is_claim:
        statements_total = int(first_value(
            store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {in_graph(node, '?s ?p ?o')} }}"), "n", 0))
        statements = [(r["s"], r["p"], r["o"]) for r in store.select(
            f"SELECT ?s ?p ?o WHERE {{ {in_graph(node, '?s ?p ?o')} }} LIMIT {limit}")]

    inferred_only = _inferred_only(out_rows, graphs)
    bases = _bases(store, node, inferred_only, graphs)
    is_source = _is_source(out_rows)
    source_claims = list(dict.fromkeys(x for p, x, _ in in_rows if is_source and p.value == PROV_DERIVED))
    claim_iris = {g.value for _, _, g in out_rows} | {g for b in bases for g in b.graphs}
    claim_iris |= {x.value for x in source_claims} | ({iri} if is_claim else set())
    citations = claim_descriptions(store, claim_iris - graphs.special)

    wanted = {t.value for row in (*out_rows, *in_rows) for t in row[:2] if isinstance(t, ox.NamedNode)}
    wanted |= {t.value for s in statements for t in s if isinstance(t, ox.NamedNode)}
    wanted |= {b.via.value for b in bases}
    wanted |= {n.value for c in citations.values() for n in c.values() if isinstance(n, ox.NamedNode)}
    wanted.add(iri)
    labels = labels_of(store, wanted, settings.base_iri)
    cites = {claim: citation_of(claim, raw, labels) for claim, raw in citations.items()}

    def value_of(x: Term, graph_names: Iterable[str], basis: Iterable[Basis] = ()) -> Value:
        names = set(graph_names)
        return Value(
            node=labels.node(x),
            citations=tuple(sorted((cites[g] for g in names if g in cites), key=lambda c: c.claim.value)),
            inferred=names <= {graphs.inferred},
            bases=tuple(basis),
            records=tuple(sorted({graphs.record(g) for g in names if g not in cites and graphs.record(g)})),
        )

    this = ox.NamedNode(iri)
    basis_of: dict[tuple[str, str], list[Basis]] = {}
    for b in bases:
        subject, obj = (b.value, this) if b.reverse else (this, b.value)
        basis_of.setdefault((b.property.value, str(b.value)), []).append(Basis(
            labels.node(subject), labels.property(b.via), labels.node(obj),
            tuple(cites[g] for g in b.graphs if g in cites)))

    types, properties = _groups(out_rows, out_counts, labels, value_of, basis_of)
    _, referenced_by = _groups(in_rows, in_counts, labels, value_of, {})
    if source_claims:
        referenced_by = tuple(g for g in referenced_by if g.property.value != PROV_DERIVED)
    return Entity(
        iri=iri,
        label=labels.label(iri),
        types=types,
        properties=properties,
        referenced_by=referenced_by,
        citation=cites.get(iri) if is_claim else None,
        statements=tuple(sorted(
            (Statement(labels.node(s), labels.property(p), labels.node(o)) for s, p, o in statements),
            key=lambda st: (st.subject.label.lower(), st.property.label.lower(), st.object.label.lower()))),
        statements_total=statements_total,
        claims=tuple(sorted((cites[x.value] for x in source_claims if x.value in cites), key=lambda c: c.claim.value)),
        claims_total=in_counts.get(PROV_DERIVED, 0) if source_claims else 0,
        graph=neighbourhood(store, iri, settings),
        timeline=_own_timeline(store, iri, settings, {t.node.value for t in types}),
    )


def _own_timeline(store: GraphStore, iri: str, settings: Settings, types: set[str]) -> Timeline | None:
    """The dated events of a delegation, firm, programme or country, when it has any."""
    if not types & TIMELINE_CLASSES:
        return None
    found = timeline(store, settings, involving=iri, limit=ENTITY_TIMELINE_ITEMS)
    return found if found.items else None


@dataclass(frozen=True)
class _Graphs:
    """What the graphs of a DefCoop store are: claims, the inferred graph, provenance records, vocabularies."""

    base_iri: str
    inferred: str = field(init=False)
    merged: str = field(init=False)
    """A store without a default graph of its own holds the merged one as this graph (Virtuoso: app/virtuoso.py);
    it is no source of a fact, so pages skip it."""
    special: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inferred", f"{self.base_iri}graph/inferred")
        object.__setattr__(self, "merged", f"{self.base_iri}graph/default")
        object.__setattr__(self, "special", frozenset(
            {self.inferred, f"{self.base_iri}graph/concepts", str(ONTOLOGY_IRI)}))

    def named(self, rows: list[Row]) -> list[Row]:
        """`rows` (property, term, graph) without those from the merged default graph."""
        return [row for row in rows if row[2].value != self.merged]

    def record(self, graph: str) -> str | None:
        """How a page names a non-claim graph a fact comes from (None for the inferred graph)."""
        if graph == self.inferred:
            return None
        if graph.startswith(f"{self.base_iri}graph/provenance/"):
            return "provenance record"
        if graph == f"{self.base_iri}graph/concepts":
            return "DefCoop vocabulary"
        if graph == str(ONTOLOGY_IRI):
            return "DefCoop ontology"
        return "graph " + graph


def _linked(store: GraphStore, pattern: Callable[[str], str], counts: Mapping[str, int], limit: int) -> list[Row]:
    """(property, term, graph) for the triple pattern `pattern(property)` over ?x, at most `limit` distinct terms
    per property. Properties with at most `limit` values come in one query; each larger one gets its own capped
    query."""
    small = [p for p, n in counts.items() if n <= limit]
    rows: list[Row] = []
    if small:
        values = "" if len(small) == len(counts) else f"VALUES ?p {{ {' '.join(iri_ref(p) for p in small)} }} "
        rows += [(r["p"], r["x"], r["g"]) for r in store.select(
            f"SELECT DISTINCT ?p ?x ?g WHERE {{ {values}GRAPH ?g {{ {pattern('?p')} }} }}")]
    for p in (p for p, n in counts.items() if n > limit):
        one = pattern(iri_ref(p))
        rows += [(ox.NamedNode(p), r["x"], r["g"]) for r in store.select(
            f"SELECT DISTINCT ?x ?g WHERE {{ {{ SELECT DISTINCT ?x WHERE {{ {one} }} LIMIT {int(limit)} }} "
            f"GRAPH ?g {{ {one} }} }}")]
    return rows


def _plain(rows: Iterable[Row]) -> Iterable[tuple[str, str, str]]:
    return ((p.value, x.value if isinstance(x, ox.NamedNode) else str(x), g.value) for p, x, g in rows)


def _is_source(rows: Iterable[Row]) -> bool:
    return any(p == RDF_TYPE and x == str(DEFCOOP.Source) for p, x, _ in _plain(rows))


def _inferred_only(rows: list[Row], graphs: _Graphs) -> list[tuple[ox.NamedNode, Term]]:
    """(property, value) pairs only the inferred graph holds (types aside)."""
    where: dict[tuple[ox.NamedNode, Term], set[str]] = {}
    for p, x, g in rows:
        where.setdefault((p, x), set()).add(g.value)
    return [pair for pair, names in where.items()
            if names == {graphs.inferred} and pair[0].value != RDF_TYPE and not isinstance(pair[1], ox.BlankNode)]


@dataclass(frozen=True)
class _RawBasis:
    """An asserted fact an inferred (property, value) pair follows from: `value via entity` when `reverse`
    (inverse or symmetric property), else `entity via value` (sub-property), stated in `graphs`."""

    property: ox.NamedNode
    value: Term
    via: ox.NamedNode
    reverse: bool
    graphs: tuple[str, ...]


def _bases(store: GraphStore, node: str, pairs: list[tuple[ox.NamedNode, Term]], graphs: _Graphs) -> list[_RawBasis]:
    """For inferred (property, value) pairs: the facts they follow from (asserted, or inferred themselves
    when the entailment is a chain such as org:headOf ⊐ leads ⊐ inverse of led by).

    Two small queries rather than one: which properties each inferred property follows from (the ontology: a
    UNION branch per property, since Virtuoso takes no property path over a VALUES variable), then which of those
    facts hold (VALUES joins that Oxigraph answers from its indexes). The kind of link is a string, not a boolean
    (Virtuoso refuses `BIND(true AS ?x)` in a UNION branch).
    """
    if not pairs:
        return []
    branches = " UNION ".join(
        f"{{ {{ {{ {p} owl:inverseOf ?via }} UNION {{ ?via owl:inverseOf {p} }} UNION "
        f"{{ {p} a owl:SymmetricProperty . BIND({p} AS ?via) }} }} BIND(\"reverse\" AS ?kind) BIND({p} AS ?p) }} UNION "
        f"{{ ?via rdfs:subPropertyOf+ {p} BIND(\"sub\" AS ?kind) BIND({p} AS ?p) }}"
        for p in sorted({str(p) for p, _ in pairs}))
    vias: dict[str, list[tuple[ox.NamedNode, bool]]] = {}
    for r in store.select(PROLOGUE + f"SELECT DISTINCT ?p ?via ?kind WHERE {{ {branches} FILTER(isIRI(?via)) }}"):
        vias.setdefault(r["p"].value, []).append((r["via"], r["kind"].value == "reverse"))
    found: list[_RawBasis] = []
    for reverse, pattern in ((True, f"?x ?via {node}"), (False, f"{node} ?via ?x")):
        candidates: dict[tuple[ox.NamedNode, Term], list[ox.NamedNode]] = {}
        for p, x in pairs:
            for via, rev in vias.get(p.value, ()):
                if rev is reverse and not (reverse and isinstance(x, ox.Literal)):
                    candidates.setdefault((via, x), []).append(p)
        if not candidates:
            continue
        values = " ".join(f"({via} {x})" for via, x in candidates)
        stated: dict[tuple[ox.NamedNode, Term], list[str]] = {}
        for r in store.select(f"SELECT DISTINCT ?via ?x ?g WHERE {{ VALUES (?via ?x) {{ {values} }} "
                              f"GRAPH ?g {{ {pattern} }} }}"):
            if r["g"].value != graphs.merged:
                stated.setdefault((r["via"], r["x"]), []).append(r["g"].value)
        found += [_RawBasis(p, key[1], key[0], reverse, tuple(sorted(g)))
                  for key, g in stated.items() for p in candidates[key]]
    return found


def claim_descriptions(store: GraphStore, claims: Iterable[str]) -> dict[str, dict[str, Term]]:
    """claim IRI → its description (quote, status, attribution, rationale, source, agent), for the graphs
    among `claims` that are described as defcoop:Claim."""
    claims = sorted(claims)
    if not claims:
        return {}
    values = " ".join(iri_ref(c) for c in claims)
    rows = store.select(
        PROLOGUE + f"SELECT ?claim ?quote ?status ?attribution ?rationale ?source ?agent WHERE {{ "
        f"VALUES ?claim {{ {values} }} ?claim a defcoop:Claim . "
        "OPTIONAL { ?claim defcoop:quote ?quote } OPTIONAL { ?claim defcoop:epistemicStatus ?status } "
        "OPTIONAL { ?claim defcoop:attribution ?attribution } OPTIONAL { ?claim defcoop:rationale ?rationale } "
        "OPTIONAL { ?claim prov:wasDerivedFrom ?source } OPTIONAL { ?claim prov:wasAttributedTo ?agent } }"
    )
    found: dict[str, dict[str, Term]] = {}
    for r in rows:
        described = found.setdefault(r["claim"].value, {})
        for key, term in r.items():
            described.setdefault(key, term)
    return found


def citation_of(claim: str, raw: Mapping[str, Term], labels: Names) -> Citation:
    def text(key: str) -> str | None:
        term = raw.get(key)
        return term.value if term is not None else None

    def linked(key: str) -> Node | None:
        term = raw.get(key)
        return labels.node(term) if term is not None else None

    return Citation(
        claim=Node(claim, labels.label(claim)),
        quote=text("quote"),
        status=linked("status"),
        attribution=text("attribution"),
        rationale=text("rationale"),
        source=linked("source"),
        agent=linked("agent"),
    )


def _groups(rows: list[Row], counts: Mapping[str, int], labels: Names, value_of: Any,
            basis_of: Mapping[tuple[str, str], list[Basis]]) -> tuple[tuple[Value, ...], tuple[PropertyGroup, ...]]:
    """(types, property groups) from (property, term, graph) rows: one Value per distinct term, with every
    graph that holds it; groups sorted with names and descriptions first, inferred-only groups last."""
    by_property: dict[str, dict[Term, set[str]]] = {}
    props: dict[str, ox.NamedNode] = {}
    for p, x, g in rows:
        props[p.value] = p
        by_property.setdefault(p.value, {}).setdefault(x, set()).add(g.value)
    types: tuple[Value, ...] = ()
    groups = []
    for p, terms in by_property.items():
        values = tuple(sorted(
            (value_of(x, names, basis_of.get((p, str(x)), ())) for x, names in terms.items()),
            key=lambda v: (v.inferred, not v.node.is_iri, v.node.label.lower()),
        ))
        if p == RDF_TYPE:
            types = values
            continue
        groups.append(PropertyGroup(labels.property(props[p]), values, counts.get(p, len(values))))

    seen: dict[str, int] = {}
    for g in groups:
        seen[g.property.label] = seen.get(g.property.label, 0) + 1
    groups = [g if seen[g.property.label] == 1 or g.property.value.startswith(ONTOLOGY_NS) else PropertyGroup(
        Node(g.property.value, f"{g.property.label} ({compact(g.property.value).split(':')[0]})"), g.values, g.total)
        for g in groups]

    def order(group: PropertyGroup) -> tuple[bool, int, str]:
        p = group.property.value
        return (group.inferred, FIRST.index(p) if p in FIRST else len(FIRST), group.property.label.lower())

    return types, tuple(sorted(groups, key=order))
