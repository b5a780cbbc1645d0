"""data → build: ontology ► parse ► load ► checks ► SHACL ► reason ► publish. Never imports the web layer.

Built for size: each facts file (a *unit*) is parsed, checked and reasoned over on its own in worker processes,
SHACL validates each unit with the context of the shared entities it mentions, and every per-unit result is cached
by content hash in `{build_dir}/cache`, so an unchanged file is not read again. Triples stream from the cache into
the release's Oxigraph store; no step holds the whole graph in rdflib.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from app.config import Settings
from app.pipeline import units as unit_mod
from app.pipeline.duplicates import look_alike
from app.pipeline.errors import BuildFailed, Problem
from app.pipeline.load import RDF_SUFFIXES, line_of, rdf_files
from app.pipeline.progress import Progress
from app.pipeline.publish import (
    Published,
    built_at,
    class_counts,
    jsonld_context,
    write_downloads,
    write_manifest,
    write_name_index,
)
from app.pipeline.reason import disjointness_problems, entailed, hermit_check, literal_range_problems
from app.pipeline.terms import CLAIM, OWL, TYPE, Vocabulary, digest_files, vocabulary
from app.pipeline.units import Unit, parse_quads, quote_problem, text_problem
from app.pipeline.validate import ShapeChecker, inverse_path_predicates, unit_context, validate_unit
from app.store import commit_release, discard_staging, stage_release
from app.virtuoso import PublishFailed
from app.virtuoso import publish as virtuoso_publish
from app.vocab import PREFIXES, graph_iri

__all__ = ["BuildFailed", "Checked", "Problem", "Progress", "build", "check", "data_files"]

INLINE_BYTES = 2_000_000
"""Below this much input to (re)analyse, work runs in the build's own process: starting workers costs more."""


def code_version() -> str:
    """The pipeline's code, hashed: a cached result is reused only by the code that made it."""
    from importlib.metadata import version

    h = hashlib.sha256(" ".join(version(p) for p in ("defcoop", "pyoxigraph", "pyshacl", "rdflib")).encode())
    app = Path(__file__).parent.parent
    for path in sorted([*Path(__file__).parent.glob("*.py"), app / "vocab.py", app / "convert.py", app / "search.py"]):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Checked:
    """A store holding the checked data (asserted, ontology and inferred graphs) and what the build learned."""

    store: ox.Store
    units: list[Unit]
    vocab: Vocabulary
    ontology_iri: str | None
    ontology_graphs: list[str]
    shapes: list[ox.Triple]
    ontology_entailed: list[ox.Triple]
    """What the ontology entails about its own individuals (SKOS concepts)."""
    inferred: int = 0
    cache_files: set[Path] = field(default_factory=set)
    """The cache entries this check used; a build drops every other one."""
    warnings: list[Problem] = field(default_factory=list)
    """What looks wrong but does not stop publishing (entities that look like duplicates)."""

    @property
    def quads(self) -> int:
        return sum(u.quads for u in self.units)


def data_files(settings: Settings, candidates: Iterable[Path] = ()) -> list[Path]:
    """The facts files of data/facts, with candidates added (or replacing a file of the same name)."""
    chosen = {p.name: p for p in rdf_files(settings.data_dir / "facts")}
    for path in candidates:
        chosen[Path(path).name] = Path(path)
    return sorted(chosen.values())


# --- worker processes: each loads the ontology and shapes once ---

_WORKER: dict[str, Any] = {}


def _init_worker(vocab: Vocabulary, ontology_dir: Path, shapes_dir: Path) -> None:
    _WORKER.update(vocab=vocab, checker=ShapeChecker(_rdflib_graph(shapes_dir), _rdflib_graph(ontology_dir)),
                   key=_worker_key(vocab, shapes_dir))


def _worker_key(vocab: Vocabulary, shapes_dir: Path) -> str:
    """What the worker state was made from: a build with another ontology or other shapes makes it again."""
    return digest_files(rdf_files(shapes_dir), vocab.digest)


def _analyse(path: Path, base_iri: str, data_dir: Path, cache_dir: Path, code: str) -> Unit:
    return unit_mod.analyse(path, _WORKER["vocab"], base_iri, data_dir, cache_dir, code)


def _validate(data: bytes, focus: set[str]) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    found = validate_unit(data, focus, _WORKER["checker"])
    return [(str(v.focus), v.shape, v.message, v.component, _n3(v.path), _n3(v.value)) for v in found]


def _n3(term: Any) -> str | None:
    return None if term is None else term.n3()


