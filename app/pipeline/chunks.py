"""A release's dumps, made of one chunk per facts file, so that a build after one file changed writes one chunk and
copies the others.

Each facts file (a unit) owns a *chunk*: the quads it states that no earlier file states, the entailments it adds to
the inferred graph (none that any graph asserts, the ontology entails or an earlier file entails) and the triples it
adds to the merged graph (none of an earlier file's or the head's). The *head* chunk holds the ontology folder's
graphs and what the ontology entails about its own individuals. Chunks are disjoint, so a dump is the chunks one
after another, in file order, between a header and a footer (Turtle's prefixes, RDF/XML's root element, JSON-LD's
array), each chunk sorted within itself. Which of a unit's lines other files hold is decided by 128-bit hashes of
their N-Quads/N-Triples lines (kept per unit in the cache): a chunk is a function of its unit and of those hashes,
so its key is their digest and it is cached in `{build_dir}/cache/chunks`.

Each chunk keeps every dump's body as it is and as a raw deflate segment ending in a full flush (which resets the
compressor, as pigz does it): a dump's `.gz` twin is one gzip member made of the segments one after another, a final
empty block, and the CRC-32 and length of the plain bytes, which are read anyway to hash the plain dump.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from app.facets import DATE_TYPES
from app.history import graph_sums
from app.pipeline.cache import write_atomic
from app.pipeline.load import load_rdf
from app.vocab import RDF_TYPE

FOLDER = "chunks"
FLAT = {"defcoop.nt": ox.RdfFormat.N_TRIPLES, "defcoop.ttl": ox.RdfFormat.TURTLE,
        "defcoop.rdf": ox.RdfFormat.RDF_XML, "defcoop.jsonld": ox.RdfFormat.JSON_LD}
WITH_GRAPHS = {"defcoop.nq": ox.RdfFormat.N_QUADS, "defcoop.trig": ox.RdfFormat.TRIG}
DUMPS = {**WITH_GRAPHS, **FLAT}
GZIP_LEVEL = 6
"""zlib level of the `.gz` dumps: level 9 costs about twice the time for a few per cent."""
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""A gzip member's header: deflate, no name, modification time 0, unknown system (RFC 1952)."""
FINAL_BLOCK = b"\x03\x00"
"""An empty final deflate block (fixed Huffman codes, end of block): what ends the segments."""


def line_key(line: bytes) -> bytes:
    """A line's identity: 128 bits of BLAKE2b (a collision among 10^8 lines has odds below 10^-22)."""
    return hashlib.blake2b(line, digest_size=16).digest()


