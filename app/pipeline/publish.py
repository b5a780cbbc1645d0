"""Write a release's downloads, store, indexes and manifest from the checked store and the build's cache.

The dumps are assembled from per-file chunks that pyoxigraph's own serializers write (app/pipeline/chunks.py), each
with its gzip twin (`.gz` next to it, `mtime` 0) and with sha256 and size computed as the bytes pass. The same
inputs give the same bytes: blank nodes are labelled deterministically when parsed, each chunk is written in
Oxigraph's index order and chunks follow the files' order.
"""

from __future__ import annotations

import gzip
import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from app.events import FILE as EVENTS_FILE
from app.events import involves
from app.events import write_index as write_events
from app.facets import FACETS
from app.facets import index_path as facet_path
from app.facets import update_index as update_facets
from app.facets import write_index as write_facets
from app.history import digests
from app.nanopubs import nanopublication
from app.pipeline import chunks, workers
from app.pipeline.cache import code_version
from app.pipeline.load import load_rdf
from app.search import LABELS, NAME_PROPERTIES, Shown, add_links, best_label, index_path
from app.search import update_index as update_names
from app.search import write_index as write_names
from app.store import Release, texts_dir
from app.vocab import DCT_LICENSE, DEFCOOP, RDF_TYPE

CLAIM_CLASS = DEFCOOP._NS + "Claim"
ONTOLOGY = {"ontology.ttl": ox.RdfFormat.TURTLE, "ontology.rdf": ox.RdfFormat.RDF_XML,
            "ontology.nt": ox.RdfFormat.N_TRIPLES, "ontology.jsonld": ox.RdfFormat.JSON_LD}
DUMP_THREADS = 2
"""Dumps are assembled two at a time (hashing and zlib release the GIL while they work)."""
SWAP_SHARE = 0.25
"""The release's store is the previous one with what changed swapped while that is at most this share of its
quads and triples (taking a quad out costs several times what loading one costs); else it is loaded anew."""


@dataclass(frozen=True)
class Published:
    release: Release
    manifest: dict[str, Any]
    warnings: list[Any] = field(default_factory=list)
    """Problems that did not stop publishing (app.pipeline.errors.Problem)."""


class DumpWriter:
    """Writes one small dump and its gzip twin in one pass."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plain = chunks.Hashing(path)
        self.packed = chunks.Hashing(path.with_name(path.name + ".gz"))
        self.gzip = gzip.GzipFile(filename="", mode="wb", compresslevel=chunks.GZIP_LEVEL,
                                  fileobj=self.packed, mtime=0)  # type: ignore[arg-type]

    def write(self, data: bytes) -> int:
        self.plain.write(data)
        self.gzip.write(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> dict[str, Any]:
        self.gzip.close()
        self.plain.close()
        self.packed.close()
        return {**self.plain.describe(), "gzip": {"file": self.packed.file.name.rsplit("/", 1)[-1],
                                                  **self.packed.describe()}}


def write_dump(path: Path, fmt: ox.RdfFormat, write: Callable[[Any, ox.RdfFormat], None],
               context: dict[str, Any] | None = None) -> dict[str, Any]:
    """One dump through `write(output, fmt)`. JSON-LD is Oxigraph's expanded form inside a document that carries
    DefCoop's @context, so readers who compact get DefCoop's prefixes."""
    writer = DumpWriter(path)
    try:
        if fmt == ox.RdfFormat.JSON_LD:
            writer.write(b'{"@context": ' + json.dumps(context or {}, sort_keys=True).encode() + b', "@graph": ')
            write(writer, fmt)
            writer.write(b"}\n")
        else:
            write(writer, fmt)
    except BaseException:
        writer.close()
        raise
    return {"file": path.name, "media_type": fmt.media_type, **writer.close()}


def jsonld_context(prefixes: dict[str, str]) -> dict[str, Any]:
    """The JSON-LD context of DefCoop's documents: its prefixes, so compacted keys read `defcoop:ledBy`."""
    return {**prefixes, "label": {"@id": "http://www.w3.org/2000/01/rdf-schema#label"}}