def _rdflib_graph(folder: Path) -> Graph:
    graph = Graph()
    for path in rdf_files(folder):
        graph.parse(path, format=RDF_SUFFIXES[path.suffix])
    return graph


@contextmanager
def _workers(settings: Settings, vocab: Vocabulary, work_bytes: int, jobs: int) -> Iterator[Callable[..., Any]]:
    """A `map(fn, *iterables)` over worker processes, or in this process when the work is small."""
    n = min(settings.build_workers or os.cpu_count() or 1, jobs)
    if n <= 1 or work_bytes < INLINE_BYTES:
        if _WORKER.get("key") != _worker_key(vocab, settings.shapes_dir):
            _init_worker(vocab, settings.ontology_dir, settings.shapes_dir)
        yield map
        return
    with ProcessPoolExecutor(n, initializer=_init_worker,
                             initargs=(vocab, settings.ontology_dir, settings.shapes_dir)) as pool:
        yield lambda fn, *its: pool.map(fn, *its, chunksize=1)


# --- stages ---


def _ontology(settings: Settings, cache: Path, progress: Progress
              ) -> tuple[Vocabulary, dict[str, list[ox.Triple]], str | None, list[ox.Triple]]:
    """Parse ontology/ and shapes/ (syntax errors located); check the ontology with HermiT (cached)."""
    with progress.stage("ontology", unit="files") as tick:
        problems: list[Problem] = []
        graphs: dict[str, list[ox.Triple]] = {}
        ontology_iri = None
        shapes: list[ox.Triple] = []
        for folder in (settings.ontology_dir, settings.shapes_dir):
            for path in rdf_files(folder):
                try:
                    quads = parse_quads(path, "o" + hashlib.sha256(path.name.encode()).hexdigest()[:8])
                except BuildFailed as e:
                    problems += e.problems
                    continue
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
                tick.advance(1, len(triples))
                if folder == settings.shapes_dir:
                    shapes += triples
                    continue
                onto = next((t.subject.value for t in triples if t.predicate.value == TYPE
                             and t.object.value == OWL + "Ontology" and isinstance(t.subject, ox.NamedNode)), None)
                name = onto or str(graph_iri(settings.base_iri, path.stem))
                ontology_iri = ontology_iri or onto
                graphs.setdefault(name, []).extend(triples)  # files of one ontology share its graph
        if problems:
            raise BuildFailed(problems)
        digest = digest_files(rdf_files(settings.ontology_dir))
        vocab = vocabulary((t for ts in graphs.values() for t in ts), digest)
        verdict = cache / f"hermit-{hashlib.sha256((digest + code_version()).encode()).hexdigest()}.json"
        if verdict.exists():
            found = [Problem(**p) for p in json.loads(verdict.read_text(encoding="utf-8"))]
            tick.note("HermiT: cached")
        else:
            found = hermit_check(t for ts in graphs.values() for t in ts)
            _write_atomic(verdict, json.dumps([p.__dict__ | {"file": None} for p in found]))
            tick.note("HermiT checked the ontology")
        if found:
            raise BuildFailed(found)
    return vocab, graphs, ontology_iri, shapes


def _parse(settings: Settings, files: list[Path], vocab: Vocabulary, cache: Path, progress: Progress) -> list[Unit]:
    code = code_version()
    todo = sorted(files)
    misses = [p for p in todo
              if not (cache / "units" / f"{unit_mod.unit_key(p, vocab, settings.base_iri, code)}.json").exists()]
    units: list[Unit] = []
    with progress.stage("parse", total=len(todo), unit="files") as tick, \
            _workers(settings, vocab, sum(p.stat().st_size for p in misses), len(misses)) as run:
        n = len(todo)
        for unit in run(_analyse, todo, [settings.base_iri] * n, [settings.data_dir] * n, [cache / "units"] * n,
                        [code] * n):
            units.append(unit)
            tick.advance(1, unit.quads)
        tick.note(f"{len(todo) - len(misses)} cached")
    syntax = [p for u in units for p in u.problems if p.check == "syntax"]
    if syntax:
        raise BuildFailed(syntax)
    return units


def _load(store: ox.Store, units: list[Unit], graphs: dict[str, list[ox.Triple]], progress: Progress) -> None:
    with progress.stage("load", total=len(units), unit="files") as tick:
        for name, triples in graphs.items():
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples)
        for unit in units:
            store.bulk_load(path=str(unit.quads_file), format=ox.RdfFormat.N_QUADS)
            tick.advance(1, unit.quads)


