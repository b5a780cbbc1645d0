"""Each claim as a nanopublication: its triples as the assertion, its description (source, quote, status,
attribution, rationale) as the provenance of that assertion, and where it comes from (the claim, the dataset's
licence) as publication info, under a trusty URI (module RA: the SHA-256 of the nanopublication's normalised quads,
base64url-encoded).

The nanopublication of claim `{base}id/claim/{id}` is `{base}np/{id}/RA…`; its graphs are `…#Head`, `…#assertion`,
`…#provenance` and `…#pubinfo`. The trusty code is computed as the trusty URI specification says (and as the
`nanopub` package checks it, tests/test_nanopubs.py): every occurrence of the code is replaced by a space, the quads
are sorted by graph, subject, predicate and object (IRIs before literals; literals by text, then datatype, then
language) and written one term per line.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from app.vocab import PREFIXES, RDF_TYPE, XSD_STRING

NP = "http://www.nanopub.org/nschema#"
PLACEHOLDER = " "
"""What the trusty code is replaced by while it is computed (the specification's choice)."""
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def nanopublication(base_iri: str, claim: str, assertion: Iterable[ox.Triple], description: Iterable[ox.Triple],
                    license_iri: str | None = None) -> tuple[str, list[ox.Quad]]:
    """The nanopublication of `claim`: its URI and quads. `assertion` are the claim graph's triples, `description`
    the triples of the provenance graph whose subject is the claim. It depends on nothing else (no build time), so
    an unchanged claim keeps its nanopublication, and its URI, from release to release."""
    claim_id = claim.rsplit("/", 1)[-1]
    prefix = f"{base_iri}np/{claim_id}/"
    draft = prefix + PLACEHOLDER  # the nanopublication's URI while its code is computed

    def sub(name: str) -> str:
        return f"{draft}#{name}"

    quads: list[tuple[str, Term | str, str, Term | str]] = []
    head, asserted, provenance, pubinfo = sub("Head"), sub("assertion"), sub("provenance"), sub("pubinfo")
    quads += [(head, draft, RDF_TYPE, NP + "Nanopublication"), (head, draft, NP + "hasAssertion", asserted),
              (head, draft, NP + "hasProvenance", provenance), (head, draft, NP + "hasPublicationInfo", pubinfo)]
    blanks: dict[str, str] = {}

    def term(t: Term) -> Term | str:
        if isinstance(t, ox.BlankNode):  # blank nodes become IRIs of the nanopublication
            return blanks.setdefault(t.value, sub(f"_{t.value}"))
        return t.value if isinstance(t, ox.NamedNode) else t

    quads += [(asserted, term(t.subject), t.predicate.value, term(t.object)) for t in assertion]
    quads += [(provenance, asserted, t.predicate.value, term(t.object)) for t in description
              if not (t.predicate.value == RDF_TYPE and t.object.value.startswith(PREFIXES["defcoop"]))]
    quads.append((pubinfo, draft, PREFIXES["prov"] + "wasDerivedFrom", claim))
    if license_iri:
        quads.append((pubinfo, draft, PREFIXES["dcterms"] + "license", license_iri))
    code = trusty_code(quads)

    def final(t: Term | str) -> Term:
        if isinstance(t, str):
            return ox.NamedNode(t.replace(draft, prefix + code, 1))
        return t

    return prefix + code, [ox.Quad(final(s), final(p), final(o), final(g))  # type: ignore[arg-type]
                           for g, s, p, o in quads]


def trusty_code(quads: Iterable[tuple[str, Term | str, str, Term | str]]) -> str:
    """`RA` and the base64url SHA-256 of the normalised quads (graph, subject, predicate, object), whose IRIs
    already hold PLACEHOLDER where the code goes."""
    lines: list[bytes] = []
    previous = None
    for quad in sorted(set(quads), key=_order):
        line = b"".join(_line(t) for t in quad)
        if line != previous:
            lines.append(line)
        previous = line
    digest = hashlib.sha256(b"".join(lines)).digest()
    return "RA" + base64.b64encode(digest, b"-_").decode().rstrip("=")


def _order(quad: tuple[str, Term | str, str, Term | str]) -> tuple[object, ...]:
    g, s, p, o = quad
    if isinstance(o, ox.Literal):
        datatype = None if o.language else o.datatype.value
        # text; then language-tagged before typed, typed by datatype; then untagged before tagged, by tag
        kind = (1, o.value.encode(), datatype is not None, datatype or "", o.language is not None, o.language or "")
    else:
        kind = (0, str(o).encode())
    return (str(g).encode(), str(s).encode(), p.encode(), kind)


def _line(t: Term | str) -> bytes:
    if isinstance(t, ox.Literal):
        text = t.value.replace("\\", "\\\\").replace("\n", "\\n")
        if t.language:
            return f"@{t.language.lower()} {text}\n".encode()
        return f"^{t.datatype.value if t.datatype else XSD_STRING} {text}\n".encode()
    return f"{t}\n".encode()