@dataclass(frozen=True)
class Dumps:
    """What writing a release's downloads and store made."""

    files: dict[str, dict[str, Any]]
    """The downloads' descriptions, for the manifest."""
    triples: int
    """The merged graph's distinct triples."""
    graphs: dict[str, dict[str, Any]]
    """Each named graph's quads and digest (app/history.py)."""
    chunks: dict[str, Any]
    """The chunks the dumps are made of (for the next build's store)."""
    used: set[Path]
    store: str
    """How the store was made: "loaded" from the dumps, or "updated" from the previous release's."""


def head_content(store: ox.Store, ontology_graphs: list[str], ontology_iri: str | None,
                 ontology_entailed: list[ox.Triple]) -> chunks.Head:
    """The head chunk's lines: the ontology folder's graphs; the merged graph's triples of those graphs but the
    ontology's, with what the ontology entails about its individuals."""
    quads = [q for g in ontology_graphs for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    others = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name.value != ontology_iri]
    nt = ox.RdfFormat.N_TRIPLES
    return chunks.Head(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), ox.serialize(others + ontology_entailed,
                       format=nt), ox.serialize(ontology_entailed, format=nt), ox.serialize(triples, format=nt))


@dataclass(frozen=True)
class Chunked:
    """The chunks a release's dumps are made of, all in the cache (app/pipeline/chunks.py)."""

    head: chunks.Chunk
    units: list[chunks.Chunk]
    summaries: dict[str, dict[str, Any]]
    written: int
    nanopubs: list[str]
    """The keys of the chunks of `nanopubs.trig`, in file order."""

    @property
    def order(self) -> list[str]:
        return [self.head.key, *(c.key for c in self.units)]


def _untold(_: str) -> None:
    """Where a caller follows no progress (the `step` of the writers below)."""


def write_chunk_files(store: ox.Store, units: list[Any], head: chunks.Head, cache: Path, ontology_iri: str | None,
                      prefixes: dict[str, str], inferred_graph: str, base_iri: str, pool: Any,
                      step: Callable[[str], None] = _untold) -> Chunked:
    """Every chunk of the release's dumps that the cache does not hold, written by `pool` (app/pipeline/workers.py
    `forked`); `step` is told how far the writing is (the build's progress)."""
    salt = json.dumps([code_version(), prefixes, jsonld_context(prefixes), inferred_graph])
    head_chunk, unit_chunks = chunks.plan(head, units, salt)
    summaries, written = chunks.write_chunks(cache, head, head_chunk, unit_chunks, inferred_graph, prefixes, pool,
                                             lambda n, of: step(f"{n:,} of {of:,} dump chunks written"))
    nanopub_keys = write_nanopub_chunks(store, units, cache, base_iri, ontology_iri, salt, pool,
                                        lambda n, of: step(f"{n:,} of {of:,} nanopublication chunks written"))
    return Chunked(head_chunk, unit_chunks, summaries, written, nanopub_keys)


def chunk_change(chunked: Chunked, previous: Release | None, cache: Path) -> tuple[dict[str, Any], chunks.Delta | None]:
    """The release's chunks (its manifest's record of them), and what changed since the previous release's: the lines
    to take out and put in (None when there is no previous release, its head differs, or its chunks are gone)."""
    record = {"head": chunked.head.key, "files": {c.name: c.key for c in chunked.units}}
    old = (previous.manifest.get("chunks") if previous else None) or {}
    before, now = old.get("files", {}), record["files"]
    pairs = [(before.get(name), key) for name, key in now.items() if before.get(name) != key]
    pairs += [(key, None) for name, key in before.items() if name not in now]
    change = (chunks.delta(cache, pairs) if previous is not None and old.get("head") == chunked.head.key
              and previous.store_path.is_dir() else None)
    return record, change


