"""The one registry of representations: short name ↔ file extension ↔ media type ↔ title, and how each is written.

Adding a format is an entry here (and, for a SPARQL results format, its branch in `write_solutions`); tests
round-trip every registered RDF and results format through real parsers.

* RDF documents (entity descriptions, CONSTRUCT/DESCRIBE answers, the VoID description) go through
  `write_graph()`: Oxigraph's serialisers, and compact JSON-LD with an inline @context (nothing fetched remotely).
* SELECT and ASK answers go through `write_solutions()` / `write_boolean()`. pyoxigraph can only serialise a whole
  result iterator: `native_solutions()` has it write a SELECT answer (JSON, XML, TSV) and counts the rows, and an
  answer over `sparql_max_rows` (or CSV) is written here, capped. When `truncated_at` is set, the head of
  a JSON or XML body carries the standard link `urn:defcoop:truncated:sparql_max_rows=N`, and a JSON body also a
  top-level member `"defcoop": {"truncated": true, "sparql_max_rows": N}` (placed before `"results"`, where
  oxigraph's and rdflib's parsers accept it). CSV and TSV have no place for it, so clients rely on the
  `X-DefCoop-Truncated` header there.

Content negotiation everywhere (pages, RDF documents, SPARQL results, error bodies) is a lookup in
this table: a view decides which formats it *offers* (an ordered sequence, most preferred first),
then `choose()` picks one from a `format=` override (short name, extension or media type) or from
the Accept header (`negotiate()`, RFC 9110 q-values).

    >>> negotiate("text/turtle;q=0.5, application/ld+json", RDF_FORMATS).name
    'json-ld'
    >>> lookup("ttl").media_type
    'text/turtle'
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from app.web.errors import HTTPError
from app.web.results_writers import (
    Row,
    csv_solutions,
    json_solutions,
    tsv_solutions,
    xml_solutions,
)

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialisation. `kind` groups formats by what they can carry: "rdf", "results", "page", "text"."""

    name: str
    extension: str
    media_type: str
    kind: str
    aliases: tuple[str, ...] = ()
    rdflib: str | None = None
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    w3c: str | None = None
    quads: bool = False
    title: str = ""
    """How pages name the format: `Turtle`, `JSON-LD`, `RDF/XML`, `CSV`."""

    @property
    def media_types(self) -> tuple[str, ...]:
        """The canonical media type first, then the aliases accepted in Accept and `format=`."""
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        """The Content-Type header value: textual `text/*` types say their charset."""
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")


TURTLE = Format(
    "turtle", "ttl", "text/turtle", "rdf",
    ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),  # Turtle is N3
    "turtle", ox.RdfFormat.TURTLE, W3C_FORMATS + "Turtle", title="Turtle")
JSON_LD = Format(
    "json-ld", "jsonld", "application/ld+json", "rdf", ("application/json",),
    "json-ld", ox.RdfFormat.JSON_LD, W3C_FORMATS + "JSON-LD", title="JSON-LD")
N_TRIPLES = Format(
    "n-triples", "nt", "application/n-triples", "rdf", (), "nt", ox.RdfFormat.N_TRIPLES, W3C_FORMATS + "N-Triples",
    title="N-Triples")
RDF_XML = Format(
    "rdf-xml", "rdf", "application/rdf+xml", "rdf", ("application/xml", "text/xml"),
    "xml", ox.RdfFormat.RDF_XML, W3C_FORMATS + "RDF_XML", title="RDF/XML")
TRIG = Format(
    "trig", "trig", "application/trig", "rdf", (), "trig", ox.RdfFormat.TRIG, W3C_FORMATS + "TriG", True, title="TriG")
N_QUADS = Format(
    "n-quads", "nq", "application/n-quads", "rdf", (), "nquads", ox.RdfFormat.N_QUADS, W3C_FORMATS + "N-Quads", True,
    title="N-Quads")
