"""The query of a source read with its facts: the source's text file and title, the claims derived from it with
their quotes and descriptions, and the entities each claim's graph is about; the quotes are then found in the text
(which the release ships, app/store.py) and laid over its sentences (app/texts.py).

Bounded: at most `READ_CLAIMS` claims (a generated source has 1,000), `READ_SENTENCES` sentences a page and
`ENTITIES_PER_CLAIM` entities a claim.
"""

from __future__ import annotations

import bisect

import pyoxigraph as ox

from app.config import Settings
from app.store import GraphStore, Release
from app.texts import sentences
from app.vocab import DEFCOOP, PROV_DERIVED, RDF_TYPE
from app.web.model import Node, Reading, ReadSentence
from app.web.queries.common import PROLOGUE, first_value, iri_ref, labels_of, string_literal
from app.web.queries.entity import citation_of, claim_descriptions

READ_CLAIMS = 5000
"""Most claims of one source laid over its text; the page says how many it left out."""
READ_SENTENCES = 100
"""Sentences per page of a source read with its facts (a news article fits on one)."""
ENTITIES_PER_CLAIM = 8
"""Most entities named beside one claim (what its graph states facts about, then what it links to)."""


def reading(store: GraphStore, iri: str, settings: Settings, page: int = 1) -> Reading | None:
    """Page `page` (`READ_SENTENCES` sentences) of the source `iri` read with its facts, or None when it is not a
    source with a text or has no such page (the text as the store's release ships it).

    Every quote is found in the text (one cheap query), so each page knows which sentences are used; descriptions,
    entities and names are read for the claims of the page's sentences only."""
    try:
        node = iri_ref(iri)
    except ValueError:
        return None
    about = store.select(f"SELECT ?file WHERE {{ {node} a <{DEFCOOP.Source}> ; <{DEFCOOP.textFile}> ?file }} LIMIT 1")
    release = Release(store.release_dir) if store.release_dir else None
    text = release.source_text(about[0]["file"].value) if about and release else None
    if text is None:
        return None
    rows = store.select(f"SELECT ?claim ?quote WHERE {{ ?claim <{PROV_DERIVED}> {node} ; <{DEFCOOP.quote}> ?quote }} "
                        f"LIMIT {READ_CLAIMS}")
    quotes = {r["claim"].value: r["quote"].value for r in rows}
    total = len(quotes)
    if total == READ_CLAIMS:
        total = int(first_value(store.select(
            f"SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {{ ?claim <{PROV_DERIVED}> {node} }}"), "n", total))
    found = sentences(text)
    pages = max(1, -(-len(found) // READ_SENTENCES))
    if not 1 <= page <= pages:
        return None
    starts = [s.start for s in found]
    claims_of: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for claim, quote in sorted(quotes.items()):
        at = text.find(quote)
        if at < 0 or not quote:
            unplaced.append(claim)
            continue
        first = max(0, bisect.bisect_right(starts, at) - 1)  # the sentence the quote starts in, and those it spans
        last = bisect.bisect_left(starts, at + len(quote))
        for s in found[first:last]:
            if s.start < at + len(quote) and at < s.end:
                claims_of.setdefault(s.number, []).append(claim)
    shown = found[(page - 1) * READ_SENTENCES:page * READ_SENTENCES]
    here = sorted({c for s in shown for c in claims_of.get(s.number, ())} | (set(unplaced) if page == 1 else set()))
    described = claim_descriptions(store, here)
    about_claims = _entities(store, here, settings)
    wanted = {iri, *here, *(e for es in about_claims.values() for e in es)}
    wanted |= {t.value for d in described.values() for t in d.values() if isinstance(t, ox.NamedNode)}
    labels = labels_of(store, wanted, settings.base_iri)
    cites = {c: citation_of(c, raw, labels) for c, raw in described.items()}

    paragraphs: list[list[ReadSentence]] = []
    previous_end = found[shown[0].number - 2].end if shown and shown[0].number > 1 else -1
    for s in shown:
        if not paragraphs or "\n" in text[max(previous_end, 0):s.start]:  # a line break begins a paragraph
            paragraphs.append([])
        previous_end = s.end
        quoting = claims_of.get(s.number, [])
        entities = {e: labels.node(ox.NamedNode(e)) for c in quoting for e in about_claims.get(c, [])}
        paragraphs[-1].append(ReadSentence(s.number, s.text, tuple(cites[c] for c in quoting if c in cites),
                                           tuple(sorted(entities.values(), key=lambda n: n.label.lower()))))
    return Reading(Node(iri, labels.label(iri)), tuple(tuple(p) for p in paragraphs), total, len(quotes),
                   tuple(cites[c] for c in unplaced if c in cites and page == 1),
                   sentences_total=len(found), used_total=len(claims_of), page=page, pages=pages)


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
            f"{{ ?s ?p ?x FILTER(?p NOT IN (<{RDF_TYPE}>, skos:inScheme)) BIND(true AS ?object) }} }} "
            f"FILTER(isIRI(?x) && STRSTARTS(STR(?x), {entities})) "
            "FILTER(!?object || NOT EXISTS { ?x skos:inScheme ?scheme }) }"  # a concept counts only as a subject
        ):
            rank = 1 if r["object"].value == "true" else 0
            seen = found.setdefault(r["claim"].value, {})
            seen[r["x"].value] = min(rank, seen.get(r["x"].value, rank))
    return {c: sorted(xs, key=lambda x: (xs[x], x))[:ENTITIES_PER_CLAIM] for c, xs in found.items()}
