"""What a user query may not do, and why it is refused: updates, SERVICE, graphs outside the store.

`prepare()` parses the query with rdflib and checks its algebra (not its text, so comments and strings cannot
fool it): SPARQL Update is refused (403); SERVICE is refused (400) unless its IRI is in
`sparql_allowed_services`; FROM / FROM NAMED become the query's dataset, and `check_graph()` refuses (400) any
graph the store does not hold, so nothing is fetched from elsewhere. A query rdflib cannot parse is refused with
its message, even if Oxigraph might accept it: what cannot be checked does not run. `normalise()` makes sure the
text checked is the text run. (Request size is limited before a query gets here: `max_request_bytes`, 413/414.)
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseResults
from rdflib import URIRef
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue

from app.store import GraphStore
from app.web.errors import HTTPError
from app.web.queries.common import in_graph

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class Prepared:
    """A query that passed the checks: its form and the dataset its FROM / FROM NAMED clauses name."""

    text: str
    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    graph_iris: tuple[str, ...] | None = None
    """The IRIs of the query's `GRAPH <iri>` patterns when it has no `GRAPH ?var` (None when it has one)."""


def normalise(text: str) -> str:
    """The query exactly as both parsers will read it, so the checked text is the executed text.

    rdflib (the checker) and Oxigraph (the executor) differ in two lexical details: Oxigraph ends a `#` comment at
    a bare carriage return, rdflib only at a line feed; rdflib expands `\\uXXXX` codepoint escapes everywhere (as
    the SPARQL grammar says), Oxigraph only inside strings and IRIs. Escapes are expanded here, once (a query that
    still holds an escape after that, a doubly escaped one, is refused); then line ends become line feeds, so an
    escaped carriage return (`\\u000D`) cannot end a comment for one parser only.
    """
    try:
        expanded = parser.expandUnicodeEscapes(text)
        again = parser.expandUnicodeEscapes(expanded)
    except ValueError as exc:
        raise HTTPError(400, f"SPARQL syntax error: {exc}") from None
    if again != expanded:
        raise HTTPError(400, "doubly escaped \\u / \\U codepoint escapes are not accepted")
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


def prepare(text: str, allowed_services: Collection[str] = ()) -> Prepared:
    """Parse `text` and check it is a read-only query that reaches no other server (see the module docstring).

    `Prepared.text` is the normalised query (see `normalise`): run that, never the original. rdflib's parser takes
    tens of milliseconds, so the verdicts on the last PREPARED_CACHED query texts are kept (clients repeat queries).
    """
    return _prepare(text, tuple(sorted(allowed_services)))


PREPARED_CACHED = 512
"""Accepted query texts each query process remembers checked (refusals are checked again each time)."""


@functools.lru_cache(maxsize=PREPARED_CACHED)
def _prepare(text: str, allowed_services: tuple[str, ...]) -> Prepared:
    text = normalise(text)
    if not text.strip():
        raise HTTPError(400, "the query is empty")
    try:
        query = algebra.translateQuery(parser.parseQuery(text))
    except Exception as exc:  # rdflib raises ParseException, plain Exception (unknown prefix), …
        if _is_update(text):
            raise HTTPError(403, "this endpoint is read-only: SPARQL Update is not accepted") from None
        raise HTTPError(400, f"SPARQL syntax error: {exc}") from None
    form = FORMS.get(query.algebra.name)
    if form is None:
        raise HTTPError(400, f"unsupported query form {query.algebra.name}")
    graph_iris: set[str] | None = set()
    for node in _nodes(query.algebra):
        if node.name == "Graph" and graph_iris is not None:
            term = dict.get(node, "term")
            graph_iris = graph_iris | {str(term)} if isinstance(term, URIRef) else None
        if node.name == "ServiceGraphPattern":
            term = dict.get(node, "term")
            if not isinstance(term, URIRef) or str(term) not in allowed_services:
                shown = f"<{term}>" if isinstance(term, URIRef) else f"?{term}"
                raise HTTPError(
                    400,
                    f"SERVICE {shown} is not allowed: this endpoint does not query other servers "
                    "(setting sparql_allowed_services)",
                )
    default_graphs: list[str] = []
    named_graphs: list[str] = []
    # (CompValue.get returns the key itself when it is missing, hence dict.get)
    for clause in dict.get(query.algebra, "datasetClause") or ():
        if dict.get(clause, "default") is not None:
            default_graphs.append(str(dict.get(clause, "default")))
        else:
            named_graphs.append(str(dict.get(clause, "named")))
    return Prepared(text, form, tuple(default_graphs), tuple(named_graphs),
                    tuple(sorted(graph_iris)) if graph_iris is not None else None)


def check_graph(store: GraphStore, graph: str) -> None:
    """Refuse (400) a graph named by FROM, FROM NAMED or the protocol's graph parameters that `store` lacks."""
    try:
        node = ox.NamedNode(graph)
    except ValueError:
        raise HTTPError(400, f"graph name {graph!r} is not an absolute IRI") from None
    if not store.ask(f"ASK {{ {in_graph(str(node), '?s ?p ?o')} }}"):
        raise HTTPError(
            400, f"{node} is not a graph of this dataset; FROM, FROM NAMED, default-graph-uri and "
            "named-graph-uri may only name graphs of the store (nothing is fetched from elsewhere)"
        )


def _is_update(text: str) -> bool:
    try:
        return bool(dict.get(parser.parseUpdate(text), "request"))
    except Exception:
        return False


def _nodes(root: Any) -> Iterator[CompValue]:
    """Every algebra node under `root`, including those inside sub-queries and EXISTS expressions."""
    stack, seen = [root], set()
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield item
            stack.extend(dict.values(item))
        elif isinstance(item, list | tuple | set | frozenset | ParseResults):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