RESULTS_JSON = Format(
    "json", "srj", "application/sparql-results+json", "results", ("application/json",),
    "json", ox.QueryResultsFormat.JSON, W3C_FORMATS + "SPARQL_Results_JSON", title="JSON")
RESULTS_XML = Format(
    "xml", "srx", "application/sparql-results+xml", "results", ("application/xml", "text/xml"),
    "xml", ox.QueryResultsFormat.XML, W3C_FORMATS + "SPARQL_Results_XML", title="XML")
RESULTS_CSV = Format(
    "csv", "csv", "text/csv", "results", (), "csv", ox.QueryResultsFormat.CSV, W3C_FORMATS + "SPARQL_Results_CSV",
    title="CSV")
RESULTS_TSV = Format(
    "tsv", "tsv", "text/tab-separated-values", "results", (),
    "tsv", ox.QueryResultsFormat.TSV, W3C_FORMATS + "SPARQL_Results_TSV", title="TSV")
HTML = Format("html", "html", "text/html", "page", ("application/xhtml+xml",), title="HTML")
TEXT = Format("text", "txt", "text/plain", "text", title="plain text")
JSON = Format("json", "json", "application/json", "data", title="JSON")
"""Plain JSON, for documents that are neither RDF nor query results (the /downloads listing, error bodies).
Not in FORMATS, where `json` and `application/json` name RESULTS_JSON; the views that offer it list it."""
RDF_PATCH = Format("rdf-patch", "rdfp", "application/rdf-patch", "patch", title="RDF Patch")
"""A change between two releases as RDF Patch (https://afs.github.io/rdf-patch/); the diff views offer it."""
LINK_FORMAT = Format("link-format", "", "application/link-format", "links", title="link format")
"""RFC 6690 link format, what a Memento TimeMap is written in (RFC 7089 §5)."""

RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML, TRIG, N_QUADS)
"""Formats for RDF documents and CONSTRUCT/DESCRIBE results, Turtle (the default) first."""
GRAPH_FORMATS: tuple[Format, ...] = tuple(f for f in RDF_FORMATS if not f.quads)
"""RDF formats without graph names (for documents that are one graph)."""
RESULTS_FORMATS: tuple[Format, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
"""SPARQL 1.1 query results formats for SELECT and ASK, JSON (the default) first."""
FORMATS: tuple[Format, ...] = (*RDF_FORMATS, *RESULTS_FORMATS, HTML, TEXT)


def lookup(key: str, among: Sequence[Format] = FORMATS) -> Format | None:
    """The format `key` names, among `among`: a short name or an extension (with or without dot), else
    a media type or its subtype (`rdf+xml`, `n3`: what clients such as SPARQLWrapper send as `format=`)."""
    key = key.strip().lower().removeprefix(".")
    for fmt in among:
        if key in (fmt.name, fmt.extension):
            return fmt
    media_type = key.split(";", 1)[0].strip()
    for fmt in among:
        if media_type in fmt.media_types or media_type in (t.split("/", 1)[1] for t in fmt.media_types):
            return fmt
    return None


def negotiate(accept_header: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered format the Accept header prefers, or None if it accepts none of them (→ 406).

    A missing or empty header accepts anything, so the first offered format wins. Each offered media
    type gets the q-value of the most specific range that matches it (`type/sub` beats `type/*` beats
    `*/*`, so `text/turtle;q=0, */*` excludes Turtle); aliases (e.g. `application/json`) only match when
    named exactly. The highest q wins, then the more specific range, then the order of `offered`.
    """
    return _negotiate(accept_header, tuple(offered))


NEGOTIATED_CACHED = 512
"""Accept headers (with the formats offered) whose choice each process remembers: clients send the same few."""


@functools.lru_cache(maxsize=NEGOTIATED_CACHED)
def _negotiate(accept_header: str | None, offered: tuple[Format, ...]) -> Format | None:
    if not offered:
        return None
    accept = parse_accept_header(accept_header, MIMEAccept)
    ranges = [(value.split(";", 1)[0].strip().lower(), q) for value, q in accept]
    if not ranges:
        return offered[0]
    best: tuple[float, int, int] | None = None
    choice = None
    for index, fmt in enumerate(offered):
        for media_type in fmt.media_types:
            match = _match(media_type, ranges, exact_only=media_type != fmt.media_type)
            if match is None or match[0] <= 0:
                continue
            rank = (match[0], match[1], -index)
            if best is None or rank > best:
                best, choice = rank, fmt
    return choice


def _match(media_type: str, ranges: list[tuple[str, float]], exact_only: bool) -> tuple[float, int] | None:
    """(q, specificity) of the most specific Accept range matching `media_type`, or None."""
    main = media_type.split("/", 1)[0]
    found: tuple[float, int] | None = None
    for value, q in ranges:
        if value == media_type:
            specificity = 3
        elif exact_only:
            continue
        elif value == main + "/*":
            specificity = 2
        elif value in ("*/*", "*"):
            specificity = 1
        else:
            continue
        if found is None or specificity > found[1]:
            found = (q, specificity)
    return found


def choose(offered: Sequence[Format], accept_header: str | None, override: str | None = None) -> Format:
    """The format to answer in: `override` (the `format=` parameter) if given, else negotiated from Accept.

    HTTPError 400 when `format=` names no format at all, 406 when the named or accepted ones are not offered."""
    names = ", ".join(f.name for f in offered)
    if override:
        fmt = lookup(override, offered)
        if fmt is not None:
            return fmt
        if lookup(override) is None:
            raise HTTPError(400, f"unknown format {override!r}; choose one of {names}")
        raise HTTPError(406, f"format {override!r} is not available here; choose one of {names}")
    fmt = negotiate(accept_header, offered)
    if fmt is None:
        types = ", ".join(f.media_type for f in offered)
        raise HTTPError(406, f"none of the formats in Accept: {accept_header} is available; offered: {types}")
    return fmt


# --- writers --------------------------------------------------------------------------------------------------


def write_graph(fmt: Format, triples: Iterable[ox.Triple] | Iterable[ox.Quad],
                prefixes: dict[str, str] | None = None) -> bytes:
    """`triples` (quads for TriG and N-Quads) in the RDF format `fmt` (Oxigraph's serialisers). JSON-LD is
    Oxigraph's, inside a document whose @context holds `prefixes`, as the release's JSON-LD dumps are: nothing is ever
    fetched from elsewhere."""
    if fmt.kind != "rdf" or not isinstance(fmt.oxigraph, ox.RdfFormat):
        raise ValueError(f"not an RDF format: {fmt.name}")
    if fmt is JSON_LD:
        graph = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
        return b'{"@context": ' + json.dumps(prefixes or {}, sort_keys=True).encode() + b', "@graph": ' + graph + b"}\n"
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes if fmt in (TURTLE, RDF_XML, TRIG) else None)


def write_solutions(fmt: Format, variables: Sequence[str], rows: Sequence[Row], truncated_at: int | None) -> bytes:
    """Serialise SELECT solutions; `truncated_at` is the row cap when rows were left off, else None."""
    if fmt == RESULTS_JSON:
        return json_solutions(variables, rows, truncated_at)
    if fmt == RESULTS_XML:
        return xml_solutions(variables, rows, truncated_at)
    if fmt == RESULTS_CSV:
        return csv_solutions(variables, rows)
    if fmt == RESULTS_TSV:
        return tsv_solutions(variables, rows)
    raise ValueError(f"not a SPARQL results format: {fmt.name}")


NATIVE_MAX_BYTES = 64_000_000
"""Most bytes of a SELECT answer Oxigraph writes itself before `native_solutions` gives up (and the answer is written
row by row, capped): bounds the memory an answer with a few huge values can take before it is cut."""
ROW_MARKS = {"json": b'},{"', "xml": b"<result>", "tsv": b"\n"}
"""What Oxigraph writes once per row (JSON: between two rows; TSV: once more, after the header), counted as it
writes: in XML every `<` of a value is escaped and in TSV every line break, so those counts are exact; a JSON
value may hold the JSON mark, so that count may be over (never under, but for rows with nothing bound)."""


class AnswerTooLarge(Exception):
    """Oxigraph's serialisation of an answer passed NATIVE_MAX_BYTES, or (by its row marks) the row cap."""


class _BoundedSink:
    """A binary file that keeps what Oxigraph writes, and stops it past `limit` bytes or `max_marks` row marks."""

    def __init__(self, limit: int, mark: bytes, max_marks: int) -> None:
        self.limit, self.mark, self.max_marks = limit, mark, max_marks
        self.size, self.marks, self.parts = 0, 0, []  # type: int, int, list[bytes]
        self._tail = b""  # the end of the last write, for a mark across two writes

    def write(self, data: bytes) -> int:
        data = bytes(data)
        self.size += len(data)
        joined = self._tail + data
        self.marks += joined.count(self.mark)  # the tail is shorter than a mark: none is counted twice
        self._tail = joined[-(len(self.mark) - 1):] if len(self.mark) > 1 else b""
        if self.size > self.limit or self.marks > self.max_marks:
            raise AnswerTooLarge(self.size)
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush (the parts are joined by `native_solutions`)."""


def _rows_written(fmt: Format, body: bytes) -> int:
    """How many solutions Oxigraph's `body` in `fmt` holds: JSON is parsed; XML and TSV rows are their marks."""
    if fmt == RESULTS_JSON:
        return len(json.loads(body)["results"]["bindings"])
    return body.count(ROW_MARKS[fmt.name]) - (1 if fmt == RESULTS_TSV else 0)


NATIVE_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_TSV)
"""SELECT answers Oxigraph writes itself (and `_rows_written` counts); CSV, whose quoted values may hold line breaks,
is written row by row."""


def native_solutions(fmt: Format, solutions: ox.QuerySolutions, max_rows: int) -> tuple[bytes, int] | None:
    """`solutions` written by Oxigraph in `fmt` (one of NATIVE_FORMATS), and how many there are; None once they pass
    `max_rows` (by their row marks, as Oxigraph writes: it computes no more than a few rows past the cap) or
    NATIVE_MAX_BYTES. Oxigraph writes rows in Rust at a fraction of the cost of writing them here (a SELECT of 9,400
    rows at 1M: 160 ms against 320). A caller then writes the answer capped with `write_solutions`, from the query
    run again, or, when the count is over `max_rows` (JSON's marks can be under for rows with nothing bound), from
    the rows parsed back (`ox.parse_query_results`)."""
    assert fmt in NATIVE_FORMATS and isinstance(fmt.oxigraph, ox.QueryResultsFormat)
    sink = _BoundedSink(NATIVE_MAX_BYTES, ROW_MARKS[fmt.name], max_rows + (1 if fmt == RESULTS_TSV else 0))
    try:
        solutions.serialize(sink, format=fmt.oxigraph)
    except AnswerTooLarge:
        return None
    body = b"".join(sink.parts)
    return body, _rows_written(fmt, body)


def write_boolean(fmt: Format, value: bool) -> bytes:
    """Serialise an ASK answer (CSV and TSV, which the standard leaves undefined, get `true`/`false`)."""
    if fmt == RESULTS_JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == RESULTS_XML:
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n"
        ).encode()
    if fmt in (RESULTS_CSV, RESULTS_TSV):
        return str(value).lower().encode()
    raise ValueError(f"not a SPARQL results format: {fmt.name}")


def table_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A page's table as CSV (RFC 4180: a header row, CRLF line ends), for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
