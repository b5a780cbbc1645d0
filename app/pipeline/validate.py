"""SHACL validation with pySHACL; each result becomes a located Problem."""

from __future__ import annotations

import pyshacl
from rdflib import Graph, Namespace, URIRef

from app.pipeline.errors import Problem
from app.pipeline.load import Inputs

SH = Namespace("http://www.w3.org/ns/shacl#")


def validate_shapes(inputs: Inputs, data: Graph) -> list[Problem]:
    """Validate the union of all facts against shapes/, with the ontology so subclass targets apply.

    The ontology folder's individuals (the SKOS concepts of ontology/concepts.ttl) are validated too, and
    are visible to `sh:class` checks of the data that links to them.
    """
    conforms, report, _ = pyshacl.validate(
        data + inputs.ontology, shacl_graph=inputs.shapes, ont_graph=inputs.ontology,
        inference="none", advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    if not isinstance(report, Graph):  # pySHACL could not run the shapes themselves
        return [Problem("shape", f"the shapes could not be applied: {report}",
                        fix="correct the SHACL in shapes/ (run the shape tests)")]
    problems = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage) or "constraint violated"
        file, line = inputs.locate(str(focus))
        detail = []
        if isinstance(path, URIRef):
            detail.append(f"property {_short(inputs, path)}")
        if value is not None:
            detail.append(f"value {value.n3(inputs.ontology.namespace_manager)}")
        shape = _shape_name(inputs.shapes, report, result)
        problems.append(Problem(
            "shape", f"violates {shape}" + (f": {', '.join(detail)}" if detail else ""),
            file=file, line=line, subject=str(focus), shape=shape, fix=str(message)))
    return sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.message))


def _shape_name(shapes: Graph, report: Graph, result: URIRef) -> str:
    """The named shape a result comes from (a property shape's parent NodeShape when it is blank)."""
    shape = report.value(result, SH.sourceShape)
    if isinstance(shape, URIRef):
        return _local(shape)
    parent = shapes.value(None, SH.property, shape)
    if isinstance(parent, URIRef):
        component = report.value(result, SH.sourceConstraintComponent)
        return f"{_local(parent)} ({_local(component)})" if component else _local(parent)
    return str(shape)


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _short(inputs: Inputs, iri: URIRef) -> str:
    try:
        return inputs.ontology.namespace_manager.normalizeUri(iri)
    except Exception:
        return f"<{iri}>"