def write_downloads(store: ox.Store, chunked: Chunked, staging: Path, cache: Path, ontology_iri: str | None,
                    shapes: list[ox.Triple], prefixes: dict[str, str], previous: Release | None,
                    record: dict[str, Any], change: chunks.Delta | None,
                    step: Callable[[str], None] = _untold) -> Dumps:
    """Every dump of the release, assembled from its chunks, and the release's on-disk store (`staging/store`, what
    the site serves): the previous release's with what changed swapped when it was made of the same head, else
    loaded from the dumps as they are written.

    The merged dumps hold every graph but the ontology: each triple once, the head's first, then each unit's new
    ones in file order. The store's default graph holds every triple of every graph once (the merged dump and the
    ontology), so that queries without GRAPH join over a set, not over each triple once per claim. `step` is told
    each file and the store as they are done (at 10M this took minutes)."""
    downloads = staging / "downloads"
    downloads.mkdir()
    context = jsonld_context(prefixes)
    summaries, order = chunked.summaries, chunked.order
    nanopub_keys = chunked.nanopubs
    frames = chunks.frames(prefixes, context)
    onto = ox.NamedNode(ontology_iri) if ontology_iri else None
    onto_triples = [] if onto is None else [ox.Triple(q.subject, q.predicate, q.object)
                                             for q in store.quads_for_pattern(None, None, None, onto)]
    triples = sum(summaries[k]["triples"] for k in order)
    counts = {**{n: (sum(summaries[k]["quads"] for k in order), "dataset with provenance graphs")
                 for n in chunks.WITH_GRAPHS}, **{n: (triples, "dataset") for n in chunks.FLAT}}

    def dump(name: str) -> dict[str, Any]:
        count, content = counts[name]
        return {**chunks.assemble(downloads / name, frames[name], chunks.parts(cache, order, name)),
                "media_type": chunks.DUMPS[name].media_type, "triples": count, "content": content}

    def nanopubs() -> dict[str, Any]:
        quads = sum(json.loads(chunks.summary_file(cache, k).read_text(encoding="utf-8"))["quads"]
                    for k in nanopub_keys)
        return {**chunks.assemble(downloads / NANOPUBS, chunks.Frame(), chunks.parts(cache, nanopub_keys, NANOPUBS)),
                "media_type": ox.RdfFormat.TRIG.media_type, "triples": quads, "content": "nanopublications"}

    small: list[tuple[str, ox.RdfFormat, list[ox.Triple], str]] = []
    if onto is not None:
        small += [(name, fmt, onto_triples, "ontology") for name, fmt in ONTOLOGY.items()]
    small.append(("shapes.ttl", ox.RdfFormat.TURTLE, shapes, "SHACL shapes"))

    def small_dump(name: str, fmt: ox.RdfFormat, content: list[ox.Triple], what: str) -> dict[str, Any]:
        return {**write_dump(downloads / name, fmt, lambda out, f: ox.serialize(content, out, f, prefixes=prefixes),
                             context), "triples": len(content), "content": what}

    swap = change is not None and change.size <= sum(chunks.size(summaries[k]) for k in order) * SWAP_SHARE

    def make_store() -> str:
        if swap:
            assert previous is not None and change is not None
            chunks.update_store(previous.store_path, staging / "store", change, set(onto_triples))
            return "updated"
        by_name["defcoop.nq"].result()
        disk = ox.Store(str(staging / "store"))
        load_rdf(disk, ox.RdfFormat.N_QUADS, path=downloads / "defcoop.nq", on_disk=True)
        by_name["defcoop.nt"].result()
        load_rdf(disk, ox.RdfFormat.N_TRIPLES, path=downloads / "defcoop.nt", on_disk=True)
        if "ontology.nt" in by_name:
            by_name["ontology.nt"].result()
            load_rdf(disk, ox.RdfFormat.N_TRIPLES, path=downloads / "ontology.nt", on_disk=True)
        disk.optimize()
        del disk
        return "loaded"

    with ThreadPoolExecutor(DUMP_THREADS) as pool, ThreadPoolExecutor(1) as loader:
        by_name = {name: pool.submit(dump, name) for name in chunks.DUMPS}
        by_name |= {job[0]: pool.submit(small_dump, *job) for job in small}
        by_name[NANOPUBS] = pool.submit(nanopubs)
        made = loader.submit(make_store)
        names = {future: name for name, future in by_name.items()}
        for n, future in enumerate(as_completed([*names, made]), 1):
            outcome = "failed" if future.exception() is not None else "done"  # (raised below, where it is read)
            step(f"{names.get(future, 'the store')} {outcome} ({n} of {len(names) + 1})")
        files = {name: future.result() for name, future in by_name.items()}
        how = made.result()
    used = {f for k in order for f in chunks.chunk_files(cache, k)}
    used |= {f for k in nanopub_keys for f in (chunks.summary_file(cache, k), chunks.chunk_file(cache, k, NANOPUBS),
                                               chunks.chunk_file(cache, k, NANOPUBS + ".z"))}
    return Dumps(files, triples, digests(summaries[k]["graphs"] for k in order), record, used, how)


