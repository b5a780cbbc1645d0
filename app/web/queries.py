"""All SPARQL the pages use, as named functions that take a GraphStore and return plain data.

Routes call one of these and hand the result to a template or a serialiser; no other web module writes
SPARQL for pages. IRIs and user text reach a query only through `_iri()` / `_literal()` (pyoxigraph's
N-Triples escaping, which is valid SPARQL), never by pasting raw input.

Queries stay cheap on large stores: every list is capped (`page_link_limit` per property, a page of a
class, a page of search hits) with its true total counted separately; sorting by label happens in Python
on those small lists, never as a global ORDER BY over all labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from app.config import Settings
from app.search import NAME_PROPERTIES, NameIndex
from app.store import GraphStore
from app.vocab import (
    DCT_DESCRIPTION,
    DCT_TITLE,
    DEFCOOP,
    ONTOLOGY_IRI,
    ONTOLOGY_NS,
    PREFIXES,
    PROV_DERIVED,
    RDF_LANGSTRING,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    SKOS_PREF,
    XSD_STRING,
)
from app.web.model import (
    Basis,
    Citation,
    ClassCount,
    ClassIndex,
    Entity,
    Hit,
    Node,
    PropertyGroup,
    SearchResults,
    Statement,
    Summary,
    Term,
    Value,
)

LABELS = (RDFS_LABEL, SKOS_PREF, DCT_TITLE)
"""Properties that name a thing, most preferred first (entities, concepts, sources)."""
SEARCHED = NAME_PROPERTIES
FIRST = (RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT_TITLE, DCT_DESCRIPTION)
"""Properties an entity page lists first, in this order; the others follow by label."""
PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


# --- queries ------------------------------------------------------------------------------------


def entity(store: GraphStore, iri: str, settings: Settings) -> Entity | None:
    """The entity page of `iri`, or None when the store says nothing about it (as subject or object).

    Outgoing and incoming links are grouped by property, each group capped at `settings.page_link_limit`
    with its true total; each value carries the claims whose graphs state it, or `inferred` when only the
    reasoner's graph holds it (with the asserted fact it follows from, when that is an inverse, symmetric or
    sub-property fact).
    """
    try:
        node = _iri(iri)
    except ValueError:
        return None
    limit = settings.page_link_limit
    out_counts = _counts(store, f"SELECT ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {node} ?p ?x }} GROUP BY ?p")
    in_counts = _counts(store, f"SELECT ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x ?p {node} }} GROUP BY ?p")
    if not out_counts and not in_counts:
        return None
    out_rows = _linked(store, lambda p: f"{node} {p} ?x", out_counts, limit)
    in_rows = _linked(store, lambda p: f"?x {p} {node}", in_counts, limit)
    graphs = _Graphs(settings.base_iri)
    is_claim = any(p == RDF_TYPE and x == str(DEFCOOP.Claim) for p, x, _ in _plain(out_rows))

    statements: list[tuple[Term, Term, Term]] = []
    statements_total = 0
    if is_claim:
        statements_total = int(_first(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"),
                                      "n", 0))
        statements = [(r["s"], r["p"], r["o"]) for r in store.select(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }} LIMIT {limit}")]

    inferred_only = _inferred_only(out_rows, graphs)
    bases = _bases(store, node, inferred_only)
    is_source = _is_source(out_rows)
    source_claims = list(dict.fromkeys(x for p, x, _ in in_rows if is_source and p.value == PROV_DERIVED))
    claim_iris = {g.value for _, _, g in out_rows} | {g for b in bases for g in b.graphs}
    claim_iris |= {x.value for x in source_claims} | ({iri} if is_claim else set())
    citations = _citations(store, claim_iris - graphs.special)

    wanted = {t.value for row in (*out_rows, *in_rows) for t in row[:2] if isinstance(t, ox.NamedNode)}
    wanted |= {t.value for s in statements for t in s if isinstance(t, ox.NamedNode)}
    wanted |= {b.via.value for b in bases}
    wanted |= {n.value for c in citations.values() for n in c.values() if isinstance(n, ox.NamedNode)}
    wanted.add(iri)
    labels = _labels(store, wanted, settings.base_iri)
    cites = {claim: _citation(claim, raw, labels) for claim, raw in citations.items()}

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
    )


def description(store: GraphStore, iri: str, limit: int) -> tuple[list[ox.Triple], bool]:
    """The entity's RDF description: triples with it as subject and triples pointing at it, at most `limit` of
    each (True when some were left off); sorted, without the union default graph's duplicates."""
    try:
        node = _iri(iri)
    except ValueError:
        return [], False
    out = store.triples(f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ "
                        f"{{ SELECT DISTINCT ?p ?o WHERE {{ {node} ?p ?o }} LIMIT {int(limit) + 1} }} }}")
    into = store.triples(f"CONSTRUCT {{ ?s ?p {node} }} WHERE {{ "
                         f"{{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} }} LIMIT {int(limit) + 1} }} }}")
    truncated = len(set(out)) > limit or len(set(into)) > limit
    triples = sorted(set(out), key=str)[:limit] + sorted(set(into), key=str)[:limit]
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))), truncated


