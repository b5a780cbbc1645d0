"""Parse the ontology, shapes and data files; a syntax error names file, line and column."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Dataset, Graph, URIRef

from app.pipeline.errors import BuildFailed, Problem

RDF_SUFFIXES = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads"}


@dataclass
class DataFile:
    """One facts file as parsed: its graphs (claim graphs and provenance graphs)."""

    path: Path
    dataset: Dataset

    def line_of(self, iri: str) -> int | None:
        """First line of the file that mentions `iri` (full or by its local name), for error reports."""
        return line_of(self.path, iri)


@dataclass
class Inputs:
    """Everything a build reads: ontology, shapes, data files."""

    ontology: Graph
    shapes: Graph
    files: list[DataFile] = field(default_factory=list)
    ontology_files: dict[Path, Graph] = field(default_factory=dict)

    def file_of(self, iri: str) -> DataFile | None:
        """The data file that types `iri` (where it is defined), else one that describes it or names it as a graph."""
        node = URIRef(iri)
        for f in self.files:
            if any(True for _ in f.dataset.quads((node, RDF.type, None, None))):
                return f
        for f in self.files:
            if any(True for _ in f.dataset.quads((node, None, None, None))) or any(
                g.identifier == node for g in f.dataset.graphs()
            ):
                return f
        return None

    def locate(self, iri: str) -> tuple[Path | None, int | None]:
        f = self.file_of(iri)
        return (f.path, f.line_of(iri)) if f else (None, None)

    def located(self, problem: Problem) -> Problem:
        """`problem` with file and line of its subject filled in, when it has none."""
        if problem.file is not None or problem.subject is None:
            return problem
        file, line = self.locate(problem.subject)
        return dataclasses.replace(problem, file=file, line=line)


def line_of(path: Path, iri: str) -> int | None:
    local = re.split(r"[/#]", iri.rstrip("/"))[-1]
    patterns = [f"<{iri}>", f":{local}"]
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = text.lstrip()
        if stripped.startswith("#") or stripped.startswith("@prefix"):
            continue
        if any(re.search(re.escape(p) + r"(?![\w-])", text) for p in patterns):
            return number
    return None


def check_syntax(path: Path) -> None:
    """Raise BuildFailed naming line and column if `path` is not well-formed RDF (Oxigraph's strict parser)."""
    try:
        for _ in ox.parse(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip("."))):
            pass
    except SyntaxError as e:
        raise BuildFailed(
            [
                Problem(
                    "syntax",
                    str(e.msg if hasattr(e, "msg") else e),
                    file=path,
                    line=e.lineno,
                    column=e.offset,
                    fix="correct the RDF syntax at this position (a missing '.', ';', '}' or quote is common)",
                )
            ]
        ) from None


def parse_graphs(paths: Iterable[Path]) -> dict[Path, Graph]:
    graphs = {}
    for path in sorted(paths):
        check_syntax(path)
        graphs[path] = Graph().parse(path, format=RDF_SUFFIXES[path.suffix])
    return graphs


def merge(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for graph in graphs:
        merged += graph
        for prefix, ns in graph.namespaces():
            merged.bind(prefix, ns, override=False)
    return merged


def parse_data_file(path: Path) -> DataFile:
    if path.suffix not in RDF_SUFFIXES:
        raise BuildFailed([Problem("syntax", f"unknown file type {path.suffix!r}", file=path,
                                   fix="facts files are TriG (.trig) with one named graph per claim")])
    check_syntax(path)
    dataset = Dataset()
    dataset.parse(path, format=RDF_SUFFIXES[path.suffix])
    return DataFile(path, dataset)


def rdf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in RDF_SUFFIXES)


def load_inputs(ontology_dir: Path, shapes_dir: Path, data_files: Iterable[Path]) -> Inputs:
    """Parse everything; collect every syntax error before failing."""
    problems: list[Problem] = []
    parts: dict[str, dict[Path, Graph]] = {}
    for name, folder in (("ontology", ontology_dir), ("shapes", shapes_dir)):
        try:
            parts[name] = parse_graphs(rdf_files(folder))
        except BuildFailed as e:
            problems += e.problems
    files: list[DataFile] = []
    for path in data_files:
        try:
            files.append(parse_data_file(path))
        except BuildFailed as e:
            problems += e.problems
    if problems:
        raise BuildFailed(problems)
    return Inputs(merge(parts["ontology"].values()), merge(parts["shapes"].values()), files, parts["ontology"])