def write_source_texts(staging: Path, data_dir: Path, text_files: list[str]) -> int:
    """Each source's text as received (the build has checked it against its checksum), under the release's
    `texts/` folder at its path relative to the data folder, so the site shows a source with its facts without
    reading data/; returns how many."""
    for name in sorted(set(text_files)):
        target = texts_dir(staging) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / name, target)
    return len(set(text_files))


NANOPUBS = "nanopubs.trig"
"""Every claim of the release as a nanopublication (app/nanopubs.py), one TriG file."""


def write_nanopub_chunks(store: ox.Store, units: list[Any], cache: Path, base_iri: str, ontology_iri: str | None,
                         salt: str, pool: Any, done: chunks.Done | None = None) -> list[str]:
    """Each unit's nanopublications (app/nanopubs.py) as a chunk of `nanopubs.trig`: those of the claims it is
    the first to describe, in IRI order, the same quads and trusty URI as `/np/{claim}` serves (TriG allows blocks
    to follow each other). A chunk is kept while the files holding or describing its claims are unchanged;
    returns the chunks' keys in file order."""
    license_term = None
    if ontology_iri:
        onto = ox.NamedNode(ontology_iri)
        license_term = next((q.object.value for q in store.quads_for_pattern(onto, ox.NamedNode(DCT_LICENSE), None,
                                                                             onto)), None)
    owned: list[list[str]] = []
    owner: dict[str, int] = {}
    for i, unit in enumerate(units):
        mine = sorted(c for c in unit.claims if c not in owner)
        owner.update((c, i) for c in mine)
        owned.append(mine)
    depends: list[set[int]] = [{i} for i in range(len(units))]
    for j, unit in enumerate(units):
        mentioned = set(unit.graphs) | set(unit.claims)
        mentioned |= set(json.loads(unit.nodes_file.read_text(encoding="utf-8"))["subjects"])
        for claim in mentioned & owner.keys():
            depends[owner[claim]].add(j)
    keys, missing = [], []
    for i, claims in enumerate(owned):
        key = chunks._digest(salt, NANOPUBS, base_iri, license_term or "", *(units[j].key for j in sorted(depends[i])),
                             *claims)
        if not chunks.summary_file(cache, key).exists():
            missing.append((cache, key, claims, base_iri, license_term))
        keys.append(key)
    chunks.each(pool, write_nanopub_chunk, missing, done)
    return keys


def write_nanopub_chunk(cache: Path, key: str, claims: list[str], base_iri: str, license_iri: str | None) -> None:
    """One chunk of `nanopubs.trig`, from the checked store (in a worker forked from the build)."""
    text, quads = nanopub_text(workers.shared("store"), claims, base_iri, license_iri)
    chunks.write_bodies(cache, key, {NANOPUBS: text}, {"quads": quads})


