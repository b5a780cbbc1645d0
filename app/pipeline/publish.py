"""Write a release (Oxigraph store, downloads, manifest) into staging, then switch to it atomically."""

from __future__ import annotations

import gc
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, Graph, URIRef

from app.config import Settings
from app.pipeline.load import Inputs
from app.store import Release, commit_release, discard_staging, stage_release
from app.vocab import DEFCOOP, PREFIXES, graph_iri

FLAT = {"defcoop.ttl": ox.RdfFormat.TURTLE, "defcoop.nt": ox.RdfFormat.N_TRIPLES,
        "defcoop.rdf": ox.RdfFormat.RDF_XML}
WITH_GRAPHS = {"defcoop.trig": ox.RdfFormat.TRIG, "defcoop.nq": ox.RdfFormat.N_QUADS}
ONTOLOGY = {"ontology.ttl": ox.RdfFormat.TURTLE, "ontology.rdf": ox.RdfFormat.RDF_XML,
            "ontology.nt": ox.RdfFormat.N_TRIPLES}


@dataclass(frozen=True)
class Published:
    release: Release
    manifest: dict[str, Any]


def ontology_graph_names(inputs: Inputs, base_iri: str) -> tuple[dict[Path, URIRef], URIRef | None]:
    """Each ontology file's graph: its owl:Ontology IRI, else `{base}graph/{file stem}` (e.g. concepts);
    and the ontology's IRI."""
    names, ontology = {}, None
    for path, graph in inputs.ontology_files.items():
        onto = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
        if isinstance(onto, URIRef):
            names[path] = ontology = onto
        else:
            names[path] = graph_iri(base_iri, path.stem)
    return names, ontology


def publish(settings: Settings, inputs: Inputs, inferred: Graph, timings: dict[str, float]) -> Published:
    """Stage a complete release and make it current; on any error the previous release keeps serving."""
    staging = stage_release(settings.build_dir)
    try:
        manifest = _write_release(settings, inputs, inferred, staging, timings)
        release = commit_release(settings.build_dir, staging, keep=settings.keep_releases)
    except BaseException:
        discard_staging(staging)
        raise
    return Published(release, manifest)


def _write_release(settings: Settings, inputs: Inputs, inferred: Graph, staging: Path,
                   timings: dict[str, float]) -> dict[str, Any]:
    started = time.perf_counter()
    store = ox.Store(str(staging / "store"))
    for f in inputs.files:
        store.load(f.dataset.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    onto_names, ontology_iri = ontology_graph_names(inputs, settings.base_iri)
    for path, graph in inputs.ontology_files.items():
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(onto_names[path])))
    inferred_graph = graph_iri(settings.base_iri, "inferred")
    store.load(inferred.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode(str(inferred_graph)))
    store.flush()

    downloads = staging / "downloads"
    downloads.mkdir()
    prefixes = {**PREFIXES, "id": settings.id_prefix}
    skip = f"FILTER(?g != <{ontology_iri}>)" if ontology_iri else ""
    flat = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {skip} }}"))
    files: dict[str, dict[str, Any]] = {}
    for name, fmt in FLAT.items():
        ox.serialize(flat, str(downloads / name), format=fmt, prefixes=prefixes)
        files[name] = _describe(downloads / name, fmt, len(flat), "dataset")
    write_jsonld(downloads / "defcoop.ttl", downloads / "defcoop.jsonld", prefixes)
    files["defcoop.jsonld"] = _describe(downloads / "defcoop.jsonld", ox.RdfFormat.JSON_LD, len(flat), "dataset")
    quads = len(store)
    for name, fmt in WITH_GRAPHS.items():
        store.dump(str(downloads / name), format=fmt, prefixes=prefixes)
        files[name] = _describe(downloads / name, fmt, quads, "dataset with provenance graphs")
    if ontology_iri:
        onto_triples = list(store.quads_for_pattern(None, None, None, ox.NamedNode(str(ontology_iri))))
        for name, fmt in ONTOLOGY.items():
            ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in onto_triples],
                         str(downloads / name), format=fmt, prefixes=prefixes)
            files[name] = _describe(downloads / name, fmt, len(onto_triples), "ontology")
        write_jsonld(downloads / "ontology.ttl", downloads / "ontology.jsonld", prefixes)
        files["ontology.jsonld"] = _describe(downloads / "ontology.jsonld", ox.RdfFormat.JSON_LD,
                                             len(onto_triples), "ontology")
    shapes = downloads / "shapes.ttl"
    inputs.shapes.serialize(shapes, format="turtle", encoding="utf-8")
    files["shapes.ttl"] = _describe(shapes, ox.RdfFormat.TURTLE, len(inputs.shapes), "SHACL shapes")

    counts = {
        row["class"].value: int(row["n"].value)
        for row in store.query(
            f"SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?class "
            f"FILTER(STRSTARTS(STR(?class), \"{DEFCOOP._NS}\")) }} GROUP BY ?class ORDER BY ?class",
            use_default_graph_as_union=True)
    }
    claims = counts.get(str(DEFCOOP.Claim), 0)
    timings["publish"] = time.perf_counter() - started
    manifest = {
        "build_id": staging.name.removesuffix(".staging"),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "base_iri": settings.base_iri,
        "ontology_iri": str(ontology_iri) if ontology_iri else None,
        "triples": len(flat),
        "quads": quads,
        "graphs": len(list(store.named_graphs())),
        "inferred_triples": len(inferred),
        "claims": claims,
        "sources": [str(f.path.name) for f in inputs.files],
        "classes": counts,
        "downloads": files,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    del store
    gc.collect()
    return manifest


def jsonld_context(prefixes: dict[str, str]) -> dict[str, Any]:
    """The compact JSON-LD context of DefCoop's documents: its prefixes, so keys read `defcoop:ledBy`."""
    return {**prefixes, "label": {"@id": "http://www.w3.org/2000/01/rdf-schema#label"}}


def write_jsonld(turtle: Path, target: Path, prefixes: dict[str, str]) -> None:
    """Compact JSON-LD with an inline context (no client ever fetches a context from elsewhere)."""
    graph = Graph().parse(turtle, format="turtle")
    graph.serialize(target, format="json-ld", context=jsonld_context(prefixes), auto_compact=True,
                    encoding="utf-8")


def _describe(path: Path, fmt: ox.RdfFormat, triples: int, content: str) -> dict[str, Any]:
    data = path.read_bytes()
    return {"file": path.name, "media_type": fmt.media_type, "bytes": len(data), "triples": triples,
            "sha256": hashlib.sha256(data).hexdigest(), "content": content}
