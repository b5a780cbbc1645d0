"""Where the input files are, their checksums, and where in a file an IRI is first mentioned (for error reports)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox

RDF_SUFFIXES = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads"}


def line_of(path: Path, iri: str) -> int | None:
    """First line of the file that mentions `iri` (full or by its local name)."""
    local = re.split(r"[/#]", iri.rstrip("/"))[-1]
    patterns = [re.compile(re.escape(p) + r"(?![\w-])") for p in (f"<{iri}>", f":{local}")]
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = text.lstrip()
        if stripped.startswith("#") or stripped.startswith("@prefix"):
            continue
        if any(p.search(text) for p in patterns):
            return number
    return None


def rdf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in RDF_SUFFIXES)


def input_checksums(data_dir: Path, ontology_dir: Path, shapes_dir: Path) -> dict[str, str]:
    """`{"data/facts/x.trig": sha256, …}` for the source texts, the facts, the ontology and the shapes."""
    sources = data_dir / "sources"
    folders = {"data/sources": sorted(p for p in sources.glob("*") if p.is_file()) if sources.is_dir() else [],
               "data/facts": rdf_files(data_dir / "facts"), "ontology": rdf_files(ontology_dir),
               "shapes": rdf_files(shapes_dir)}
    return {f"{label}/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest()
            for label, paths in folders.items() for path in paths}


def load_rdf(store: ox.Store, fmt: ox.RdfFormat, *, path: Path | None = None, data: bytes | None = None,
             graph: ox.NamedNode | None = None, on_disk: bool = False) -> None:
    """N-Quads or N-Triples (into `graph` when given) into the store, blank nodes keeping their labels (the build
    labels them deterministically; Oxigraph's loaders would draw new ones, so that a blank node of one file would
    not be the same node in the next load, nor in the next release's store).

    Text without blank nodes goes to Oxigraph's loader, without a Python object per quad (the inferred graph at 1M:
    1.5 s instead of 2.1): `Store.load` into a store in memory, `Store.bulk_load` into one `on_disk` (a single
    transaction would hold the whole file in memory until it commits); a file is streamed, never read whole."""
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) and not _mentions_blank_nodes(data, path):
        load = store.bulk_load if on_disk else store.load
        if path is not None:
            load(path=str(path), format=fmt, to_graph=graph)
        else:
            load(data, format=fmt, to_graph=graph)
        return
    quads = ox.parse(data, format=fmt) if path is None else ox.parse(path=str(path), format=fmt)
    if graph is not None:
        quads = (ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
    store.bulk_extend(quads)


SCAN_BLOCK = 1 << 24


def _mentions_blank_nodes(data: bytes | None, path: Path | None) -> bool:
    """Whether N-Triples / N-Quads text has `_:` anywhere (every blank node label starts so; a literal may too, and
    then the text is read the slower way, which is also right)."""
    if data is not None:
        return b"_:" in data
    if path is None:
        return False
    with open(path, "rb") as f:
        last = b""
        while block := f.read(SCAN_BLOCK):
            if b"_:" in last + block[:1] or b"_:" in block:
                return True
            last = block[-1:]
    return False