def nanopub_text(store: ox.Store, claims: list[str], base_iri: str, license_iri: str | None) -> tuple[bytes, int]:
    """The TriG of these claims' nanopublications, one block after another, and their number of quads; a claim
    not described in a provenance graph, or without facts, has none (as /np/ answers 404)."""
    claim_type, provenance = ox.NamedNode(CLAIM_CLASS), f"{base_iri}graph/provenance/"
    out, quads = [], 0
    for claim in claims:
        node = ox.NamedNode(claim)
        if not any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(provenance)
                   for q in store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), claim_type)):
            continue
        assertion = sorted({ox.Triple(q.subject, q.predicate, q.object)
                            for q in store.quads_for_pattern(None, None, None, node)}, key=str)
        if not assertion:
            continue
        description = sorted({ox.Triple(q.subject, q.predicate, q.object)
                              for q in store.quads_for_pattern(node, None, None)
                              if isinstance(q.graph_name, ox.NamedNode)
                              and q.graph_name.value.startswith(provenance)}, key=str)
        _, nanopub = nanopublication(base_iri, claim, assertion, description, license_iri)
        quads += len(nanopub)
        out.append(ox.serialize(nanopub, format=ox.RdfFormat.TRIG))
    return b"".join(out), quads


INDEXES = ("facets", "names", "events")
"""The release's indexes, the longest to write first: the workers write them while the build's own process writes
the chunks that changed and assembles the dumps."""
INCREMENTAL = ("facets", "names")
"""The indexes a rebuild makes from the previous release's, with only the rows of what changed written again."""


def dated_properties(head: chunks.Head, units: Iterable[Any]) -> list[str]:
    """The properties with a date among their values in the release: what each unit found (`Unit.dated`) and the
    head's, known before any chunk is written, so the facet index can start at once."""
    head_quads = [*ox.parse(head.quads, format=ox.RdfFormat.N_QUADS),
                  *ox.parse(head.flat + head.entailed, format=ox.RdfFormat.N_TRIPLES)]
    return sorted(set(chunks.dated_properties(head_quads)) | {p for u in units for p in u.dated})


TOUCHED_MAX = 20_000
"""Above this many entities touched by a change, the name and facet indexes are written whole."""
STATUS = str(DEFCOOP.epistemicStatus)


def touched(store: ox.Store, change: chunks.Delta) -> frozenset[str] | None:
    """The IRIs whose rows in the name and facet indexes may differ from the previous release's, given the lines
    that changed: the subjects of the quads taken out or put in; what links to a node whose types changed (its
    country, city or programme facets); what a claim's graph types when its status changed; None (write the
    indexes whole) when a node with instances changed (its label is shown with every one) or too much changed."""
    quads = ox.parse(b"\n".join([*change.remove_quads, *change.add_quads, b""]), format=ox.RdfFormat.N_QUADS)
    found: set[str] = set()
    retyped: set[ox.NamedNode | ox.BlankNode] = set()
    for quad in quads:
        subject = quad.subject
        if isinstance(subject, ox.NamedNode):
            found.add(subject.value)
        if quad.predicate == chunks.RDF_TYPE_NODE and subject not in retyped:
            retyped.add(subject)
            found.update(q.subject.value for q in store.quads_for_pattern(None, None, subject)
                         if isinstance(q.subject, ox.NamedNode))
        elif quad.predicate.value == STATUS and isinstance(subject, ox.NamedNode):
            found.update(q.subject.value for q in store.quads_for_pattern(None, chunks.RDF_TYPE_NODE, None, subject)
                         if isinstance(q.subject, ox.NamedNode))
        if len(found) > TOUCHED_MAX:
            return None
    if any(next(iter(store.quads_for_pattern(None, chunks.RDF_TYPE_NODE, ox.NamedNode(iri))), None) for iri in found):
        return None
    return frozenset(found)


class Indexed(NamedTuple):
    rows: int
    """The index's names, facet rows or dated events (the manifest's counts)."""
    updated: bool
    """Made from the previous release's index (else written whole)."""