def _cross_file_problems(units: list[Unit], data_dir: Path, base_iri: str) -> list[Problem]:
    """Claims and their graphs, and quotes of sources, across files."""
    problems: list[Problem] = []
    described = {c for u in units for c in u.claims}
    with_graph = {g for u in units for g in u.graphs}
    provenance = f"{base_iri}graph/provenance/"
    texts = {s: (u, f) for u in units for s, f in u.sources.items()}
    for u in units:
        for g in u.graphs:
            if not g.startswith(provenance) and g not in described:
                problems.append(Problem(
                    "provenance", f"graph <{g}> is not described as a defcoop:Claim",
                    file=u.path, line=line_of(u.path, g), subject=g,
                    fix="add `<graph> a defcoop:Claim ; prov:wasDerivedFrom <source> ; defcoop:quote \"…\" ; "
                        "defcoop:epistemicStatus <status>` to the provenance graph"))
        for c in u.claims:
            if c not in with_graph:
                problems.append(Problem(
                    "provenance", f"claim <{c}> is described but has no graph of facts",
                    file=u.path, line=line_of(u.path, c), subject=c,
                    fix="add the triples its quote supports as `claim:<id> { … }`, or remove the description"))
        for claim, source, quote in u.pending_quotes:
            if source not in texts:
                continue
            owner, text_file = texts[source]
            if text_problem(data_dir, source, text_file, owner.path, None) is None:
                text = (data_dir / text_file).read_text(encoding="utf-8")
                problem = quote_problem(claim, quote, source, text, u.path, None)
                if problem:
                    problems.append(dataclasses.replace(problem, line=line_of(u.path, claim)))
    return problems


def _shacl(settings: Settings, store: ox.Store, units: list[Unit], vocab: Vocabulary, ontology_subjects: set[str],
           cache: Path, progress: Progress) -> tuple[list[Problem], set[Path]]:
    """Validate each unit with its context; reuse cached verdicts keyed by unit, context, shapes and ontology."""
    shapes_rdflib = _rdflib_graph(settings.shapes_dir)
    inverse = inverse_path_predicates(shapes_rdflib)
    salt = digest_files(rdf_files(settings.shapes_dir), vocab.digest, code_version())
    jobs: list[tuple[Unit | None, Path, bytes, set[str]]] = []
    results: dict[int, list[Any]] = {}
    with progress.stage("shacl", total=len(units) + 1, unit="files") as tick:
        # the ontology files' own individuals (SKOS concepts) are validated once, on their own
        jobs.append((None, cache / "shacl" / f"{hashlib.sha256(salt.encode()).hexdigest()}.json", b"",
                     ontology_subjects))
        describers = _describers(units)
        for unit in units:
            nodes = json.loads(unit.nodes_file.read_text(encoding="utf-8"))
            shared = [n for n in nodes["subjects"] if describers[n] > 1]
            shared += [n for n in nodes["objects"] if describers.get(n, 0) > 0]
            context = unit_context(store, set(unit.graphs), shared, nodes["subjects"], inverse)
            extra = ox.serialize(context, format=ox.RdfFormat.N_TRIPLES) if context else b""
            key = hashlib.sha256(f"{unit.key}\0{salt}\0".encode() + extra).hexdigest()
            jobs.append((unit, cache / "shacl" / f"{key}.json", extra, set(nodes["subjects"])))
        misses = []
        for i, (unit, verdict, _, _) in enumerate(jobs):
            if verdict.exists():
                results[i] = json.loads(verdict.read_text(encoding="utf-8"))
                tick.advance(1, unit.quads if unit else 0)
            else:
                misses.append(i)
        work = sum(jobs[i][0].triples_file.stat().st_size for i in misses if jobs[i][0] is not None)  # type: ignore[union-attr]

        def payload(i: int) -> bytes:
            unit, _, extra, _ = jobs[i]
            if unit is None:
                return b""
            return unit.triples_file.read_bytes() + extra

        with _workers(settings, vocab, work, len(misses)) as run:
            found_all = run(_validate, (payload(i) for i in misses), (jobs[i][3] for i in misses))
            for i, found in zip(misses, found_all, strict=True):
                results[i] = found
                _write_atomic(jobs[i][1], json.dumps(found))
                tick.advance(1, jobs[i][0].quads if jobs[i][0] else 0)
        tick.note(f"{len(jobs) - len(misses)} cached")
    by_iri = _locator(store, units)
    problems: list[Problem] = []
    seen: set[tuple[str, ...]] = set()
    for i in sorted(results):
        unit = jobs[i][0]
        for focus, shape, message, component, path, value in results[i]:
            if (focus, shape, component, path, value, message) in seen:
                continue
            seen.add((focus, shape, component, path, value, message))
            shape_name = f"{shape} ({component})" if component else shape
            detail = [f"property {_short_n3(path)}"] if path and path.startswith("<") else []
            detail += [f"value {_short_n3(value)}"] if value else []
            file, line = (unit.path, line_of(unit.path, focus)) if unit else by_iri(focus)
            problems.append(Problem(
                "shape", f"violates {shape_name}" + (f": {', '.join(detail)}" if detail else ""),
                file=file, line=line, subject=focus, shape=shape_name, fix=message))
    return sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.message)), {j[1] for j in jobs}


