"""Worker processes for the per-file stages (parse, SHACL): each loads the ontology and shapes once; small
work runs in the build's own process, where starting workers would cost more than it saves. Publishing forks its
workers from the build (`forked`), so they read the checked store without loading it again."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rdflib import Graph

from app.config import Settings
from app.pipeline import units as unit_mod
from app.pipeline.load import RDF_SUFFIXES, rdf_files
from app.pipeline.terms import Vocabulary, digest_files
from app.pipeline.units import Unit
from app.pipeline.validate import ShapeChecker, validate_unit

INLINE_BYTES = 2_000_000
"""Below this much input to (re)analyse, work runs in the build's own process: starting workers costs more."""

_WORKER: dict[str, Any] = {}


def _init_worker(vocab: Vocabulary, ontology_dir: Path, shapes_dir: Path) -> None:
    _WORKER.update(vocab=vocab, checker=ShapeChecker(rdflib_graph(shapes_dir), rdflib_graph(ontology_dir)),
                   key=_worker_key(vocab, shapes_dir))


def _worker_key(vocab: Vocabulary, shapes_dir: Path) -> str:
    """What the worker state was made from: a build with another ontology or other shapes makes it again."""
    return digest_files(rdf_files(shapes_dir), vocab.digest)


def analyse(path: Path, base_iri: str, data_dir: Path, cache_dir: Path, code: str) -> Unit:
    """Parse and check one facts file (in a worker)."""
    return unit_mod.analyse(path, _WORKER["vocab"], base_iri, data_dir, cache_dir, code)


def validate(data: bytes, focus: set[str]) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    """SHACL-validate one unit's triples with their context (in a worker); plain tuples cross the process line."""
    found = validate_unit(data, focus, _WORKER["checker"])
    return [(str(v.focus), v.shape, v.message, v.component, _n3(v.path), _n3(v.value)) for v in found]


def _n3(term: Any) -> str | None:
    return None if term is None else term.n3()


def rdflib_graph(folder: Path) -> Graph:
    """Every RDF file of a folder in one rdflib graph (the shapes and the ontology, which are small)."""
    graph = Graph()
    for path in rdf_files(folder):
        graph.parse(path, format=RDF_SUFFIXES[path.suffix])
    return graph


@contextmanager
def workers(settings: Settings, vocab: Vocabulary, work_bytes: int, jobs: int) -> Iterator[Callable[..., Any]]:
    """A `map(fn, *iterables)` over worker processes, or in this process when the work is small."""
    n = min(count(settings), jobs)
    if n <= 1 or work_bytes < INLINE_BYTES:
        if _WORKER.get("key") != _worker_key(vocab, settings.shapes_dir):
            _init_worker(vocab, settings.ontology_dir, settings.shapes_dir)
        yield map
        return
    with ProcessPoolExecutor(n, initializer=_init_worker,
                             initargs=(vocab, settings.ontology_dir, settings.shapes_dir)) as pool:
        yield lambda fn, *its: pool.map(fn, *its, chunksize=1)


# --- publishing: worker processes forked from the build, which share its checked store -----------------------------

_SHARED: dict[str, Any] = {}


class _Done:
    """What `apply_async` gives when the work ran at once (in this process)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.value = fn(*args)

    def get(self) -> Any:
        return self.value


class _Inline:
    processes = 1

    def apply_async(self, fn: Callable[..., Any], args: tuple[Any, ...] = ()) -> _Done:
        return _Done(fn, args)


class _Forked:
    def __init__(self, pool: Any, processes: int) -> None:
        self.pool, self.processes = pool, processes

    def apply_async(self, fn: Callable[..., Any], args: tuple[Any, ...] = ()) -> Any:
        return self.pool.apply_async(fn, args)


def count(settings: Settings) -> int:
    """How many worker processes a stage runs: the setting, else one per core."""
    return settings.build_workers or os.cpu_count() or 1


def shared(name: str) -> Any:
    """What the build shared with its forked workers (`forked`)."""
    return _SHARED[name]


def _single_threaded() -> bool:
    tasks = Path(f"/proc/{os.getpid()}/task")
    return len(list(tasks.iterdir())) == 1 if tasks.is_dir() else threading.active_count() == 1


@contextmanager
def forked(n: int, **objects: Any) -> Iterator[Any]:
    """A pool (`apply_async(fn, args).get()`, `processes`) of `n` processes forked from this one, which see
    `objects` through `shared(name)` without pickling: the checked store is read where it already is in memory
    instead of being loaded again. Forked before any thread starts (a fork copies only the calling thread, so a
    lock another thread held would stay locked); where this process already runs other threads, cannot fork, or
    n ≤ 1, the work runs here, one job after another."""
    _SHARED.update(objects)
    try:
        if n > 1 and "fork" in multiprocessing.get_all_start_methods() and _single_threaded():
            # what the workers inherit is frozen out of the garbage collector's sight: its passes would walk (and
            # write to, unsharing their pages) every object of the build in each worker
            gc.freeze()
            try:
                with multiprocessing.get_context("fork").Pool(n) as pool:
                    yield _Forked(pool, n)
            finally:
                gc.unfreeze()
        else:
            yield _Inline()
    finally:
        _SHARED.clear()
