"""A term as a page shows it (shared by every part of the page model)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """A term as a page shows it: an IRI with its label, a literal with its language or datatype, a blank node."""

    value: str
    label: str
    kind: str = "iri"  # "iri" | "literal" | "blank"
    language: str | None = None
    datatype: str | None = None  # compact name such as "xsd:date"; None for plain and language-tagged strings

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"