def _describers(units: list[Unit]) -> dict[str, int]:
    """How many files describe (state something about, as subject) each IRI."""
    counts: dict[str, int] = {}
    for unit in units:
        for node in json.loads(unit.nodes_file.read_text(encoding="utf-8"))["subjects"]:
            counts[node] = counts.get(node, 0) + 1
    return counts


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _short_n3(n3: str) -> str:
    for prefix, ns in PREFIXES.items():
        if n3.startswith(f"<{ns}") and n3.endswith(">"):
            return f"{prefix}:{n3[len(ns) + 1:-1]}"
    return n3


def _locator(store: ox.Store, units: list[Unit]) -> Callable[[str], tuple[Path | None, int | None]]:
    """file and line of an IRI: the file whose graphs type it (else mention it as subject)."""
    owner = {g: u for u in units for g in u.graphs}

    def locate(iri: str) -> tuple[Path | None, int | None]:
        node = ox.NamedNode(iri)
        for pattern in ((node, ox.NamedNode(TYPE), None), (node, None, None)):
            for q in store.quads_for_pattern(*pattern):
                unit = owner.get(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None
                if unit is not None:
                    return unit.path, line_of(unit.path, iri)
        return None, None

    return locate


def _reason(settings: Settings, store: ox.Store, units: list[Unit], vocab: Vocabulary,
            ontology_entailed: list[ox.Triple], progress: Progress) -> tuple[int, list[Problem]]:
    """Load the entailments of each unit and of the ontology files' individuals into the inferred graph (minus
    what any graph asserts); check consistency."""
    inferred = ox.NamedNode(str(graph_iri(settings.base_iri, "inferred")))
    with progress.stage("reason", total=len(units), unit="files") as tick:
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in ontology_entailed)
        for unit in units:
            store.bulk_load(path=str(unit.inferred_file), format=ox.RdfFormat.N_TRIPLES, to_graph=inferred)
            tick.advance(1, unit.inferred)
        store.update(f"DELETE {{ GRAPH <{inferred.value}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{inferred.value}> "
                     f"{{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{inferred.value}>) }}")
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{inferred.value}> {{ ?s ?p ?o }} }}")
        count = int(next(iter(rows))["n"].value)  # type: ignore[index, call-overload]
        tick.stage.triples = count
        locate = _locator(store, units)
        problems = disjointness_problems(store, vocab, inferred.value) + literal_range_problems(store, vocab)
        if not problems and vocab.uncovered:
            tick.note("HermiT checked all data: the ontology uses " + ", ".join(vocab.uncovered))
            problems = hermit_check(ox.Triple(q.subject, q.predicate, q.object)
                                    for q in store.quads_for_pattern(None, None, None) if q.graph_name != inferred)
    located = []
    for p in problems:
        file, line = locate(p.subject) if p.subject and p.file is None else (p.file, p.line)
        located.append(Problem(**{**p.__dict__, "file": file, "line": line}))
    return count, located


