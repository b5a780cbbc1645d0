"""One facts file (a *unit*): parsed by Oxigraph, checked on its own, its entailments computed; cached.

Each unit is analysed in a worker process. The result is cached by the file's content, the ontology, the base IRI
and the pipeline's code, so a rebuild re-reads only the files that changed. What needs other files (quotes of a
source described elsewhere, claims described in one file with facts in another) goes back to the build as data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from app.history import line_hashes
from app.pipeline.chunks import dated_properties, write_line_keys
from app.pipeline.errors import BuildFailed, Problem
from app.pipeline.load import line_of
from app.pipeline.reason import entailed
from app.pipeline.terms import CLAIM, PROV, TYPE, Vocabulary
from app.vocab import DEFCOOP, RDFS_LABEL, SAME_AS

SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
TEXT_FILE = "https://w3id.org/defcoop/ontology#textFile"
TEXT_SHA256 = str(DEFCOOP.textSha256)
QUOTE = "https://w3id.org/defcoop/ontology#quote"
DERIVED_FROM = PROV + "wasDerivedFrom"
FORMATS = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
           ".nt": ox.RdfFormat.N_TRIPLES}


@dataclass(frozen=True)
class Unit:
    """What the build keeps of one analysed facts file (the quads themselves stay on disk, in the cache)."""

    path: Path
    key: str
    quads_file: Path
    inferred_file: Path

    @property
    def triples_file(self) -> Path:
        """The unit's distinct triples (graphs dropped), for the merged dumps."""
        return self.quads_file.with_suffix(".nt")

    @property
    def hashes_file(self) -> Path:
        """The 64-bit hashes of the unit's triples and their entailments (app/history.py)."""
        return self.quads_file.with_suffix(".hashes")

    @property
    def lines_file(self) -> Path:
        """The 128-bit keys of the unit's N-Quads, N-Triples and entailment lines (app/pipeline/chunks.py)."""
        return self.quads_file.with_suffix(".lines")

    @property
    def names_file(self) -> Path:
        """The unit's entities with their asserted DefCoop classes, labels and identifiers elsewhere (JSON), for
        finding entities that look like duplicates across files."""
        return self.quads_file.with_suffix(".names.json")

    nodes_file: Path
    quads: int
    inferred: int
    graphs: tuple[str, ...]
    claims: tuple[str, ...]
    sources: dict[str, str]
    """source IRI → its text file (relative to the data folder), for sources this file describes."""
    pending_quotes: tuple[tuple[str, str, str], ...]
    """(claim, source, quote) whose source another file describes: checked once every unit is known."""
    problems: tuple[Problem, ...]
    texts: dict[str, str]
    """text files read (relative path → sha256): the cached result holds while they are unchanged."""
    dated: tuple[str, ...] = ()
    """The properties with a date among their values in the unit's triples and entailments: over the units, every
    one the release has, which the year facet reads (app/pipeline/publish.py `facet_rows`)."""


def unit_key(path: Path, vocab: Vocabulary, base_iri: str, code: str) -> str:
    h = hashlib.sha256()
    for part in (path.name.encode(), path.read_bytes(), vocab.digest.encode(), base_iri.encode(), code.encode()):
        h.update(part + b"\0")
    return h.hexdigest()