def classes(store: GraphStore, counts: Mapping[str, int] | None = None) -> list[ClassCount]:
    """Every class of the DefCoop ontology with its number of instances, by label.

    `counts` (class IRI → instances, as in the release manifest's `classes`) saves counting; without it the
    store counts (one GROUP BY over all types).
    """
    rows = store.select(
        PROLOGUE + f"SELECT ?c ?label ?definition WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?c a owl:Class "
        f"FILTER(STRSTARTS(STR(?c), {_literal(ONTOLOGY_NS)})) "
        "OPTIONAL { ?c rdfs:label ?label } OPTIONAL { ?c skos:definition ?definition } } }"
    )
    if counts is None:
        counts = _counts(store, PROLOGUE + f"SELECT ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?p "
                                           f"FILTER(STRSTARTS(STR(?p), {_literal(ONTOLOGY_NS)})) }} GROUP BY ?p")
    found: dict[str, ClassCount] = {}
    for row in rows:
        iri = row["c"].value
        if iri in found and found[iri].definition:
            continue
        label = row["label"].value if "label" in row else _last_segment(iri)
        definition = row["definition"].value if "definition" in row else None
        found[iri] = ClassCount(Node(iri, label), iri[len(ONTOLOGY_NS):], int(counts.get(iri, 0)), definition)
    return sorted(found.values(), key=lambda c: c.node.label.lower())


def class_index(store: GraphStore, class_iri: str, limit: int, offset: int,
                base_iri: str = Settings.base_iri) -> ClassIndex | None:
    """Instances `offset` … `offset + limit` of a DefCoop class (the store's stable order, then by label within
    the page), its total, definition and neighbouring classes; None if the ontology has no such class."""
    try:
        node = _iri(class_iri)
    except ValueError:
        return None
    about = store.select(
        PROLOGUE + f"SELECT ?label ?definition WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ {node} a owl:Class "
        f"OPTIONAL {{ {node} rdfs:label ?label }} OPTIONAL {{ {node} skos:definition ?definition }} }} }}"
    )
    if not about or not class_iri.startswith(ONTOLOGY_NS):
        return None
    total = int(_first(store.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {node} }}"), "n", 0))
    items = [r["x"] for r in store.select(
        f"SELECT DISTINCT ?x WHERE {{ ?x a {node} }} LIMIT {int(limit)} OFFSET {int(offset)}")]
    near = store.select(
        PROLOGUE + f"SELECT ?super ?sub WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ "
        f"{{ {node} rdfs:subClassOf ?super FILTER(isIRI(?super)) }} UNION {{ ?sub rdfs:subClassOf {node} }} }} }}"
    )
    supers = {r["super"].value for r in near if "super" in r}
    subs = {r["sub"].value for r in near if "sub" in r and isinstance(r["sub"], ox.NamedNode)}
    labels = _labels(store, {x.value for x in items if isinstance(x, ox.NamedNode)} | supers | subs, base_iri)
    return ClassIndex(
        node=Node(class_iri, _first(about, "label", _last_segment(class_iri))),
        name=class_iri[len(ONTOLOGY_NS):],
        definition=_first(about, "definition", None),
        total=total,
        items=tuple(sorted((labels.node(x) for x in items), key=lambda n: n.label.lower())),
        offset=offset,
        limit=limit,
        superclasses=tuple(sorted((labels.node(ox.NamedNode(s)) for s in supers), key=lambda n: n.label.lower())),
        subclasses=tuple(sorted((labels.node(ox.NamedNode(s)) for s in subs), key=lambda n: n.label.lower())),
    )


