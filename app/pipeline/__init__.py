"""data → build: ontology ► parse ► load ► checks ► SHACL ► reason ► publish. Never imports the web layer.

Built for size: each facts file (a *unit*) is parsed, checked and reasoned over on its own in worker processes,
SHACL validates each unit with the context of the shared entities it mentions, and every per-unit result is cached
by content hash in `{build_dir}/cache`, so an unchanged file is not read again. Triples stream from the cache into
the release's Oxigraph store; no step holds the whole graph in rdflib.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from app.config import Settings
from app.history import changes, line_hashes, read_hashes, union, write_history_files
from app.pipeline import stages, workers
from app.pipeline.cache import SUBFOLDERS
from app.pipeline.cache import prune as prune_cache
from app.pipeline.duplicates import look_alike
from app.pipeline.errors import BuildFailed, Problem
from app.pipeline.load import input_checksums, rdf_files
from app.pipeline.progress import Progress
from app.pipeline.publish import (
    INCREMENTAL,
    INDEXES,
    Published,
    built_at,
    chunk_change,
    class_counts,
    dated_properties,
    head_content,
    index_note,
    jsonld_context,
    touched,
    write_chunk_files,
    write_downloads,
    write_index,
    write_links,
    write_manifest,
    write_source_texts,
)
from app.pipeline.reason import entailed
from app.pipeline.terms import CLAIM, Vocabulary
from app.pipeline.units import Unit
from app.store import commit_release, current_release, discard_staging, stage_release
from app.virtuoso import PublishFailed
from app.virtuoso import publish as virtuoso_publish
from app.vocab import PREFIXES, graph_iri

__all__ = ["BuildFailed", "Checked", "Problem", "Progress", "build", "check", "data_files"]


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


def check(settings: Settings, files: list[Path], progress: Progress | None = None,
          cache: Path | None = None, duplicates: bool = True) -> Checked:
    """Run every check on the given facts files, loading them into an in-memory store (Oxigraph reads its
    memory store about ten times faster than its disk store), with per-file results cached in `cache` (default
    `{build_dir}/cache`); raise BuildFailed with all located problems. Without `duplicates`, the warnings about
    entities that look alike are left to the caller (`duplicate_warnings`: a build finds them in a worker)."""
    progress = progress or Progress(quiet=True)
    cache = cache or settings.build_dir / "cache"
    for sub in SUBFOLDERS:
        (cache / sub).mkdir(parents=True, exist_ok=True)
    vocab, graphs, ontology_iri, shapes = stages.ontology(settings, cache, progress)
    units = stages.parse(settings, files, vocab, cache, progress)
    store = ox.Store()
    stages.load(store, units, graphs, progress)
    with progress.stage("checks") as tick:
        problems = [p for u in units for p in u.problems]
        problems += stages.cross_file_problems(units, settings.data_dir, settings.base_iri)
        tick.advance(len(units))
    ontology_subjects = {t.subject.value for ts in graphs.values() for t in ts if isinstance(t.subject, ox.NamedNode)}
    found, verdicts = stages.shacl(settings, store, units, vocab, ontology_subjects, cache, progress)
    problems += found
    if problems:
        raise BuildFailed(problems)
    ontology_entailed = entailed((t for ts in graphs.values() for t in ts), vocab)
    inferred, problems = stages.reason(settings, store, units, vocab, ontology_entailed, progress)
    if problems:
        raise BuildFailed(problems)
    warnings = look_alike(units, stages.locator(store, units)) if duplicates else []
    used = verdicts | {f for u in units
                       for f in (u.quads_file, u.triples_file, u.inferred_file, u.nodes_file, u.names_file,
                                 u.hashes_file, u.lines_file)}
    used |= {cache / "units" / f"{u.key}.json" for u in units}
    return Checked(store, units, vocab, ontology_iri, sorted(graphs), shapes, ontology_entailed, inferred,
                   used, warnings)


def duplicate_warnings(units: list[Unit]) -> list[Problem]:
    """Entities that look like duplicates (app/pipeline/duplicates.py), located in the checked store (in a worker
    forked from the build)."""
    return look_alike(units, stages.locator(workers.shared("store"), units))


def build(settings: Settings, progress: Progress | None = None) -> Published:
    """Check all data and publish it as the new current release, or raise BuildFailed and change nothing."""
    progress = progress or Progress(quiet=True)
    staging = stage_release(settings.build_dir)
    try:
        checked = check(settings, data_files(settings), progress, duplicates=False)
        store = checked.store
        prefixes = {**PREFIXES, "id": settings.id_prefix}
        with progress.stage("publish", unit="files") as tick, \
                workers.forked(workers.count(settings), store=store) as pool:
            previous = current_release(settings.build_dir)
            inferred_graph = str(graph_iri(settings.base_iri, "inferred"))
            cache = settings.build_dir / "cache"
            head = head_content(store, checked.ontology_graphs, checked.ontology_iri, checked.ontology_entailed)
            dated = dated_properties(head, checked.units)
            alike = pool.apply_async(duplicate_warnings, (checked.units,))

            def index(kind: str, *since: object) -> Any:  # written by a worker while this process goes on
                return pool.apply_async(write_index, (kind, staging, settings.id_prefix, inferred_graph, dated, *since))

            # with no earlier release every index is written whole from the start; after one, the INCREMENTAL ones
            # wait for what changed and write only the rows it touched (`touched`)
            indexing = {kind: index(kind) for kind in INDEXES if previous is None or kind not in INCREMENTAL}
            chunked = write_chunk_files(store, checked.units, head, cache, checked.ontology_iri, prefixes,
                                        inferred_graph, settings.base_iri, pool, tick.step)
            record, change = chunk_change(chunked, previous, cache)
            only = touched(store, change) if change is not None else None
            if previous is not None:
                indexing |= {kind: index(kind, previous.path if only is not None else None, only)
                             for kind in INCREMENTAL}
            dumps = write_downloads(store, chunked, staging, cache, checked.ontology_iri, checked.shapes, prefixes,
                                    previous, record, change, tick.step)
            files, triples = dumps.files, dumps.triples
            tick.advance(len(files), triples)
            tick.step(f"{len(files)} dump files written, store {dumps.store}; the indexes next", force=True)
            # what needs no index is written while the workers write them
            build_id = staging.name.removesuffix(".staging")
            text_files = [f for u in checked.units for f in u.sources.values()]
            texts = write_source_texts(staging, settings.data_dir, text_files)
            classes = class_counts(store)
            used = checked.cache_files | dumps.used
            warnings = alike.get()
            hashes = union([line_hashes(head.flat), *(read_hashes(u.hashes_file) for u in checked.units)])
            write_history_files(staging, build_id, previous.path if previous else None, hashes, dumps.graphs)
            indexed = {kind: job.get() for kind, job in indexing.items()}
            tick.step(index_note(indexed, only), force=True)
            names, facet_rows, dated_events = (indexed[k].rows for k in ("names", "facets", "events"))
            processes = f"{pool.processes} worker processes" if pool.processes > 1 else "in one process"
            tick.note(f"{len(chunked.order) - chunked.written} of {len(chunked.order)} chunks cached, "
                      f"{index_note(indexed, only)}, store {dumps.store}, {processes}")
            write_links(staging, settings.id_prefix, (chunked.summaries[k] for k in chunked.order))
            manifest = {
                "build_id": build_id,
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
                "chunks": dumps.chunks,
                "jsonld_context": jsonld_context(prefixes),
                "default_graph": "merged",
                "search_names": names,
                "facet_rows": facet_rows,
                "dated_events": dated_events,
                "source_texts": texts,
                "inputs": input_checksums(settings.data_dir, settings.ontology_dir, settings.shapes_dir),
            }
            manifest["changes"] = changes(previous.path if previous else None,
                                          previous.manifest if previous else None, staging, manifest["inputs"],
                                          settings.id_prefix + "claim/")
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
    prune_cache(settings.build_dir / "cache", used)
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
