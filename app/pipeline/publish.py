"""Write a release's downloads and manifest from its (already loaded) store, then switch to it atomically.

Every dump is written by pyoxigraph's own serializers, streamed to disk and gzip-compressed on the way (`.gz` next
to each file, `mtime` 0), with sha256 and size computed as the bytes pass. The same store gives the same bytes:
blank nodes are labelled deterministically when parsed and Oxigraph writes in index order.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from app.events import FILE as EVENTS_FILE
from app.events import involves
from app.events import write_index as write_events
from app.facets import FACETS
from app.facets import index_path as facet_path
from app.facets import write_index as write_facets
from app.nanopubs import nanopublication
from app.search import LABELS, NAME_PROPERTIES, best_label, index_path, write_index
from app.store import Release, texts_dir
from app.vocab import DCT_LICENSE, DEFCOOP, RDF_TYPE

CLAIM_CLASS = DEFCOOP._NS + "Claim"
FLAT = {"defcoop.nt": ox.RdfFormat.N_TRIPLES, "defcoop.ttl": ox.RdfFormat.TURTLE,
        "defcoop.rdf": ox.RdfFormat.RDF_XML, "defcoop.jsonld": ox.RdfFormat.JSON_LD}
WITH_GRAPHS = {"defcoop.nq": ox.RdfFormat.N_QUADS, "defcoop.trig": ox.RdfFormat.TRIG}  # N-Quads first
ONTOLOGY = {"ontology.ttl": ox.RdfFormat.TURTLE, "ontology.rdf": ox.RdfFormat.RDF_XML,
            "ontology.nt": ox.RdfFormat.N_TRIPLES, "ontology.jsonld": ox.RdfFormat.JSON_LD}
GZIP_LEVEL = 6
"""zlib level of the `.gz` dumps: level 9 costs about twice the time for a few per cent."""
DUMP_THREADS = 2
"""Dumps (and the store's load) run at once (pyoxigraph and zlib release the GIL while they work)."""


@dataclass(frozen=True)
class Published:
    release: Release
    manifest: dict[str, Any]
    warnings: list[Any] = field(default_factory=list)
    """Problems that did not stop publishing (app.pipeline.errors.Problem)."""


class _Hashing:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, path: Path) -> None:
        self.file: BinaryIO = open(path, "wb")  # noqa: SIM115 (closed by close())
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.bytes += len(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()


class DumpWriter:
    """Writes one dump and its gzip twin in one pass."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plain = _Hashing(path)
        self.packed = _Hashing(path.with_name(path.name + ".gz"))
        self.gzip = gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=self.packed,  # type: ignore[arg-type]
                                  mtime=0)

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
        return {"bytes": self.plain.bytes, "sha256": self.plain.sha256.hexdigest(),
                "gzip": {"file": self.packed.file.name.rsplit("/", 1)[-1], "bytes": self.packed.bytes,
                         "sha256": self.packed.sha256.hexdigest()}}


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


def write_downloads(store: ox.Store, flat_files: list[Path], flat_graphs: list[str], flat_triples: list[ox.Triple],
                    staging: Path,
                    ontology_iri: str | None, shapes: list[ox.Triple], prefixes: dict[str, str]
                    ) -> tuple[dict[str, dict[str, Any]], int]:
    """Every dump of the release and, from its N-Quads as soon as they are written, the release's on-disk store
    (`staging/store`, what the site serves); returns the dumps' descriptions and the number of distinct triples.

    The merged dumps hold every graph but the ontology: the triples of `flat_files` (N-Triples: the facts files'
    triples and their entailments) and of `flat_graphs` of the store (the ontology folder's other graphs), each
    triple once, in subject order, with `flat_triples` (what the ontology entails about its individuals)."""
    downloads = staging / "downloads"
    downloads.mkdir()
    flat = ox.Store()
    onto = ox.NamedNode(ontology_iri) if ontology_iri else None
    for path in flat_files:
        flat.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    for graph in flat_graphs:
        flat.bulk_load(input=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)),
                       format=ox.RdfFormat.N_TRIPLES)
    flat.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in flat_triples)
    triples = len(flat)
    context = jsonld_context(prefixes)
    Job = tuple[str, ox.RdfFormat, Callable[[Any, ox.RdfFormat], None], str, int]
    jobs: list[Job] = []
    for name, fmt in WITH_GRAPHS.items():
        jobs.append((name, fmt, lambda out, f: store.dump(out, f, prefixes=prefixes),
                     "dataset with provenance graphs", len(store)))
    for name, fmt in FLAT.items():
        jobs.append((name, fmt, lambda out, f: flat.dump(out, f, from_graph=ox.DefaultGraph(), prefixes=prefixes),
                     "dataset", triples))
    if onto is not None:
        onto_triples = [ox.Triple(q.subject, q.predicate, q.object)
                        for q in store.quads_for_pattern(None, None, None, onto)]
        for name, fmt in ONTOLOGY.items():
            jobs.append((name, fmt, lambda out, f, t=onto_triples: ox.serialize(t, out, f, prefixes=prefixes),
                         "ontology", len(onto_triples)))
    jobs.append(("shapes.ttl", ox.RdfFormat.TURTLE,
                 lambda out, f: ox.serialize(shapes, out, f, prefixes=prefixes), "SHACL shapes", len(shapes)))

    def run(job: Job) -> dict[str, Any]:
        name, fmt, write, content, count = job
        return {**write_dump(downloads / name, fmt, write, context), "triples": count, "content": content}

    def load_store() -> None:
        """Every named graph, and a default graph holding every triple of every graph once (the merged dump and
        the ontology), so that queries without GRAPH join over a set, not over each triple once per claim."""
        disk = ox.Store(str(staging / "store"))
        disk.bulk_load(path=str(downloads / "defcoop.nq"), format=ox.RdfFormat.N_QUADS)
        by_name["defcoop.nt"].result()
        disk.bulk_load(path=str(downloads / "defcoop.nt"), format=ox.RdfFormat.N_TRIPLES)
        if "ontology.nt" in by_name:
            by_name["ontology.nt"].result()
            disk.bulk_load(path=str(downloads / "ontology.nt"), format=ox.RdfFormat.N_TRIPLES)
        disk.optimize()
        del disk

    with ThreadPoolExecutor(DUMP_THREADS) as pool, ThreadPoolExecutor(1) as loader:
        futures = [pool.submit(run, job) for job in jobs]
        by_name = {job[0]: future for job, future in zip(jobs, futures, strict=True)}
        futures[0].result()  # defcoop.nq is written: the store loads from it while the other dumps are written
        loaded = loader.submit(load_store)
        files = {name: future.result() for name, future in by_name.items()}
        loaded.result()
    return files, triples


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


def write_nanopubs(store: ox.Store, staging: Path, base_iri: str, ontology_iri: str | None) -> dict[str, Any]:
    """`downloads/nanopubs.trig` (and its `.gz`): each claim's nanopublication, claims in IRI order, the same
    quads and trusty URI as `/np/{claim}` serves. Each claim's TriG block is written on its own (TriG allows
    blocks to follow each other), so only one claim is in memory at a time."""
    claim_type, license_term = ox.NamedNode(CLAIM_CLASS), None
    if ontology_iri:
        onto = ox.NamedNode(ontology_iri)
        license_term = next((q.object for q in store.quads_for_pattern(onto, ox.NamedNode(DCT_LICENSE), None, onto)),
                            None)
    provenance = f"{base_iri}graph/provenance/"
    claims = sorted({q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), claim_type)
                     if isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode)
                     and q.graph_name.value.startswith(provenance)})
    quads = 0

    def write(out: Any, fmt: ox.RdfFormat) -> None:
        nonlocal quads
        for claim in claims:
            node = ox.NamedNode(claim)
            assertion = sorted({ox.Triple(q.subject, q.predicate, q.object)
                                for q in store.quads_for_pattern(None, None, None, node)}, key=str)
            if not assertion:
                continue  # described but without facts: no nanopublication (as /np/ answers 404)
            description = sorted({ox.Triple(q.subject, q.predicate, q.object)
                                  for q in store.quads_for_pattern(node, None, None)
                                  if isinstance(q.graph_name, ox.NamedNode)
                                  and q.graph_name.value.startswith(provenance)}, key=str)
            _, nanopub = nanopublication(base_iri, claim, assertion, description,
                                         license_term.value if license_term is not None else None)
            quads += len(nanopub)
            ox.serialize(nanopub, out, fmt)

    entry = write_dump(staging / "downloads" / NANOPUBS, ox.RdfFormat.TRIG, write)
    return {**entry, "triples": quads, "content": "nanopublications"}


def write_facet_index(store: ox.Store, staging: Path, id_prefix: str) -> int:
    """The release's facet index (app/facets.py): the DefCoop classes of every entity, and each facet's values."""
    prologue = f"PREFIX defcoop: <{DEFCOOP._NS}>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    ours = f'isIRI(?x) && STRSTARTS(STR(?x), "{id_prefix}")'
    members = store.query(prologue + f'SELECT DISTINCT ?c ?x WHERE {{ ?x a ?c FILTER({ours} && '
                          f'STRSTARTS(STR(?c), "{DEFCOOP._NS}")) }}', use_default_graph_as_union=True)

    def rows() -> Iterator[tuple[str, str, str]]:
        for kind in FACETS:
            found = store.query(prologue + f"SELECT DISTINCT ?x ?f WHERE {{ {kind.pattern} FILTER({ours}) }}",
                                use_default_graph_as_union=True)
            yield from ((r["x"].value, kind.key, r["f"].value) for r in found)  # type: ignore[index]

    return write_facets(facet_path(staging), ((r["c"].value, r["x"].value) for r in members), rows())  # type: ignore[index]


def write_event_index(store: ox.Store, staging: Path) -> int:
    """The release's event index (app/events.py): every event's start days, the entities each involves (events
    without a day too: a profile lists what was discussed at them) and what each discussed; returns the number of
    dated events."""
    prologue = f"PREFIX defcoop: <{DEFCOOP._NS}>\n"

    def rows(sparql: str, first: str, second: str) -> Iterator[tuple[str, str]]:
        found = store.query(prologue + sparql, use_default_graph_as_union=True)
        return ((r[first].value, r[second].value) for r in found)  # type: ignore[index]

    return write_events(
        staging / EVENTS_FILE,
        rows("SELECT DISTINCT ?e ?d WHERE { ?e defcoop:startDate ?d FILTER(isIRI(?e)) }", "e", "d"),
        rows(f"SELECT DISTINCT ?x ?e WHERE {{ {involves('?x')} FILTER(isIRI(?e) && isIRI(?x)) }}", "x", "e"),
        rows("SELECT DISTINCT ?x ?e WHERE { ?e defcoop:discussed ?x FILTER(isIRI(?e) && isIRI(?x)) }", "x", "e"))


def write_name_index(store: ox.Store, staging: Path, id_prefix: str, inferred_graph: str) -> int:
    """The release's search index (app/search.py) of every entity's names, with what a hit shows: the entity's label
    and its asserted classes (any graph but `inferred_graph`) with theirs."""
    properties = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
    named = f"FILTER(isIRI(?x) && STRSTARTS(STR(?x), \"{id_prefix}\"))"
    rows = store.query(f"SELECT DISTINCT ?x ?name WHERE {{ VALUES ?p {{ {properties} }} ?x ?p ?name {named} "
                       "FILTER(isLiteral(?name)) }", use_default_graph_as_union=True)
    names = [(r["x"].value, r["name"].value) for r in rows]  # type: ignore[index]
    types: dict[str, set[str]] = {}
    for r in store.query(f"SELECT DISTINCT ?x ?t WHERE {{ GRAPH ?g {{ ?x a ?t }} {named} "
                         f"FILTER(isIRI(?t) && ?g != <{inferred_graph}>) }}"):
        types.setdefault(r["x"].value, set()).add(r["t"].value)  # type: ignore[index]
    labelling = " ".join(f"<{p}>" for p in LABELS)
    candidates = store.query(f"SELECT DISTINCT ?x ?p ?l WHERE {{ VALUES ?p {{ {labelling} }} ?x ?p ?l "
                             "FILTER(isIRI(?x) && isLiteral(?l)) }", use_default_graph_as_union=True)
    labels = best_label((r["x"].value, r["p"].value, r["l"].value, r["l"].language)  # type: ignore[index]
                        for r in candidates)
    shown = {iri: (labels.get(iri), tuple((t, labels.get(t, "")) for t in sorted(types.get(iri, ()))))
             for iri in {x for x, _ in names}}
    return write_index(index_path(staging), names, shown, labels)


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