def check(settings: Settings, files: list[Path], progress: Progress | None = None,
          cache: Path | None = None) -> Checked:
    """Run every check on the given facts files, loading them into an in-memory store (Oxigraph reads its
    memory store about ten times faster than its disk store), with per-file results cached in `cache` (default
    `{build_dir}/cache`); raise BuildFailed with all located problems."""
    progress = progress or Progress(quiet=True)
    cache = cache or settings.build_dir / "cache"
    for sub in ("units", "shacl"):
        (cache / sub).mkdir(parents=True, exist_ok=True)
    vocab, graphs, ontology_iri, shapes = _ontology(settings, cache, progress)
    units = _parse(settings, files, vocab, cache, progress)
    store = ox.Store()
    _load(store, units, graphs, progress)
    with progress.stage("checks") as tick:
        problems = [p for u in units for p in u.problems]
        problems += _cross_file_problems(units, settings.data_dir, settings.base_iri)
        tick.advance(len(units))
    ontology_subjects = {t.subject.value for ts in graphs.values() for t in ts if isinstance(t.subject, ox.NamedNode)}
    found, verdicts = _shacl(settings, store, units, vocab, ontology_subjects, cache, progress)
    problems += found
    if problems:
        raise BuildFailed(problems)
    ontology_entailed = entailed((t for ts in graphs.values() for t in ts), vocab)
    inferred, problems = _reason(settings, store, units, vocab, ontology_entailed, progress)
    if problems:
        raise BuildFailed(problems)
    warnings = look_alike(units, _locator(store, units))
    used = verdicts | {f for u in units
                       for f in (u.quads_file, u.triples_file, u.inferred_file, u.nodes_file, u.names_file)}
    used |= {cache / "units" / f"{u.key}.json" for u in units}
    return Checked(store, units, vocab, ontology_iri, sorted(graphs), shapes, ontology_entailed, inferred,
                   used, warnings)


def build(settings: Settings, progress: Progress | None = None) -> Published:
    """Check all data and publish it as the new current release, or raise BuildFailed and change nothing."""
    progress = progress or Progress(quiet=True)
    staging = stage_release(settings.build_dir)
    try:
        checked = check(settings, data_files(settings), progress)
        store = checked.store
        prefixes = {**PREFIXES, "id": settings.id_prefix}
        with progress.stage("publish", unit="files") as tick:
            flat = [f for u in checked.units for f in (u.triples_file, u.inferred_file)]
            others = [g for g in checked.ontology_graphs if g != checked.ontology_iri]
            files, triples = write_downloads(store, flat, others, checked.ontology_entailed, staging,
                                             checked.ontology_iri, checked.shapes, prefixes)
            tick.advance(len(files), triples)
            names = write_name_index(store, staging, settings.id_prefix)
            classes = class_counts(store)
            used = checked.cache_files
            warnings = checked.warnings
            manifest = {
                "build_id": staging.name.removesuffix(".staging"),
                "built_at": built_at(),
                "base_iri": settings.base_iri,
                "ontology_iri": checked.ontology_iri,
                "triples": triples,
                "quads": len(store),
                "graphs": sum(1 for _ in store.named_graphs()),
                "inferred_triples": checked.inferred,
                "claims": classes.get(CLAIM, 0),
                "sources": [u.path.name for u in checked.units],
                "classes": classes,
                "downloads": files,
                "jsonld_context": jsonld_context(prefixes),
                "default_graph": "merged",
                "search_names": names,
            }
            del store, checked
        if settings.virtuoso_sql:  # the release into Virtuoso too, in one transaction, before it is current
            with progress.stage("virtuoso", unit="files") as tick:
                manifest["virtuoso_load_s"] = round(publish_to_virtuoso(settings, staging / "downloads"), 3)
                tick.advance(1, manifest["quads"])
        manifest["timings_s"] = progress.timings()
        write_manifest(staging, manifest)
        release = commit_release(settings.build_dir, staging, settings.keep_releases)
    except BaseException:
        discard_staging(staging)
        raise
    _prune_cache(settings.build_dir / "cache", used)
    return Published(release, manifest, warnings)


def publish_to_virtuoso(settings: Settings, downloads: Path) -> float:
    """The release's dumps into Virtuoso (app/virtuoso.py); BuildFailed when Virtuoso refuses them."""
    merged = [downloads / "defcoop.nt", *([downloads / "ontology.nt"] if (downloads / "ontology.nt").exists() else [])]
    try:
        return virtuoso_publish(settings, downloads / "defcoop.nq", merged)
    except PublishFailed as exc:
        raise BuildFailed([Problem("virtuoso", str(exc), fix="start Virtuoso, check settings virtuoso_sql, "
                                   "virtuoso_user, virtuoso_password and that its DirsAllowed holds the build folder, "
                                   "then build again; the previous release keeps serving")]) from None


def _prune_cache(cache: Path, used: set[Path]) -> None:
    """After a build, the cache holds what that build used and nothing else (it cannot grow without bound)."""
    for sub in ("units", "shacl"):
        for path in (cache / sub).iterdir():
            if path not in used:
                path.unlink(missing_ok=True)