def lines(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\n") if line.strip()]


def keys(data: bytes) -> set[bytes]:
    return {line_key(line) for line in lines(data)}


# --- what each unit holds, for the plan --------------------------------------------------------------------------

def write_line_keys(path: Path, quads: bytes, triples: bytes, inferred: bytes) -> None:
    """The unit's line keys: of its quads, its triples and its entailments (three sorted sections)."""
    sections = [sorted(keys(text)) for text in (quads, triples, inferred)]
    with open(path, "wb") as out:
        out.write(struct.pack("<3Q", *(len(s) for s in sections)))
        for section in sections:
            out.write(b"".join(section))


def read_line_keys(path: Path) -> tuple[set[bytes], set[bytes], set[bytes]]:
    data = path.read_bytes()
    counts = struct.unpack_from("<3Q", data)
    found, at = [], 24
    for n in counts:
        found.append({data[i:i + 16] for i in range(at, at + 16 * n, 16)})
        at += 16 * n
    return found[0], found[1], found[2]


# --- the plan ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Head:
    """The head chunk's content: the ontology folder's graphs, the merged graph's triples from its other graphs and
    what the ontology entails about its individuals, and those entailments for the inferred graph."""

    quads: bytes
    flat: bytes
    entailed: bytes
    asserted: bytes
    """The triples of the ontology folder's graphs (no entailment that they assert is inferred)."""


@dataclass(frozen=True)
class Chunk:
    name: str
    """The unit's file name ("" for the head)."""
    key: str
    files: tuple[Path, Path, Path] | None
    """The unit's quads, triples and entailments (None for the head)."""
    drop_quads: frozenset[bytes] = frozenset()
    drop_inferred: frozenset[bytes] = frozenset()
    drop_flat: frozenset[bytes] = frozenset()


def _digest(*parts: bytes | str | Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, str):
            part = part.encode()
        if isinstance(part, bytes):
            h.update(part + b"\0")
        else:
            h.update(b"".join(sorted(part)) + b"\1")
    return h.hexdigest()


def plan(head: Head, units: Sequence[Any], salt: str) -> tuple[Chunk, list[Chunk]]:
    """The head and each unit's chunk, with what each leaves to another (units: objects with `path`, `key`,
    `quads_file`, `triples_file`, `inferred_file`, `lines_file`), in file order; `salt` holds what every chunk's
    bytes depend on besides (code, prefixes, context)."""
    held = [read_line_keys(u.lines_file) for u in units]
    asserted = keys(head.asserted).union(*(t for _, t, _ in held))
    entailed = keys(head.entailed)
    seen_quads, seen_flat, seen_inferred = keys(head.quads), keys(head.flat), asserted | entailed
    head_chunk = Chunk("", _digest(salt, head.quads, head.flat, head.entailed, entailed & asserted), None,
                       drop_inferred=frozenset(entailed & asserted))
    chunks = []
    for unit, (quads, triples, inferred) in zip(units, held, strict=True):
        drop_quads, drop_inferred = quads & seen_quads, inferred & seen_inferred
        flat = triples | inferred
        drop_flat = flat & seen_flat
        seen_quads |= quads
        seen_inferred |= inferred
        seen_flat |= flat
        chunks.append(Chunk(unit.path.name, _digest(salt, unit.key, drop_quads, drop_inferred, drop_flat),
                            (unit.quads_file, unit.triples_file, unit.inferred_file),
                            frozenset(drop_quads), frozenset(drop_inferred), frozenset(drop_flat)))
    return head_chunk, chunks


# --- writing chunks ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """What a dump has around its chunks' bodies, and between two of them."""

    header: bytes = b""
    footer: bytes = b""
    joiner: bytes = b""


def frames(prefixes: dict[str, str], context: dict[str, Any]) -> dict[str, Frame]:
    """Each dump's frame, as Oxigraph writes it with these prefixes (Turtle and TriG name every prefix first;
    RDF/XML opens `rdf:RDF` with every namespace)."""
    one = [ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"), ox.NamedNode("urn:x:g"))]
    declared = b"".join(line + b"\n" for line in ox.serialize(one, format=ox.RdfFormat.TRIG, prefixes=prefixes)
                        .split(b"\n") if line.startswith(b"@prefix "))
    root = ox.serialize([], format=ox.RdfFormat.RDF_XML, prefixes=prefixes)
    closing = b"</rdf:RDF>"
    return {
        "defcoop.nq": Frame(), "defcoop.nt": Frame(),
        "defcoop.trig": Frame(declared), "defcoop.ttl": Frame(declared),
        "defcoop.rdf": Frame(root[:-len(closing)], closing),
        "defcoop.jsonld": Frame(b'{"@context": ' + json.dumps(context, sort_keys=True).encode() + b', "@graph": [',
                                b"]}\n", b","),
    }


def _body(name: str, written: bytes) -> bytes:
    """A chunk's serialization without what its dump's frame holds."""
    if not written:
        return b""
    if name in ("defcoop.trig", "defcoop.ttl"):
        at = 0
        while written.startswith(b"@prefix ", at):
            at = written.index(b"\n", at) + 1
        return written[at:]
    if name == "defcoop.rdf":
        start, end = written.index(b">\n", written.index(b"<rdf:RDF")) + 2, written.rindex(b"</rdf:RDF>")
        return written[start:end]
    if name == "defcoop.jsonld":
        return written.strip()[1:-1]
    return written


def deflated(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """`data` as a raw deflate segment that any other segment may follow."""
    if not data:
        return b""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def chunk_file(cache: Path, key: str, name: str) -> Path:
    return cache / FOLDER / f"{key}.{name}"


def summary_file(cache: Path, key: str) -> Path:
    return cache / FOLDER / f"{key}.json"


def write_bodies(cache: Path, key: str, bodies: dict[str, bytes], summary: dict[str, Any]) -> dict[str, Any]:
    """A chunk's bodies (plain and deflated) and its summary, which is written last: a chunk exists when it has one."""
    for name, body in bodies.items():
        chunk_file(cache, key, name).write_bytes(body)
        chunk_file(cache, key, name + ".z").write_bytes(deflated(body))
    write_atomic(summary_file(cache, key), json.dumps(summary))
    return summary


def write_chunk(cache: Path, key: str, quads: bytes, inferred: bytes, flat: bytes, inferred_graph: str,
                prefixes: dict[str, str]) -> dict[str, Any]:
    """One chunk from its lines (N-Quads; N-Triples of the inferred graph; N-Triples of the merged graph)."""
    named, merged = ox.Store(), ox.Store()
    load_rdf(named, ox.RdfFormat.N_QUADS, data=quads)
    load_rdf(named, ox.RdfFormat.N_TRIPLES, data=inferred, graph=ox.NamedNode(inferred_graph))
    load_rdf(merged, ox.RdfFormat.N_TRIPLES, data=flat)
    bodies = {name: _body(name, named.dump(format=fmt, prefixes=prefixes))
              for name, fmt in WITH_GRAPHS.items()}
    bodies |= {name: _body(name, merged.dump(format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes))
               for name, fmt in FLAT.items()}
    summary = {"quads": len(named), "inferred": len(lines(inferred)), "triples": len(merged),
               "graphs": graph_sums(lines(bodies["defcoop.nq"])), "links": link_counts(merged)}
    return write_bodies(cache, key, bodies, summary)


RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)


def link_counts(triples: Iterable[ox.Quad | ox.Triple]) -> dict[str, int]:
    """IRI → its links in `triples`, either way, types aside: every triple it is the object of, and every triple it
    is the subject of with an IRI object and another property than rdf:type (the degree the relation graph ranks
    neighbours by, app/web/queries/graph.py). Chunks hold each triple of the merged graph once, so a release's
    counts are the sums of its chunks' (`link_totals`)."""
    counts: dict[str, int] = {}
    for triple in triples:
        target = triple.object
        if not isinstance(target, ox.NamedNode):
            continue
        counts[target.value] = counts.get(target.value, 0) + 1
        if isinstance(triple.subject, ox.NamedNode) and triple.predicate != RDF_TYPE_NODE:
            counts[triple.subject.value] = counts.get(triple.subject.value, 0) + 1
    return dict(sorted(counts.items()))


def dated_properties(triples: Iterable[ox.Quad | ox.Triple]) -> list[str]:
    """The properties with a date among their values in `triples` (the datatypes a year facet reads, app/facets.py):
    over the units, every one the release has, so the year facet reads only their triples."""
    return sorted({t.predicate.value for t in triples
                   if isinstance(t.object, ox.Literal) and t.object.datatype.value in DATE_TYPES})


def link_totals(summaries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """IRI → its links in the merged graph: the sum of the chunks' `link_counts`."""
    totals: dict[str, int] = {}
    for summary in summaries:
        for iri, n in summary["links"].items():
            totals[iri] = totals.get(iri, 0) + n
    return totals


def _kept(data: bytes, dropped: frozenset[bytes]) -> list[bytes]:
    return [line for line in lines(data) if not dropped or line_key(line) not in dropped]


def write_unit_chunk(cache: Path, chunk: Chunk, inferred_graph: str, prefixes: dict[str, str]) -> dict[str, Any]:
    """A unit's chunk, from its files in the cache, less what other chunks hold."""
    assert chunk.files is not None
    quads_file, triples_file, inferred_file = (p.read_bytes() for p in chunk.files)
    inferred = _kept(inferred_file, chunk.drop_inferred)
    flat = [line for line in dict.fromkeys(lines(triples_file) + lines(inferred_file))
            if not chunk.drop_flat or line_key(line) not in chunk.drop_flat]

    def text(found: list[bytes]) -> bytes:
        return b"".join(line + b"\n" for line in found)

    return write_chunk(cache, chunk.key, text(_kept(quads_file, chunk.drop_quads)), text(inferred), text(flat),
                       inferred_graph, prefixes)


Done = Callable[[int, int], None]
"""Told, as jobs finish, how many of how many are done (the build's progress)."""


def each(pool: Any, fn: Callable[..., Any], jobs: list[tuple[Any, ...]], done: Done | None = None) -> list[Any]:
    """`fn(*job)` for each job, in order: by `pool`'s workers (app/pipeline/workers.py `forked`), or in this process
    when there are fewer jobs than workers (a source or so changed; the workers are writing the release's indexes
    meanwhile). `done(n, len(jobs))` is called as the n-th result comes in."""
    results: list[Any] = []
    if done is not None and jobs:
        done(0, len(jobs))
    if len(jobs) < pool.processes:
        pending = [None] * len(jobs)
    else:
        pending = [pool.apply_async(fn, job) for job in jobs]
    for job, started in zip(jobs, pending, strict=True):
        results.append(fn(*job) if started is None else started.get())
        if done is not None:
            done(len(results), len(jobs))
    return results


def write_chunks(cache: Path, head: Head, head_chunk: Chunk, chunks: list[Chunk], inferred_graph: str,
                 prefixes: dict[str, str], pool: Any,
                 done: Done | None = None) -> tuple[dict[str, dict[str, Any]], int]:
    """Every chunk not in the cache written (`each`: by `pool`, or here when only a few are missing; `done` told as
    they are); returns each chunk's summary by key, and how many were written."""
    (cache / FOLDER).mkdir(parents=True, exist_ok=True)
    found = {c.key: json.loads(summary_file(cache, c.key).read_text(encoding="utf-8"))
             for c in [head_chunk, *chunks] if summary_file(cache, c.key).exists()}
    written = 0
    if head_chunk.key not in found:
        written = 1
        entailed = b"".join(line + b"\n" for line in _kept(head.entailed, head_chunk.drop_inferred))
        found[head_chunk.key] = write_chunk(cache, head_chunk.key, head.quads, entailed, head.flat, inferred_graph,
                                            prefixes)
    missing = list({c.key: c for c in chunks if c.key not in found}.values())
    summaries = each(pool, write_unit_chunk, [(cache, c, inferred_graph, prefixes) for c in missing], done)
    found |= {c.key: summary for c, summary in zip(missing, summaries, strict=True)}
    return found, written + len(missing)


# --- assembling dumps --------------------------------------------------------------------------------------------

class Hashing:
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

    def describe(self) -> dict[str, Any]:
        return {"bytes": self.bytes, "sha256": self.sha256.hexdigest()}


BLOCK = 1 << 20


def assemble(path: Path, frame: Frame, parts: Iterable[tuple[Path, Path]]) -> dict[str, Any]:
    """The dump at `path` and its `.gz` twin from the frame and the chunks' (plain, deflated) bodies."""
    plain, packed = Hashing(path), Hashing(path.with_name(path.name + ".gz"))
    crc = 0
    try:
        packed.write(GZIP_HEADER)

        def literal(data: bytes) -> None:
            nonlocal crc
            plain.write(data)
            packed.write(deflated(data))
            crc = zlib.crc32(data, crc)

        literal(frame.header)
        first = True
        for body, segment in parts:
            if body.stat().st_size == 0:
                continue
            if not first:
                literal(frame.joiner)
            first = False
            with open(body, "rb") as source:
                while block := source.read(BLOCK):
                    plain.write(block)
                    crc = zlib.crc32(block, crc)
            packed.write(segment.read_bytes())
        literal(frame.footer)
        packed.write(FINAL_BLOCK + struct.pack("<II", crc, plain.bytes & 0xFFFFFFFF))
    finally:
        plain.close()
        packed.close()
    return {"file": path.name, **plain.describe(),
            "gzip": {"file": packed.file.name.rsplit("/", 1)[-1], **packed.describe()}}


def parts(cache: Path, keys_in_order: Sequence[str], name: str) -> list[tuple[Path, Path]]:
    return [(chunk_file(cache, key, name), chunk_file(cache, key, name + ".z")) for key in keys_in_order]


def chunk_files(cache: Path, key: str) -> list[Path]:
    """Every file of a chunk in the cache (what a build that uses it keeps)."""
    return [summary_file(cache, key), *(chunk_file(cache, key, n + z) for n in DUMPS for z in ("", ".z"))]


# --- the release's store from the previous one ---------------------------------------------------------------

@dataclass(frozen=True)
class Delta:
    """What turns the previous release's store into this one's: lines of N-Quads (named graphs) and of N-Triples
    (the merged default graph) to take out, then to put in."""

    remove_quads: list[bytes]
    add_quads: list[bytes]
    remove_triples: list[bytes]
    add_triples: list[bytes]

    @property
    def size(self) -> int:
        return sum(len(x) for x in (self.remove_quads, self.add_quads, self.remove_triples, self.add_triples))


def delta(cache: Path, pairs: Iterable[tuple[str | None, str | None]]) -> Delta | None:
    """The lines that differ between each file's previous chunk and its chunk now (None where a file is new or
    gone); None when a previous chunk is no longer in the cache. A triple that moves from one file's chunk to
    another's is taken out and put back: removals come first."""
    found = Delta([], [], [], [])
    for old, new in pairs:
        for name, out, into in (("defcoop.nq", found.remove_quads, found.add_quads),
                                ("defcoop.nt", found.remove_triples, found.add_triples)):
            if old is not None and not chunk_file(cache, old, name).exists():
                return None
            before = set(lines(chunk_file(cache, old, name).read_bytes())) if old else set()
            after = set(lines(chunk_file(cache, new, name).read_bytes())) if new else set()
            out += sorted(before - after)
            into += sorted(after - before)
    return found


def update_store(previous: Path, target: Path, change: Delta, kept: set[ox.Triple]) -> None:
    """The store at `target` as the previous release's store (hard-linked where it can be) with `change` made; a
    merged triple in `kept` (the ontology's, which the merged default graph also holds) stays."""
    ox.Store.read_only(str(previous)).backup(str(target))
    store = ox.Store(str(target))

    def parsed(found: list[bytes], fmt: ox.RdfFormat) -> Iterator[ox.Quad]:
        return ox.parse(b"\n".join(found) + b"\n", format=fmt) if found else iter(())

    for quad in parsed(change.remove_quads, ox.RdfFormat.N_QUADS):
        store.remove(quad)
    for quad in parsed(change.remove_triples, ox.RdfFormat.N_TRIPLES):
        if ox.Triple(quad.subject, quad.predicate, quad.object) not in kept:
            store.remove(quad)
    store.bulk_extend(parsed(change.add_quads, ox.RdfFormat.N_QUADS))
    store.bulk_extend(parsed(change.add_triples, ox.RdfFormat.N_TRIPLES))
    store.flush()
    del store


def size(summary: dict[str, Any]) -> int:
    """What a chunk puts in the store: its quads and its merged triples."""
    return int(summary["quads"]) + int(summary["triples"])