def search(store: GraphStore, text: str, limit: int, settings: Settings, index: NameIndex | None) -> SearchResults:
    """Entities (IRIs under `{base}id/`) with a label, preferred or alternative label or title containing `text`,
    case-insensitively; at most `limit` hits, exact matches first, then prefix matches, then by label.

    The release's name index answers (app/search.py); without one (a remote store with no local release) the
    names are scanned with SPARQL."""
    needle = text.strip().lower()
    if not needle:
        return SearchResults(text, (), False)
    if index is not None:
        found_matches, more = index.find(needle, limit)
        matches = {m.iri: list(m.names) for m in found_matches}
    else:
        matches, more = _scan_names(store, needle, limit, settings.id_prefix)
    found = list(matches)[:limit]
    inferred = f"<{settings.base_iri}graph/inferred>"
    typed = store.select(
        f"SELECT DISTINCT ?x ?t WHERE {{ VALUES ?x {{ {' '.join(_iri(x) for x in found)} }} "
        f"GRAPH ?g {{ ?x a ?t }} FILTER(?g != {inferred}) }}"
    ) if found else []
    types: dict[str, set[str]] = {}
    for r in typed:
        types.setdefault(r["x"].value, set()).add(r["t"].value)
    labels = _labels(store, {*found, *(t for ts in types.values() for t in ts)}, settings.base_iri)
    hits = []
    for x in found:
        node = labels.node(ox.NamedNode(x))
        hits.append(Hit(
            node,
            None if node.label in matches[x] else matches[x][0],
            tuple(sorted((labels.node(ox.NamedNode(t)) for t in types.get(x, ())), key=lambda n: n.label)),
        ))

    def rank(hit: Hit) -> tuple[int, str]:
        names = [hit.node.label.lower(), (hit.matched or "").lower()]
        return (0 if needle in names else 1 if any(n.startswith(needle) for n in names) else 2, hit.node.label.lower())

    return SearchResults(text, tuple(sorted(hits, key=rank)), more)


def _scan_names(store: GraphStore, needle: str, limit: int, id_prefix: str) -> tuple[dict[str, list[str]], bool]:
    cap = 4 * (int(limit) + 1)  # rows, not entities: an entity may match by several labels
    contains = f"FILTER(CONTAINS(LCASE(?label), {_literal(needle)}))"
    branches = " UNION ".join(f"{{ ?x <{p}> ?label {contains} }}" for p in SEARCHED)
    rows = store.select(f"SELECT DISTINCT ?x ?label WHERE {{ {branches} }} LIMIT {cap}")
    matches: dict[str, list[str]] = {}
    for r in rows:
        if isinstance(r["x"], ox.NamedNode) and r["x"].value.startswith(id_prefix):
            matches.setdefault(r["x"].value, []).append(r["label"].value)
    return matches, len(matches) > limit or len(rows) == cap


