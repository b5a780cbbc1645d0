"""SPARQL 1.1 query results written by hand, row by row (JSON, XML, CSV, TSV), for the formats whose output DefCoop
controls (the truncation marker, DefCoop's own JSON member); renderers.write_solutions chooses among them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from app.vocab import XSD_STRING

ResultTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[ResultTerm | None]


def truncation_link(max_rows: int) -> str:
    """The link a truncated XML (or JSON) result carries in its head."""
    return f"urn:defcoop:truncated:sparql_max_rows={max_rows}"


def _json_term(term: ResultTerm) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def json_solutions(variables: Sequence[str], rows: Sequence[Row], truncated_at: int | None) -> bytes:
    document: dict[str, Any] = {"head": {"vars": list(variables)}}
    if truncated_at is not None:
        document["head"]["link"] = [truncation_link(truncated_at)]
        document["defcoop"] = {"truncated": True, "sparql_max_rows": truncated_at}
    document["results"] = {
        "bindings": [
            {name: _json_term(term) for name, term in zip(variables, row, strict=True) if term is not None}
            for row in rows
        ]
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _xml_term(term: ResultTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def xml_solutions(variables: Sequence[str], rows: Sequence[Row], truncated_at: int | None) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    out.write("<head>")
    for name in variables:
        out.write(f"<variable name={quoteattr(name)}/>")
    if truncated_at is not None:
        out.write(f"<link href={quoteattr(truncation_link(truncated_at))}/>")
    out.write("</head>\n<results>\n")
    for row in rows:
        out.write("<result>")
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                out.write(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue().encode()


def _csv_value(term: ResultTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return str(term)
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def csv_solutions(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(term) for term in row])
    return out.getvalue().encode()


def _tsv_value(term: ResultTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<< {_tsv_value(term.subject)} {_tsv_value(term.predicate)} {_tsv_value(term.object)} >>"
    return str(term)


def tsv_solutions(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join("?" + name for name in variables)]
    lines += ["\t".join(_tsv_value(term) for term in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()
