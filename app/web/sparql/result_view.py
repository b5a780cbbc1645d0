"""A query's answer as the query page shows it: a table for SELECT and ASK, Turtle text for CONSTRUCT and DESCRIBE.

The page runs a query through the same worker pool as any client, asking for `PAGE_ACCEPT` (SPARQL JSON
for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE: the worker picks what the query's form offers), then
`result_view()` turns the answer into plain data for `sparql.html`: cells are `model.Node`s whose IRIs
link where `urls.href` says (entity pages for DefCoop IRIs), whose literals keep their language or
datatype; the template escapes every text. Download links name the same query in the other formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.vocab import RDF_LANGSTRING, XSD_STRING
from app.web.model import Node
from app.web.queries import compact
from app.web.render import entity_kind
from app.web.renderers import (
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    RESULTS_FORMATS,
    RESULTS_JSON,
    TURTLE,
    Format,
)
from app.web.sparql.runner import Answer

PAGE_ACCEPT = f"{RESULTS_JSON.media_type}, {TURTLE.media_type}"
"""What the page asks the worker for: SPARQL JSON results, or Turtle for a graph."""
GRAPH_DOWNLOADS: tuple[Format, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)


@dataclass(frozen=True)
class ResultLink:
    """A link to the same query's results in another format."""

    title: str
    url: str
    filename: str
    media_type: str


@dataclass(frozen=True)
class ResultView:
    """What the page shows of one answer. `kind` is "table" (SELECT), "boolean" (ASK) or "graph"
    (CONSTRUCT/DESCRIBE, shown as `text` in Turtle); `count` rows or triples; `truncated` when the
    answer stopped at `max_rows` (setting sparql_max_rows)."""

    kind: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    text: str = ""
    count: int = 0
    truncated: bool = False
    max_rows: int = 0
    downloads: tuple[ResultLink, ...] = ()


def result_view(answer: Answer, settings: Settings, link: Callable[[Format], str]) -> ResultView:
    """Shape `answer` (SPARQL JSON or Turtle, see PAGE_ACCEPT) for the page; `link(fmt)` is the URL of the
    same request answered in `fmt`."""
    common: dict[str, Any] = {"count": answer.count, "truncated": answer.truncated, "max_rows": answer.max_rows}
    if answer.format is TURTLE:
        downloads = tuple(_download(fmt, link) for fmt in GRAPH_DOWNLOADS)
        return ResultView("graph", text=answer.body.decode("utf-8"), downloads=downloads, **common)
    if answer.format is not RESULTS_JSON:
        raise ValueError(f"the page reads SPARQL JSON or Turtle, not {answer.format.name}")
    downloads = tuple(_download(fmt, link) for fmt in RESULTS_FORMATS)
    document = json.loads(answer.body)
    if "boolean" in document:
        return ResultView("boolean", boolean=bool(document["boolean"]), downloads=downloads, **common)
    columns = tuple(document["head"]["vars"])
    rows = tuple(
        tuple(_node(binding[name], settings) if name in binding else None for name in columns)
        for binding in document["results"]["bindings"]
    )
    return ResultView("table", columns=columns, rows=rows, downloads=downloads, **common)


def _download(fmt: Format, link: Callable[[Format], str]) -> ResultLink:
    return ResultLink(fmt.title, link(fmt), f"results.{fmt.extension}", fmt.media_type)


def short_name(iri: str, settings: Settings) -> str:
    """How a result cell names an IRI: `person:sanjeev-kumar`, `defcoop:Meeting`, else the whole IRI."""
    kind = entity_kind(iri, settings)
    if kind:
        return f"{kind}:{iri[len(settings.id_prefix) + len(kind) + 1:]}"
    return compact(iri)


def _node(term: Mapping[str, Any], settings: Settings) -> Node:
    """A SPARQL JSON term as a page Node (an IRI's `value` is linked through `urls.href` by the template)."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return Node(value, short_name(value, settings))
    if kind == "literal" or kind == "typed-literal":
        datatype = term.get("datatype")
        shown = compact(datatype) if datatype and datatype not in (XSD_STRING, RDF_LANGSTRING) else None
        return Node(value, value, "literal", term.get("xml:lang"), shown)
    if kind == "bnode":
        return Node(value, f"_:{value}", "blank")
    return Node(json.dumps(value), _triple_text(value, settings), "blank")  # an RDF-star triple term


def _triple_text(value: Mapping[str, Any], settings: Settings) -> str:
    parts: Sequence[Node] = [_node(value[k], settings) for k in ("subject", "predicate", "object")]
    return "<< " + " ".join(p.label for p in parts) + " >>"
