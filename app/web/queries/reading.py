"""The query of a source read with its facts: the source's text file and title, the claims derived from it with
their quotes and descriptions, and the entities each claim's graph is about; the quotes are then found in the text
(which the release ships, app/store.py) and laid over its sentences (app/texts.py).

Bounded: at most `READ_CLAIMS` claims (a generated source has 1,000) and `ENTITIES_PER_CLAIM` entities each.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from app.config import Settings
from app.store import GraphStore
from app.texts import sentences
from app.vocab import DEFCOOP, PROV_DERIVED, RDF_TYPE
from app.web.model import Citation, Node, Reading, ReadSentence
from app.web.queries.common import PROLOGUE, first_value, iri_ref, labels_of, string_literal
from app.web.queries.entity import citation_of, claim_descriptions

READ_CLAIMS = 5000
"""Most claims of one source laid over its text; the page says how many it left out."""
ENTITIES_PER_CLAIM = 8
"""Most entities named beside one claim (what its graph states facts about, then what it links to)."""


def reading(store: GraphStore, iri: str, settings: Settings, text_of: Callable[[str], str | None]) -> Reading | None:
    """The source `iri` read with its facts, or None when it is not a source with a text (`text_of(text_file)` gives
    the text as the release ships it)."""
    try:
        node = iri_ref(iri)
    except ValueError:
        return None
    about = store.select(f"SELECT ?file WHERE {{ {node} a <{DEFCOOP.Source}> ; <{DEFCOOP.textFile}> ?file }} LIMIT 1")
    text = text_of(about[0]["file"].value) if about else None
    if text is None:
        return None
    rows = store.select(f"SELECT ?claim ?quote WHERE {{ ?claim <{PROV_DERIVED}> {node} ; <{DEFCOOP.quote}> ?quote }} "
                        f"LIMIT {READ_CLAIMS}")
    quotes = {r["claim"].value: r["quote"].value for r in rows}
    total = len(quotes)
    if total == READ_CLAIMS:
        total = int(first_value(store.select(
            f"SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {{ ?claim <{PROV_DERIVED}> {node} }}"), "n", total))
    described = claim_descriptions(store, quotes)
    about_claims = _entities(store, list(quotes), settings)
    wanted = {iri, *(e for es in about_claims.values() for e in es)}
    wanted |= {t.value for d in described.values() for t in d.values() if isinstance(t, ox.NamedNode)}
    labels = labels_of(store, wanted | set(quotes), settings.base_iri)
    cites = {c: citation_of(c, raw, labels) for c, raw in described.items()}

    found = sentences(text)
    claims_of: dict[int, list[str]] = {}
    unplaced: list[Citation] = []
    for claim, quote in sorted(quotes.items()):
        at = text.find(quote)
        hit = [s.number for s in found if at >= 0 and s.start < at + len(quote) and at < s.end]
        for number in hit:
            claims_of.setdefault(number, []).append(claim)
        if not hit and claim in cites:
            unplaced.append(cites[claim])
    paragraphs: list[list[ReadSentence]] = []
    previous_end = -1
    for s in found:
        if previous_end < 0 or "\n" in text[previous_end:s.start]:  # a line break begins a paragraph
            paragraphs.append([])
        previous_end = s.end
        quoting = claims_of.get(s.number, [])
        claims = [cites[c] for c in quoting if c in cites]
        entities = {e: labels.node(ox.NamedNode(e)) for c in quoting for e in about_claims.get(c, [])}
        paragraphs[-1].append(ReadSentence(s.number, s.text, tuple(claims),
                                           tuple(sorted(entities.values(), key=lambda n: n.label.lower()))))
    return Reading(Node(iri, labels.label(iri)), tuple(tuple(p) for p in paragraphs), total, len(quotes),
                   tuple(unplaced))


def _entities(store: GraphStore, claims: list[str], settings: Settings) -> dict[str, list[str]]:
    """Claim → the DefCoop entities its graph states facts about, then those it links to (types and values of the
    controlled vocabularies, such as statuses and comparators, aside)."""
    if not claims:
        return {}
    found: dict[str, dict[str, int]] = {}
    entities = string_literal(settings.id_prefix)
    for start in range(0, len(claims), 500):
        values = " ".join(iri_ref(c) for c in claims[start:start + 500])
        for r in store.select(
            PROLOGUE + f"SELECT DISTINCT ?claim ?x ?object WHERE {{ VALUES ?claim {{ {values} }} GRAPH ?claim {{ "
            f"{{ ?x ?p ?o BIND(false AS ?object) }} UNION "
            f"{{ ?s ?p ?x FILTER(?p NOT IN (<{RDF_TYPE}>, skos:inScheme)) BIND(true AS ?object) "
            f"FILTER NOT EXISTS {{ ?x skos:inScheme ?scheme }} }} }} "
            f"FILTER(isIRI(?x) && STRSTARTS(STR(?x), {entities})) }}"
        ):
            rank = 1 if r["object"].value == "true" else 0
            seen = found.setdefault(r["claim"].value, {})
            seen[r["x"].value] = min(rank, seen.get(r["x"].value, rank))
    return {c: sorted(xs, key=lambda x: (xs[x], x))[:ENTITIES_PER_CLAIM] for c, xs in found.items()}