def dataset_summary(manifest: Mapping[str, Any] | None) -> Summary:
    """Size and date of the release, as its build recorded them in the manifest (no query needed)."""
    manifest = manifest or {}
    class_counts = manifest.get("classes") or {}

    def number(value: Any) -> int | None:
        return value if isinstance(value, int) else None

    return Summary(
        triples=number(manifest.get("triples")),
        quads=number(manifest.get("quads")),
        claims=number(manifest.get("claims")),
        sources=number(class_counts.get(str(DEFCOOP.Source))),
        inferred_triples=number(manifest.get("inferred_triples")),
        built_at=manifest.get("built_at"),
        build_id=manifest.get("build_id"),
    )


# --- helpers ------------------------------------------------------------------------------------

Row = tuple[ox.NamedNode, Term, ox.NamedNode]  # property, linked term, graph


@dataclass(frozen=True)
class _Graphs:
    """What the graphs of a DefCoop store are: claims, the inferred graph, provenance records, vocabularies."""

    base_iri: str
    inferred: str = field(init=False)
    special: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inferred", f"{self.base_iri}graph/inferred")
        object.__setattr__(self, "special", frozenset(
            {self.inferred, f"{self.base_iri}graph/concepts", str(ONTOLOGY_IRI)}))

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


def _iri(iri: str) -> str:
    """`<iri>` for a query; ValueError if `iri` is not a valid absolute IRI (so nothing can break out)."""
    return str(ox.NamedNode(iri))


def _literal(text: str) -> str:
    """A SPARQL string literal of `text`, escaped (quotes, backslashes, newlines)."""
    return str(ox.Literal(text))


def _first(rows: list[dict[str, Any]], name: str, default: Any) -> Any:
    for row in rows:
        if name in row:
            return row[name].value
    return default


def _counts(store: GraphStore, query: str) -> dict[str, int]:
    """property IRI → count, from a query selecting ?p and ?n."""
    return {r["p"].value: int(r["n"].value) for r in store.select(query) if isinstance(r.get("p"), ox.NamedNode)}


def _linked(store: GraphStore, pattern: Callable[[str], str], counts: Mapping[str, int], limit: int) -> list[Row]:
    """(property, term, graph) for the triple pattern `pattern(property)` over ?x, at most `limit` distinct terms
    per property. Properties with at most `limit` values come in one query; each larger one gets its own capped
    query."""
    small = [p for p, n in counts.items() if n <= limit]
    rows: list[Row] = []
    if small:
        values = "" if len(small) == len(counts) else f"VALUES ?p {{ {' '.join(_iri(p) for p in small)} }} "
        rows += [(r["p"], r["x"], r["g"]) for r in store.select(
            f"SELECT DISTINCT ?p ?x ?g WHERE {{ {values}GRAPH ?g {{ {pattern('?p')} }} }}")]
    for p in (p for p, n in counts.items() if n > limit):
        one = pattern(_iri(p))
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


def _bases(store: GraphStore, node: str, pairs: list[tuple[ox.NamedNode, Term]]) -> list[_RawBasis]:
    """For inferred (property, value) pairs: the facts they follow from (asserted, or inferred themselves
    when the entailment is a chain such as org:headOf ⊐ leads ⊐ inverse of led by).

    Two small queries rather than one: which properties each inferred property follows from (the ontology),
    then which of those facts hold (VALUES joins that Oxigraph answers from its indexes).
    """
    if not pairs:
        return []
    properties = " ".join(sorted({str(p) for p, _ in pairs}))
    vias: dict[str, list[tuple[ox.NamedNode, bool]]] = {}
    for r in store.select(
        PROLOGUE + f"SELECT DISTINCT ?p ?via ?reverse WHERE {{ VALUES ?p {{ {properties} }} "
        "{ { { ?p owl:inverseOf ?via } UNION { ?via owl:inverseOf ?p } UNION "
        "{ ?p a owl:SymmetricProperty . BIND(?p AS ?via) } } BIND(true AS ?reverse) } UNION "
        "{ ?via rdfs:subPropertyOf+ ?p BIND(false AS ?reverse) } FILTER(isIRI(?via)) }"
    ):
        vias.setdefault(r["p"].value, []).append((r["via"], r["reverse"].value == "true"))
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
        graphs: dict[tuple[ox.NamedNode, Term], list[str]] = {}
        for r in store.select(f"SELECT DISTINCT ?via ?x ?g WHERE {{ VALUES (?via ?x) {{ {values} }} "
                              f"GRAPH ?g {{ {pattern} }} }}"):
            graphs.setdefault((r["via"], r["x"]), []).append(r["g"].value)
        found += [_RawBasis(p, key[1], key[0], reverse, tuple(sorted(g)))
                  for key, g in graphs.items() for p in candidates[key]]
    return found