def write_index(kind: str, staging: Path, id_prefix: str, inferred_graph: str, dated: list[str],
                previous: Path | None = None, only: frozenset[str] | None = None) -> Indexed:
    """One of the release's indexes, from the checked store (in a worker forked from the build); the facet index
    reads the dates of the `dated` properties only. With `previous` (a release folder) and `only`, the name and
    facet indexes are that release's with the rows of `only` written again (`touched`). The name index gets its
    entities' links afterwards (`write_links`)."""
    store = workers.shared("store")
    if kind == "names":
        path = index_path(staging)
        if previous is not None and only is not None and index_path(previous).is_file():
            shutil.copyfile(index_path(previous), path)
            names, shown, labels = name_rows(store, id_prefix, inferred_graph, only)
            return Indexed(update_names(path, only, names, shown, {i: labels[i] for i in only if i in labels}), True)
        return Indexed(write_names(path, *name_rows(store, id_prefix, inferred_graph)), False)
    if kind == "facets":
        path = facet_path(staging)
        if previous is not None and only is not None and facet_path(previous).is_file():
            shutil.copyfile(facet_path(previous), path)
            return Indexed(update_facets(path, only, *facet_rows(store, id_prefix, dated, only)), True)
        return Indexed(write_facets(path, *facet_rows(store, id_prefix, dated)), False)
    return Indexed(write_event_index(store, staging), False)


def index_note(indexed: dict[str, Indexed], only: frozenset[str] | None) -> str:
    """How the build made the indexes, for its closing table."""
    updated = [kind for kind in INCREMENTAL if indexed[kind].updated]
    if not updated or only is None:
        return "indexes written whole"
    entities = f"{len(only):,} entit{'y' if len(only) == 1 else 'ies'}"
    if len(updated) == len(INCREMENTAL):
        return f"indexes updated for {entities}"
    whole = [kind for kind in INCREMENTAL if kind not in updated]
    return f"{', '.join(updated)} index updated for {entities}, {', '.join(whole)} index written whole"


def _only(var: str, iris: Iterable[str] | None) -> str:
    """A VALUES clause binding `var` to each of `iris` (all, when None)."""
    return "" if iris is None else f"VALUES {var} {{ {' '.join(f'<{iri}>' for iri in sorted(iris))} }} "


def facet_rows(store: ox.Store, id_prefix: str, dated: list[str], only: Iterable[str] | None = None
               ) -> tuple[Iterator[tuple[str, str]], Iterator[tuple[str, str, str]]]:
    """The rows of the release's facet index (app/facets.py), of every entity or of `only`: the DefCoop classes of
    each entity, and each facet's values (a dated facet's from the `dated` properties only: the year facet read
    every triple, 1.3 s of 5 at 1M)."""
    prologue = f"PREFIX defcoop: <{DEFCOOP._NS}>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    ours = f'isIRI(?x) && STRSTARTS(STR(?x), "{id_prefix}")'
    chosen = _only("?x", only)
    # no DISTINCT in these queries: the writers keep each row once anyway (at 1M 0.2 s less)
    members = store.query(prologue + f'SELECT ?c ?x WHERE {{ {chosen}?x a ?c FILTER({ours} && '
                          f'STRSTARTS(STR(?c), "{DEFCOOP._NS}")) }}', use_default_graph_as_union=True)

    def rows() -> Iterator[tuple[str, str, str]]:
        for kind in FACETS:
            narrowed = f"VALUES ?p {{ {' '.join(f'<{p}>' for p in dated)} }} " if kind.dated else ""
            found = store.query(prologue + f"SELECT ?x ?f WHERE {{ {chosen}{narrowed}{kind.pattern} FILTER({ours}) }}",
                                use_default_graph_as_union=True)
            yield from ((x.value, kind.key, f.value) for x, f in found)  # type: ignore[misc]

    # (a solution unpacks to its values in the SELECT's order: a third cheaper than looking each up by name)
    return ((c.value, x.value) for c, x in members), rows()  # type: ignore[misc]


