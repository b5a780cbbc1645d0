"""The stages of a check, in order: ontology ► parse ► load ► checks across files ► SHACL ► reason. Each takes
what the one before gave and reports its progress; `check()` in `__init__` runs them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from app.config import Settings
from app.pipeline import units as unit_mod
from app.pipeline import workers
from app.pipeline.cache import code_version, write_atomic
from app.pipeline.errors import BuildFailed, Problem
from app.pipeline.load import line_of, load_rdf, rdf_files
from app.pipeline.progress import Progress
from app.pipeline.reason import disjointness_problems, hermit_check, literal_range_problems
from app.pipeline.terms import OWL, TYPE, Vocabulary, digest_files, vocabulary
from app.pipeline.units import Unit, parse_quads, quote_problem, text_problem
from app.pipeline.validate import inverse_path_predicates, unit_context
from app.vocab import PREFIXES, graph_iri


def ontology(settings: Settings, cache: Path, progress: Progress
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
            write_atomic(verdict, json.dumps([p.__dict__ | {"file": None} for p in found]))
            tick.note("HermiT checked the ontology")
        if found:
            raise BuildFailed(found)
    return vocab, graphs, ontology_iri, shapes

def parse(settings: Settings, files: list[Path], vocab: Vocabulary, cache: Path, progress: Progress) -> list[Unit]:
    code = code_version()
    todo = sorted(files)
    misses = [p for p in todo
              if not (cache / "units" / f"{unit_mod.unit_key(p, vocab, settings.base_iri, code)}.json").exists()]
    units: list[Unit] = []
    with progress.stage("parse", total=len(todo), unit="files") as tick, \
            workers.workers(settings, vocab, sum(p.stat().st_size for p in misses), len(misses)) as run:
        n = len(todo)
        for unit in run(workers.analyse, todo, [settings.base_iri] * n, [settings.data_dir] * n, [cache / "units"] * n,
                        [code] * n):
            units.append(unit)
            tick.advance(1, unit.quads)
        tick.note(f"{len(todo) - len(misses)} cached")
    syntax = [p for u in units for p in u.problems if p.check == "syntax"]
    if syntax:
        raise BuildFailed(syntax)
    return units

def load(store: ox.Store, units: list[Unit], graphs: dict[str, list[ox.Triple]], progress: Progress) -> None:
    with progress.stage("load", total=len(units), unit="files") as tick:
        for name, triples in graphs.items():
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples)
        for unit in units:
            load_rdf(store, ox.RdfFormat.N_QUADS, path=unit.quads_file)
            tick.advance(1, unit.quads)

def cross_file_problems(units: list[Unit], data_dir: Path, base_iri: str) -> list[Problem]:
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

def shacl(settings: Settings, store: ox.Store, units: list[Unit], vocab: Vocabulary, ontology_subjects: set[str],
           cache: Path, progress: Progress) -> tuple[list[Problem], set[Path]]:
    """Validate each unit with its context; reuse cached verdicts keyed by unit, context, shapes and ontology."""
    shapes_rdflib = workers.rdflib_graph(settings.shapes_dir)
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

        with workers.workers(settings, vocab, work, len(misses)) as run:
            found_all = run(workers.validate, (payload(i) for i in misses), (jobs[i][3] for i in misses))
            for i, found in zip(misses, found_all, strict=True):
                results[i] = found
                write_atomic(jobs[i][1], json.dumps(found))
                tick.advance(1, jobs[i][0].quads if jobs[i][0] else 0)
        tick.note(f"{len(jobs) - len(misses)} cached")
    by_iri = locator(store, units)
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

def _short_n3(n3: str) -> str:
    for prefix, ns in PREFIXES.items():
        if n3.startswith(f"<{ns}") and n3.endswith(">"):
            return f"{prefix}:{n3[len(ns) + 1:-1]}"
    return n3

def locator(store: ox.Store, units: list[Unit]) -> Callable[[str], tuple[Path | None, int | None]]:
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

def reason(settings: Settings, store: ox.Store, units: list[Unit], vocab: Vocabulary,
            ontology_entailed: list[ox.Triple], progress: Progress) -> tuple[int, list[Problem]]:
    """Load the entailments of each unit and of the ontology files' individuals into the inferred graph (minus
    what any graph asserts); check consistency."""
    inferred = ox.NamedNode(str(graph_iri(settings.base_iri, "inferred")))
    with progress.stage("reason", total=len(units), unit="files") as tick:
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in ontology_entailed)
        for unit in units:
            load_rdf(store, ox.RdfFormat.N_TRIPLES, path=unit.inferred_file, graph=inferred)
            tick.advance(1, unit.inferred)
        store.update(f"DELETE {{ GRAPH <{inferred.value}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{inferred.value}> "
                     f"{{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{inferred.value}>) }}")
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{inferred.value}> {{ ?s ?p ?o }} }}")
        count = int(next(iter(rows))["n"].value)  # type: ignore[index, call-overload]
        tick.stage.triples = count
        locate = locator(store, units)
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