def analyse(path: Path, vocab: Vocabulary, base_iri: str, data_dir: Path, cache_dir: Path, code: str) -> Unit:
    """The unit of `path`, from the cache when nothing it depends on changed."""
    key = unit_key(path, vocab, base_iri, code)
    summary = cache_dir / f"{key}.json"
    if summary.exists():
        unit = _load(summary, path)
        if all(_text_digest(data_dir / name) == sha for name, sha in unit.texts.items()):
            return unit
    unit = _analyse(path, key, vocab, base_iri, data_dir, cache_dir)
    tmp = summary.with_name(f"{summary.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(_dump(unit)), encoding="utf-8")
    tmp.replace(summary)
    return unit


def parse_quads(path: Path, label: str) -> list[ox.Quad]:
    """The file's quads in file order, blank nodes relabelled `{label}b{n}` by first appearance so that the
    same input always gives the same output (Oxigraph picks random labels) and files never share a blank node.
    Raise BuildFailed naming line and column on a syntax error."""
    fmt = FORMATS.get(path.suffix)
    if fmt is None:
        raise BuildFailed([Problem("syntax", f"unknown file type {path.suffix!r}", file=path,
                                   fix="facts files are TriG (.trig) with one named graph per claim")])
    names: dict[str, ox.BlankNode] = {}

    def fixed(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.BlankNode(f"{label}b{len(names)}")
            return names[term.value]
        return term

    try:
        quads = []
        for q in ox.parse(path=str(path), format=fmt):
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) \
                    or isinstance(q.graph_name, ox.BlankNode):
                q = ox.Quad(fixed(q.subject), q.predicate, fixed(q.object), fixed(q.graph_name))
            quads.append(q)
        return quads
    except SyntaxError as e:
        raise BuildFailed([Problem(
            "syntax", str(e.msg if hasattr(e, "msg") else e), file=path, line=e.lineno, column=e.offset,
            fix="correct the RDF syntax at this position (a missing '.', ';', '}' or quote is common)")]) from None


def _analyse(path: Path, key: str, vocab: Vocabulary, base_iri: str, data_dir: Path, cache_dir: Path) -> Unit:
    problems: list[Problem] = []
    try:
        quads = parse_quads(path, "u" + key[:12])
    except BuildFailed as e:
        quads, problems = [], list(e.problems)
    located = Locator(path)
    graphs: set[str] = set()
    claims: set[str] = set()
    subjects: set[str] = set()
    objects: set[str] = set()
    sources: dict[str, str] = {}
    recorded: dict[str, str] = {}
    quotes: list[tuple[str, str]] = []
    derived: dict[str, list[str]] = {}
    seen_terms: set[tuple[str, str]] = set()
    outside: str | None = None
    for q in quads:
        s, p, o = q.subject.value, q.predicate.value, q.object
        if isinstance(q.subject, ox.NamedNode):
            subjects.add(s)
        if isinstance(o, ox.NamedNode):
            objects.add(o.value)
        if isinstance(q.graph_name, ox.DefaultGraph):
            outside = outside or s
        else:
            graphs.add(q.graph_name.value)
        if p == TYPE and o.value == CLAIM:
            claims.add(s)
        elif p == TEXT_FILE:
            sources[s] = o.value
        elif p == TEXT_SHA256:
            recorded[s] = o.value
        elif p == QUOTE:
            quotes.append((s, o.value))
        elif p == DERIVED_FROM:
            derived.setdefault(s, []).append(o.value)
        terms = [("predicate", p)] + ([("class", o.value)] if p == TYPE and isinstance(o, ox.NamedNode) else [])
        for role, term in terms:
            if term not in vocab.declared and (role, term) not in seen_terms:
                seen_terms.add((role, term))
                problems.append(_undeclared(role, term, s, vocab, located))
    if outside is not None:
        problems.append(Problem(
            "provenance", "triples outside any named graph: every fact must belong to a claim",
            file=path, line=located(outside), subject=outside,
            fix="wrap the triples in `claim:<id> { … }` and describe claim:<id> in the provenance graph"))
    problems += _iri_problems(subjects, base_iri, located)

    texts: dict[str, str] = {}
    pending: list[tuple[str, str, str]] = []
    read: dict[str, str] = {}

    def text_of(name: str) -> str:
        if name not in read:
            read[name] = (data_dir / name).read_text(encoding="utf-8")
        return read[name]

    for source, text_file in sorted(sources.items()):
        problem = text_problem(data_dir, source, text_file, path, None)
        texts[text_file] = _text_digest(data_dir / text_file)  # "" while missing: adding it makes the cache stale
        if problem:
            problems.append(dataclasses.replace(problem, line=located(source)))
        elif source in recorded and recorded[source] != texts[text_file]:
            problems.append(Problem(
                "quote", f"the text of <{source}> changed since it was recorded: {text_file} has sha256 "
                f"{texts[text_file]}, the source records {recorded[source]}", file=path, line=located(source),
                subject=source, fix="restore the text exactly as received; if the source itself was revised, record "
                "it as a new source with `defcoop new-source`"))
    for claim, quote in quotes:
        for source in derived.get(claim, []):
            if source in sources:
                if texts.get(sources[source]):
                    problem = quote_problem(claim, quote, source, text_of(sources[source]), path, None)
                    if problem:
                        problems.append(dataclasses.replace(problem, line=located(claim)))
            else:
                pending.append((claim, source, quote))

    quads = list(dict.fromkeys(quads))  # a quad stated twice is one quad
    quads_file = cache_dir / f"{key}.nq"
    ox.serialize(quads, str(quads_file), format=ox.RdfFormat.N_QUADS)
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    ox.serialize(triples, str(cache_dir / f"{key}.nt"), format=ox.RdfFormat.N_TRIPLES)
    inferred = entailed(triples, vocab)
    inferred_file = cache_dir / f"{key}.inferred.nt"
    ox.serialize(inferred, str(inferred_file), format=ox.RdfFormat.N_TRIPLES)
    triples_text, inferred_text = (cache_dir / f"{key}.nt").read_bytes(), inferred_file.read_bytes()
    with open(cache_dir / f"{key}.hashes", "wb") as out:  # for the release's history (app/history.py)
        line_hashes(triples_text + inferred_text).tofile(out)
    write_line_keys(cache_dir / f"{key}.lines", quads_file.read_bytes(), triples_text, inferred_text)
    _write_names(quads, base_iri, cache_dir / f"{key}.names.json")
    nodes_file = cache_dir / f"{key}.nodes.json"
    nodes_file.write_text(json.dumps({"subjects": sorted(subjects), "objects": sorted(objects - subjects)}),
                          encoding="utf-8")
    return Unit(path, key, quads_file, inferred_file, nodes_file, len(quads), len(inferred),
                tuple(sorted(graphs)), tuple(sorted(claims)), sources, tuple(pending), tuple(problems), texts,
                tuple(dated_properties([*triples, *inferred])))


class Locator:
    """Line of the first mention of an IRI in a file, for error reports (read only when a problem needs it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, iri: str) -> int | None:
        return line_of(self.path, iri)


def _undeclared(role: str, term: str, subject: str, vocab: Vocabulary, located: Locator) -> Problem:
    import difflib

    guess = difflib.get_close_matches(term, sorted(vocab.declared), n=1, cutoff=0.8)
    return Problem(
        "vocabulary", f"undeclared {role} <{term}>", file=located.path, line=located(subject), subject=subject,
        fix=(f"did you mean <{guess[0]}>? " if guess else "")
            + "use a term declared in ontology/, or declare it there with a label and definition")


def _iri_problems(subjects: Iterable[str], base_iri: str, located: Locator) -> list[Problem]:
    """Subjects under the base IRI have the form {base}id/{type}/{slug} (or name a DefCoop graph)."""
    problems = []
    for iri in sorted(subjects):
        if not iri.startswith(base_iri) or iri.startswith(base_iri + "graph/"):
            continue
        parts = iri[len(base_iri):].split("/")
        if len(parts) != 3 or parts[0] != "id" or not all(x and x[0] != "-" and set(x) <= SLUG_CHARS
                                                          for x in parts[1:]):
            problems.append(Problem(
                "iri", f"entity IRI <{iri}> is not of the form {base_iri}id/{{type}}/{{slug}}",
                file=located.path, line=located(iri), subject=iri,
                fix="use lower-case words joined by hyphens for type and slug, e.g. id/firm/example-aerospace"))
    return problems


def text_problem(data_dir: Path, source: str, text_file: str, file: Path | None, line: int | None) -> Problem | None:
    path = data_dir / text_file
    if path.is_file():
        return None
    return Problem(
        "quote", f"source text file {path} does not exist", file=file, line=line, subject=source,
        fix="put the source's text in data/sources/ and give its path relative to data/ in defcoop:textFile")


def quote_problem(claim: str, quote: str, source: str, text: str, file: Path | None,
                  line: int | None) -> Problem | None:
    """A problem when `quote` is not verbatim in `text`, with the closest sentence as a hint."""
    if quote in text:
        return None
    import difflib
    import re

    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    best = difflib.get_close_matches(quote, sentences, n=1, cutoff=0.5)
    return Problem(
        "quote", f"quote not found verbatim in the text of <{source}>: {_short(quote)!r}",
        file=file, line=line, subject=claim,
        fix="copy the span exactly from the source text (spaces, dashes and curly quotes matter)"
            + (f"; closest sentence: {_short(best[0])!r}" if best else ""))


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _write_names(quads: list[ox.Quad], base_iri: str, path: Path) -> None:
    entities = base_iri + "id/"
    names: dict[str, set[tuple[str, str]]] = {"types": set(), "labels": set(), "matches": set()}
    for q in quads:
        s, p, o = q.subject.value, q.predicate.value, q.object
        if not s.startswith(entities) or not isinstance(q.subject, ox.NamedNode):
            continue
        if p == TYPE and o.value.startswith(DEFCOOP._NS):
            names["types"].add((s, o.value))
        elif p == RDFS_LABEL and isinstance(o, ox.Literal):
            names["labels"].add((s, o.value.lower()))
        elif p in SAME_AS and isinstance(o, ox.NamedNode):
            names["matches"].add((s, o.value))
    path.write_text(json.dumps({k: sorted(v) for k, v in names.items()}), encoding="utf-8")


def _text_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _dump(unit: Unit) -> dict[str, Any]:
    data = dataclasses.asdict(unit)
    for name in ("path", "quads_file", "inferred_file", "nodes_file"):
        data[name] = str(data[name])
    data["problems"] = [{**dataclasses.asdict(p), "file": str(p.file) if p.file else None} for p in unit.problems]
    return data


def _load(summary: Path, path: Path) -> Unit:
    data = json.loads(summary.read_text(encoding="utf-8"))
    problems = tuple(Problem(**{**p, "file": path if p["file"] else None}) for p in data["problems"])
    folder, key = summary.parent, data["key"]  # the cache folder may have moved since: paths come from it
    return Unit(path, key, folder / f"{key}.nq", folder / f"{key}.inferred.nt", folder / f"{key}.nodes.json",
                data["quads"], data["inferred"], tuple(data["graphs"]), tuple(data["claims"]), data["sources"],
                tuple(tuple(x) for x in data["pending_quotes"]), problems, data["texts"],  # type: ignore[misc]
                tuple(data["dated"]))
