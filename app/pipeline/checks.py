"""Checks that are not SHACL shapes: claim/graph bookkeeping, verbatim quotes, declared vocabulary, IRI form."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from app.pipeline.errors import Problem
from app.pipeline.load import DataFile, Inputs
from app.vocab import DEFCOOP

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILT_IN = {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy}  # OWL 2's own annotations
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def provenance_prefix(base_iri: str) -> str:
    return f"{base_iri}graph/provenance/"


def check_claim_graphs(inputs: Inputs, base_iri: str) -> list[Problem]:
    """Every triple sits in a named graph; every named graph is a provenance graph or a described claim."""
    problems: list[Problem] = []
    described = {c for f in inputs.files for c in _claims(f)}
    prefix = provenance_prefix(base_iri)
    for f in inputs.files:
        names = set()
        for graph in f.dataset.graphs():
            if len(graph) == 0:
                continue
            name = graph.identifier
            if not isinstance(name, URIRef) or str(name) == "urn:x-rdflib:default":
                s = next(iter(graph))[0]
                problems.append(Problem(
                    "provenance", "triples outside any named graph: every fact must belong to a claim",
                    file=f.path, line=f.line_of(str(s)), subject=str(s),
                    fix="wrap the triples in `claim:<id> { … }` and describe claim:<id> in the provenance graph"))
                continue
            names.add(name)
            if not str(name).startswith(prefix) and name not in described:
                problems.append(Problem(
                    "provenance", f"graph <{name}> is not described as a defcoop:Claim",
                    file=f.path, line=f.line_of(str(name)), subject=str(name),
                    fix="add `<graph> a defcoop:Claim ; prov:wasDerivedFrom <source> ; defcoop:quote \"…\" ; "
                        "defcoop:epistemicStatus <status>` to the provenance graph"))
        for claim in _claims(f) - names:
            if not any(claim in {g.identifier for g in o.dataset.graphs() if len(g)} for o in inputs.files):
                problems.append(Problem(
                    "provenance", f"claim <{claim}> is described but has no graph of facts",
                    file=f.path, line=f.line_of(str(claim)), subject=str(claim),
                    fix="add the triples its quote supports as `claim:<id> { … }`, or remove the description"))
    return problems


def check_quotes(inputs: Inputs, union: Graph, data_dir: Path) -> list[Problem]:
    """Each claim's quote (in `union`, all facts merged) occurs verbatim in the text of its source."""
    problems: list[Problem] = []
    texts: dict[URIRef, str | None] = {}
    for source, text_file in union.subject_objects(DEFCOOP.textFile):
        path = data_dir / str(text_file)
        texts[source] = path.read_text(encoding="utf-8") if path.is_file() else None
        if texts[source] is None:
            file, line = inputs.locate(str(source))
            problems.append(Problem(
                "quote", f"source text file {path} does not exist", file=file, line=line, subject=str(source),
                fix="put the source's text in data/sources/ and give its path relative to data/ in defcoop:textFile"))
    for claim, quote in union.subject_objects(DEFCOOP.quote):
        for source in union.objects(claim, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")):
            text = texts.get(source)  # type: ignore[arg-type]
            if text is not None and str(quote) not in text:
                file, line = inputs.locate(str(claim))
                hint = _closest_sentence(str(quote), text)
                problems.append(Problem(
                    "quote", f"quote not found verbatim in the text of <{source}>: {_short(str(quote))!r}",
                    file=file, line=line, subject=str(claim),
                    fix="copy the span exactly from the source text (spaces, dashes and curly quotes matter)"
                        + (f"; closest sentence: {_short(hint)!r}" if hint else "")))
    return problems


def check_vocabulary(inputs: Inputs) -> list[Problem]:
    """Every class and predicate the data uses is declared in the ontology, so a typo in an IRI fails."""
    declared = {s for kind in DECLARATIONS for s in inputs.ontology.subjects(RDF.type, kind)} | BUILT_IN
    problems: list[Problem] = []
    for f in inputs.files:
        seen: set[tuple[str, URIRef]] = set()
        for s, p, o, _ in f.dataset.quads((None, None, None, None)):
            terms = [("predicate", p)]
            if p == RDF.type and isinstance(o, URIRef):
                terms.append(("class", o))
            for role, term in terms:
                if term in declared or (role, term) in seen:
                    continue
                seen.add((role, term))
                guess = difflib.get_close_matches(str(term), [str(d) for d in declared], n=1, cutoff=0.8)
                problems.append(Problem(
                    "vocabulary", f"undeclared {role} <{term}>", file=f.path, line=f.line_of(str(s)),
                    subject=str(s),
                    fix=(f"did you mean <{guess[0]}>? " if guess else "")
                        + "use a term declared in ontology/, or declare it there with a label and definition"))
    return problems


def check_iris(inputs: Inputs, base_iri: str) -> list[Problem]:
    """Subjects under the base IRI have the form {base}id/{type}/{slug} (or name a DefCoop graph)."""
    problems: list[Problem] = []
    for f in inputs.files:
        for s in set(f.dataset.subjects()):
            iri = str(s)
            if not iri.startswith(base_iri) or iri.startswith(base_iri + "graph/"):
                continue
            parts = iri[len(base_iri):].split("/")
            if len(parts) != 3 or parts[0] != "id" or not all(SLUG.fullmatch(x) for x in parts[1:]):
                problems.append(Problem(
                    "iri", f"entity IRI <{iri}> is not of the form {base_iri}id/{{type}}/{{slug}}",
                    file=f.path, line=f.line_of(iri), subject=iri,
                    fix="use lower-case words joined by hyphens for type and slug, e.g. id/firm/example-aerospace"))
    return problems


def union_graph(files: list[DataFile]) -> Graph:
    """All triples of all data files in one graph, as SPARQL users see them without GRAPH."""
    graph = Graph()
    for f in files:
        for s, p, o, _ in f.dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
    return graph


def _claims(f: DataFile) -> set[URIRef]:
    return {s for s, _, _, _ in f.dataset.quads((None, RDF.type, DEFCOOP.Claim, None))}  # type: ignore[misc]


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _closest_sentence(quote: str, text: str) -> str | None:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    best = difflib.get_close_matches(quote, sentences, n=1, cutoff=0.5)
    return best[0] if best else None