def _citations(store: GraphStore, claims: Iterable[str]) -> dict[str, dict[str, Term]]:
    """claim IRI → its description (quote, status, attribution, rationale, source, agent), for the graphs
    among `claims` that are described as defcoop:Claim."""
    claims = sorted(claims)
    if not claims:
        return {}
    values = " ".join(_iri(c) for c in claims)
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


def _citation(claim: str, raw: Mapping[str, Term], labels: _Names) -> Citation:
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


def _groups(rows: list[Row], counts: Mapping[str, int], labels: _Names, value_of: Any,
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


def _labels(store: GraphStore, iris: Iterable[str], base_iri: str) -> _Names:
    """Names of `iris`: rdfs:label, then skos:prefLabel, then dcterms:title; English, then untagged, then any."""
    iris = sorted({i for i in iris if i})
    # one branch per naming property: `?x ?p ?l FILTER(?p IN …)` would scan every triple of a well-linked ?x
    branches = " UNION ".join(f"{{ ?x <{p}> ?l BIND({n} AS ?p) }}" for n, p in enumerate(LABELS))
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(_iri(i) for i in iris[start:start + 500])
        for r in store.select(f"SELECT DISTINCT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} {branches} "
                              "FILTER(isLiteral(?l)) }"):
            label = r["l"]
            lang = (label.language or "").lower()
            rank = (int(r["p"].value), 0 if lang.startswith("en") else 1 if not lang else 2)
            key = r["x"].value
            if key not in best or (rank, label.value) < best[key]:
                best[key] = (rank, label.value)
    return _Names({k: v[1] for k, v in best.items()}, base_iri)


@dataclass(frozen=True)
class _Names:
    """Turns terms into Nodes with the labels found; an unlabelled DefCoop IRI is named by its last segment,
    any other IRI by itself."""

    found: Mapping[str, str]
    base_iri: str

    def label(self, iri: str) -> str:
        if iri in self.found:
            return self.found[iri]
        return _last_segment(iri) if iri.startswith((self.base_iri, ONTOLOGY_NS)) else iri

    def node(self, term: Term) -> Node:
        if isinstance(term, ox.NamedNode):
            return Node(term.value, self.label(term.value))
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            shown = None if datatype in (XSD_STRING, RDF_LANGSTRING) else compact(datatype)
            return Node(term.value, term.value, "literal", term.language, shown)
        return Node(str(term), "(blank node)", "blank")

    def property(self, term: ox.NamedNode) -> Node:
        """A property with its ontology label, else its local name in words (`seeAlso` → `see also`)."""
        iri = term.value
        if iri in self.found:
            return Node(iri, self.found[iri])
        return Node(iri, re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", _last_segment(iri)).lower())


def compact(iri: str) -> str:
    """`xsd:date` for `http://www.w3.org/2001/XMLSchema#date`: the IRI with a known prefix, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _last_segment(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def property_usage(store: GraphStore) -> dict[str, int]:
    """DefCoop property IRI → how many distinct triples use it (asserted or inferred, in any graph): the
    ontology page's "where used". One GROUP BY over the store, run once per release."""
    return _counts(store, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o "
                          f"FILTER(STRSTARTS(STR(?p), {_literal(ONTOLOGY_NS)})) }} }} }} GROUP BY ?p")