def write_event_index(store: ox.Store, staging: Path) -> int:
    """The release's event index (app/events.py): every event's start days, the entities each involves (events
    without a day too: a profile lists what was discussed at them) and what each discussed; returns the number of
    dated events."""
    prologue = f"PREFIX defcoop: <{DEFCOOP._NS}>\n"

    def rows(sparql: str) -> Iterator[tuple[str, str]]:
        """The pairs a SELECT of two variables gives, in its order."""
        found = store.query(prologue + sparql, use_default_graph_as_union=True)
        return ((a.value, b.value) for a, b in found)  # type: ignore[misc]

    return write_events(
        staging / EVENTS_FILE,
        rows("SELECT DISTINCT ?e ?d WHERE { ?e defcoop:startDate ?d FILTER(isIRI(?e)) }"),
        rows(f"SELECT DISTINCT ?x ?e WHERE {{ {involves('?x')} FILTER(isIRI(?e) && isIRI(?x)) }}"),
        rows("SELECT DISTINCT ?x ?e WHERE { ?e defcoop:discussed ?x FILTER(isIRI(?e) && isIRI(?x)) }"))


def name_rows(store: ox.Store, id_prefix: str, inferred_graph: str, only: Iterable[str] | None = None
              ) -> tuple[list[tuple[str, str]], dict[str, Shown], dict[str, str]]:
    """The rows of the release's search index (app/search.py), of every entity or of `only`: each entity's names,
    with what a hit shows (the entity's label and its asserted classes, in any graph but `inferred_graph`, with
    theirs), and the label of every labelled IRI (with `only`: of those and of their entities' classes)."""
    properties = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
    named = f"FILTER(isIRI(?x) && STRSTARTS(STR(?x), \"{id_prefix}\"))"
    chosen = _only("?x", only)
    # no DISTINCT: the writers keep each name once, the types are a set, best_label ignores repeats
    rows = store.query(f"SELECT ?x ?name WHERE {{ {chosen}VALUES ?p {{ {properties} }} ?x ?p ?name {named} "
                       "FILTER(isLiteral(?name)) }", use_default_graph_as_union=True)
    names = [(x.value, name.value) for x, name in rows]  # type: ignore[misc]
    types: dict[str, set[str]] = {}
    for r in store.query(f"SELECT ?x ?t WHERE {{ {chosen}GRAPH ?g {{ ?x a ?t }} {named} "
                         f"FILTER(isIRI(?t) && ?g != <{inferred_graph}>) }}"):
        types.setdefault(r[0].value, set()).add(r[1].value)  # type: ignore[index]
    labelling = " ".join(f"<{p}>" for p in LABELS)
    labelled = None if only is None else {*only, *(t for ts in types.values() for t in ts)}
    candidates = store.query(f"SELECT ?x ?p ?l WHERE {{ {_only('?x', labelled)}VALUES ?p {{ {labelling} }} ?x ?p ?l "
                             "FILTER(isIRI(?x) && isLiteral(?l)) }", use_default_graph_as_union=True)
    labels = best_label((x.value, p.value, label.value, label.language)  # type: ignore[misc]
                        for x, p, label in candidates)
    shown = {iri: (labels.get(iri), tuple((t, labels.get(t, "")) for t in sorted(types.get(iri, ()))))
             for iri in {x for x, _ in names}}
    return names, shown, labels


def write_links(staging: Path, id_prefix: str, summaries: Iterable[dict[str, Any]]) -> None:
    """How many links each entity has (the sums of the chunks' counts) into the release's search index."""
    totals = chunks.link_totals(summaries)
    add_links(index_path(staging), {iri: n for iri, n in totals.items() if iri.startswith(id_prefix)})


def class_counts(store: ox.Store) -> dict[str, int]:
    return {
        row["class"].value: int(row["n"].value)
        for row in store.query(
            f"SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?class "
            f"FILTER(STRSTARTS(STR(?class), \"{DEFCOOP._NS}\")) }} GROUP BY ?class ORDER BY ?class",
            use_default_graph_as_union=True)
    }


def write_manifest(staging: Path, manifest: dict[str, Any]) -> None:
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def built_at() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
