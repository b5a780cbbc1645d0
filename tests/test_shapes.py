"""The SHACL shapes accept realistic data and reject each kind of mistake with a message for the editor.

Paired fixtures: every file in fixtures/shapes/valid/ must conform; every file in fixtures/shapes/invalid/
holds exactly one kind of mistake and names the node shape that must catch it on its first line
(`# expect: MeetingShape`).
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from app.pipeline.validate import violations

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY = ROOT / "ontology" / "defcoop.ttl"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
DEFCOOP = Namespace("https://w3id.org/defcoop/ontology#")
DEFCOOP_SH = Namespace("https://w3id.org/defcoop/shapes#")



def load_shapes(folder: Path = SHAPES_DIR) -> Graph:
    """The shapes graph: every .ttl file of the shapes folder, merged."""
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def validate(path: Path, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    data = Graph().parse(path, format="turtle")
    conforms, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    assert isinstance(report, Graph), f"pySHACL could not validate {path.name}: {report}"
    return conforms, report, text


def fixtures(kind: str) -> list:
    return [pytest.param(path, id=path.stem) for path in sorted((FIXTURES / kind).glob("*.ttl"))]


def expected_shape(path: Path) -> URIRef:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# expect: "), f"{path.name} must start with `# expect: <ShapeName>`"
    return DEFCOOP_SH[first_line.removeprefix("# expect: ").strip()]


def node_shape_of(shape: Node, shapes: Graph) -> Node:
    """The node shape a result comes from: the shape itself, or the node shape holding the property shape."""
    return shapes.value(predicate=SH.property, object=shape) or shape


def node_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(RDF.type, SH.NodeShape))


@pytest.mark.parametrize("path", fixtures("valid"))
def test_valid_data_conforms(path: Path, shapes: Graph, ontology: Graph) -> None:
    conforms, _, text = validate(path, shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("path", fixtures("invalid"))
def test_invalid_data_is_rejected_by_the_expected_shape_with_a_message(
    path: Path, shapes: Graph, ontology: Graph
) -> None:
    expected = expected_shape(path)
    assert expected in node_shapes(shapes), f"{path.name} expects {expected}, which shapes/ does not define"
    conforms, report, text = validate(path, shapes, ontology)
    assert not conforms, f"{path.name} should not conform"
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    caught_by = {node_shape_of(report.value(r, SH.sourceShape), shapes) for r in results}
    assert caught_by == {expected}, text
    kinds = {
        (
            report.value(r, SH.sourceShape),
            report.value(r, SH.sourceConstraintComponent),
            report.value(r, SH.sourceConstraint),
        )
        for r in results
    }
    assert len(kinds) == 1, f"{path.name} should hold exactly one kind of violation:\n{text}"
    for result in results:
        messages = [str(m).strip() for m in report.objects(result, SH.resultMessage)]
        assert messages and all(messages), text


def test_every_constraint_has_a_message_for_the_editor(shapes: Graph) -> None:
    """Property shapes and SPARQL constraints carry the sh:message reported to whoever edits the data;
    so does a node shape with constraints of its own (other than its property shapes and SPARQL)."""
    structural = {SH.property, SH.sparql, SH.targetClass, RDF.type, SH.message}
    constrained = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    constrained |= {
        shape
        for shape in node_shapes(shapes)
        if any(p.startswith(str(SH)) and p not in structural for p in shapes.predicates(shape, None))
    }
    silent = [
        shapes.value(predicate=SH.property, object=c) or shapes.value(predicate=SH.sparql, object=c) or c
        for c in constrained
        if not any(isinstance(m, Literal) and str(m).strip() for m in shapes.objects(c, SH.message))
    ]
    assert not silent, f"constraints without sh:message in shapes of: {sorted(set(map(str, silent)))}"


def test_every_node_shape_is_exercised_by_an_invalid_fixture(shapes: Graph) -> None:
    expected = {expected_shape(param.values[0]) for param in fixtures("invalid")}
    untested = node_shapes(shapes) - expected
    assert not untested, f"no invalid fixture expects {sorted(map(str, untested))}"


def test_class_shapes_are_named_after_their_class(shapes: Graph, ontology: Graph) -> None:
    """`defcoop-sh:FirmShape` targets `defcoop:Firm`: one concept, one name."""
    classes = set(ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    for shape in node_shapes(shapes):
        cls = DEFCOOP[str(shape).removeprefix(str(DEFCOOP_SH)).removesuffix("Shape")]
        if cls in classes:
            assert (shape, SH.targetClass, cls) in shapes, f"{shape} should have sh:targetClass {cls}"


# The build runs SPARQL constraints in bulk (app/pipeline/validate.py) rather than through pySHACL: both must agree.


@pytest.mark.parametrize("path", fixtures("valid"))
def test_build_validation_accepts_valid_data(path: Path, shapes: Graph, ontology: Graph) -> None:
    assert violations(Graph().parse(path, format="turtle"), shapes, ontology) == []


@pytest.mark.parametrize("path", fixtures("invalid"))
def test_build_validation_rejects_with_the_expected_shape(path: Path, shapes: Graph, ontology: Graph) -> None:
    found = violations(Graph().parse(path, format="turtle"), shapes, ontology)
    assert found and {v.shape for v in found} == {str(expected_shape(path)).rsplit("#", 1)[-1]}
    assert all(v.message and "{?" not in v.message and "{$" not in v.message for v in found)


@pytest.mark.parametrize("path", fixtures("invalid"))
def test_build_validation_finds_the_same_focus_nodes_as_pyshacl(path: Path, shapes: Graph, ontology: Graph) -> None:
    _, report, _ = validate(path, shapes, ontology)
    expected = {(str(report.value(r, SH.focusNode)), str(node_shape_of(report.value(r, SH.sourceShape), shapes)))
                for r in report.subjects(RDF.type, SH.ValidationResult)}
    found = {(str(v.focus), str(DEFCOOP_SH[v.shape])) for v in violations(Graph().parse(path), shapes, ontology)}
    assert found == expected


def test_constraints_that_cannot_run_in_bulk_stay_with_pyshacl(ontology: Graph) -> None:
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:NegationShape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:sparql [ sh:message "needs a name" ;
                        sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/name> ?n } }" ] .
        ex:OffShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ;
            sh:sparql [ sh:message "never" ; sh:select "SELECT $this WHERE { $this a ?t }" ] .
        ex:NodeTargetShape a sh:NodeShape ; sh:targetNode ex:b ;
            sh:sparql [ sh:message "b is typed" ; sh:select "SELECT $this WHERE { $this a ?t }" ] .
    """, format="turtle")
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:Thing ; ex:name "a" . ex:b a ex:Thing .
    """, format="turtle")
    found = {(str(v.focus), v.shape) for v in violations(data, shapes, ontology)}
    assert found == {("http://example.org/b", "NegationShape"), ("http://example.org/b", "NodeTargetShape")}


def test_a_value_that_cannot_be_compared_falls_outside_a_range_in_bulk_as_in_pyshacl(
        tmp_path: Path, shapes: Graph, ontology: Graph) -> None:
    """sh:minInclusive and its siblings: a value that is not comparable with the bound (text where a latitude
    belongs) violates them; the compiled query must say so as pySHACL does, not let the comparison's error pass."""
    data = tmp_path / "latitude-as-text.ttl"
    data.write_text("""
        @prefix defcoop: <https://w3id.org/defcoop/ontology#> .
        @prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        <https://w3id.org/defcoop/id/city/x> a defcoop:City ;
            defcoop:inCountry <https://w3id.org/defcoop/id/country/y> ; geo:lat "north of the river" .
        <https://w3id.org/defcoop/id/country/y> a defcoop:Country .
    """, encoding="utf-8")
    _, report, _ = validate(data, shapes, ontology)
    expected = {str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
                for r in report.subjects(RDF.type, SH.ValidationResult)}
    found = {v.component for v in violations(Graph().parse(data), shapes, ontology)}
    assert {"MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent"} <= expected
    assert found == expected
