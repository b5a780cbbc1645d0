"""data → build: parse ► checks ► SHACL ► OWL (HermiT) ► publish. Never imports the web layer."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from app.config import Settings
from app.pipeline.checks import check_claim_graphs, check_iris, check_quotes, check_vocabulary, union_graph
from app.pipeline.errors import BuildFailed, Problem
from app.pipeline.load import Inputs, load_inputs, rdf_files
from app.pipeline.publish import Published, publish
from app.pipeline.reason import check_consistency, materialise
from app.pipeline.validate import validate_shapes

__all__ = ["BuildFailed", "Checked", "Problem", "build", "check", "data_files"]


@dataclass
class Checked:
    inputs: Inputs
    inferred: Graph
    timings: dict[str, float]


def data_files(settings: Settings, candidates: Iterable[Path] = ()) -> list[Path]:
    """The facts files of data/facts, with candidates added (or replacing a file of the same name)."""
    chosen = {p.name: p for p in rdf_files(settings.data_dir / "facts")}
    for path in candidates:
        chosen[Path(path).name] = Path(path)
    return sorted(chosen.values())


def check(settings: Settings, files: list[Path]) -> Checked:
    """Run every check on the given facts files; raise BuildFailed with all located problems."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    inputs = load_inputs(settings.ontology_dir, settings.shapes_dir, files)
    lap("parse")
    data = union_graph(inputs.files)
    problems = (check_claim_graphs(inputs, settings.base_iri) + check_vocabulary(inputs)
                + check_iris(inputs, settings.base_iri) + check_quotes(inputs, data, settings.data_dir))
    lap("checks")
    problems += validate_shapes(inputs, data)
    lap("shacl")
    if problems:
        raise BuildFailed(problems)
    inferred = materialise(inputs.ontology, data)
    problems = [inputs.located(p) for p in check_consistency(inputs.ontology, data, inferred)]
    lap("reason")
    if problems:
        raise BuildFailed(problems)
    return Checked(inputs, inferred, timings)


def build(settings: Settings) -> Published:
    """Check all data and publish it as the new current release, or raise BuildFailed and change nothing."""
    checked = check(settings, data_files(settings))
    return publish(settings, checked.inputs, checked.inferred, checked.timings)
