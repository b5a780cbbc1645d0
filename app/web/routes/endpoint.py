"""/sparql: the SPARQL 1.1 Protocol (query operation only) and the endpoint's Service Description.

* GET `?query=`, POST `application/x-www-form-urlencoded` (`query=`), POST `application/sparql-query`;
  `default-graph-uri` / `named-graph-uri` (repeatable) replace the query's FROM / FROM NAMED;
  `format=` (short name, extension or media type) overrides Accept; `timeout=` (seconds) may lower
  the time limit, never raise it.
* 200 results (SELECT/ASK: SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, JSON-LD,
  N-Triples, RDF/XML, TriG, N-Quads) with `X-DefCoop-Truncated: true|false`.
* 400 syntax error, SERVICE not allowed, FROM/graph not in the store, bad parameter; 403 SPARQL
  Update (any variant); 406 no acceptable format; 413 body over `max_request_bytes`; 414 query
  string over it; 415 other POST content types; 503 over the time limit (naming `sparql_time_limit_s`)
  or nothing published.
* Browsers (an Accept that ranks `text/html` above every results and RDF format, or `format=html`) get the
  query page instead: the editor with the query, the example queries (`?example=<slug>` opens one), and,
  when a query was sent, its answer rendered server-side (a table, or Turtle) with download links; a
  refused or failed query shows its message on the page, with its status. The query runs in the same
  worker pool, under the same limits, as any other.
* Without `query`: the Service Description (Turtle, JSON-LD, N-Triples, RDF/XML) or the query page.
  GET answers carry ETag / Last-Modified and honour conditional requests (304).
* Errors are plain text, or JSON (`{"error": {"status", "message"}}`) for clients that prefer it (`render.error`).
* Like every answer of the site, these allow any origin; OPTIONS answers the CORS preflight (`http.common_headers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Request, Response, make_response, render_template, request, url_for
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.http import HTTP_STATUS_CODES

from app.web import sparql, urls
from app.web.context import context
from app.web.errors import HTTPError
from app.web.examples import examples
from app.web.http import conditional, truncated
from app.web.renderers import GRAPH_FORMATS, HTML, RDF_FORMATS, RESULTS_FORMATS, Format, choose, lookup, negotiate
from app.web.sparql.result_view import PAGE_ACCEPT, result_view

bp = Blueprint("sparql", __name__)  # so its view is url_for("sparql.endpoint")

SERVICE_DESCRIPTION_FORMATS = (*GRAPH_FORMATS, HTML)
ANSWER_FORMATS = (*RESULTS_FORMATS, *RDF_FORMATS, HTML)
"""What a request with a query may get; HTML last, so `*/*` gets results and only browsers get the page."""
EXAMPLE_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label WHERE {
  ?thing rdfs:label ?label .
}
LIMIT 25"""
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class ProtocolRequest:
    """The SPARQL Protocol parameters of one request; `query` is None when none was sent."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None
    timeout_s: float | None = None


def parse_protocol(req: Request, max_bytes: int) -> ProtocolRequest:
    """Read the protocol parameters from a GET or POST, refusing updates and ambiguous requests."""
    if len(req.query_string) > max_bytes:
        raise HTTPError(414, f"the query string is longer than max_request_bytes = {max_bytes}; use POST")
    params: MultiDict[str, str] = req.args
    body_query: str | None = None
    if req.method == "POST":
        if req.mimetype == "application/sparql-update":
            raise HTTPError(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if req.mimetype == "application/sparql-query":
            try:
                body_query = req.get_data().decode(req.mimetype_params.get("charset", "utf-8"))
            except (UnicodeDecodeError, LookupError) as exc:
                raise HTTPError(400, f"cannot decode the query: {exc}") from None
        elif req.mimetype in FORM_TYPES:
            params = CombinedMultiDict([req.args, req.form])
        else:
            raise HTTPError(
                415, "POST a query as application/sparql-query or application/x-www-form-urlencoded (query=…)"
            )
    if "update" in params:
        raise HTTPError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    queries = params.getlist("query")
    if len(queries) > 1 or (queries and body_query is not None):
        raise HTTPError(400, "send exactly one query")
    query = body_query if body_query is not None else (queries[0] if queries else None)
    if query is None and req.method == "POST":
        raise HTTPError(400, "the request has no query")
    timeout = params.get("timeout")
    try:
        timeout_s = float(timeout) if timeout else None
    except ValueError:
        raise HTTPError(400, f"timeout must be a number of seconds, not {timeout!r}") from None
    return ProtocolRequest(
        query=query,
        default_graphs=tuple(params.getlist("default-graph-uri")),
        named_graphs=tuple(params.getlist("named-graph-uri")),
        format=params.get("format") or None,
        timeout_s=timeout_s,
    )


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/releases/<release_id>/sparql", methods=["GET", "POST"])
@conditional
def endpoint() -> Response | str:
    settings = context().settings
    params = parse_protocol(request, settings.max_request_bytes)
    if params.query is None:
        return service_description(params.format)
    if wants_page(params.format):
        return query_page(params)
    answer = sparql.service().answer(
        params.query,
        release=context().release,  # the job runs on the release this request serves
        default_graphs=params.default_graphs,
        named_graphs=params.named_graphs,
        accept=request.headers.get("Accept"),
        format=params.format,
        timeout_s=params.timeout_s,
    )
    response = truncated(Response(answer.body, content_type=answer.format.content_type), answer.truncated)
    if answer.truncated:
        response.headers["X-DefCoop-Max-Rows"] = str(answer.max_rows)
    return response


def wants_page(format_override: str | None) -> bool:
    """Whether a request with a query is a browser's: `format=html`, or Accept prefers HTML to any answer format."""
    if format_override:
        return lookup(format_override) is HTML
    return negotiate(request.headers.get("Accept"), ANSWER_FORMATS) is HTML


def query_page(params: ProtocolRequest) -> Response:
    """The query page: the editor holding `params.query` (else `?example=<slug>`, else a starter query) and,
    when a query was sent, its answer or why it was refused, with the answer's status."""
    settings = context().settings
    found = examples(settings.ontology_dir)
    query, view, status, error, retry_after = params.query, None, 200, None, None
    if query is None:
        slug = request.args.get("example")
        chosen = next((e for e in found if e.slug == slug), None)
        if slug and chosen is None:
            status, error = 404, f"There is no example query {slug!r}; the examples are listed below."
        query = chosen.query if chosen else EXAMPLE_QUERY
    else:
        try:
            answer = sparql.service().answer(
                query,
                release=context().release,
                default_graphs=params.default_graphs,
                named_graphs=params.named_graphs,
                accept=PAGE_ACCEPT,
                timeout_s=params.timeout_s,
            )
            view = result_view(answer, settings, lambda fmt: download_url(params, fmt))
        except HTTPError as exc:
            status, error, retry_after = exc.status, exc.message, exc.retry_after
    response = make_response(render_template(
        "sparql.html",
        endpoint=urls.absolute(url_for("sparql.endpoint"), settings),
        query=query,
        examples=found,
        view=view,
        error=error,
        status=f"{status} {HTTP_STATUS_CODES.get(status, '')}".strip(),
        time_limit_s=f"{settings.sparql_time_limit_s:g}",
        max_rows=settings.sparql_max_rows,
    ), status)
    if view is not None:
        truncated(response, view.truncated)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def download_url(params: ProtocolRequest, fmt: Format) -> str:
    """`/sparql?query=…&format=csv`: the same request, answered in `fmt`."""
    extra: dict[str, object] = {"default-graph-uri": list(params.default_graphs),
                                "named-graph-uri": list(params.named_graphs)}
    if params.timeout_s is not None:
        extra["timeout"] = f"{params.timeout_s:g}"
    return url_for("sparql.endpoint", query=params.query, format=fmt.name, **extra)


def service_description(format_override: str | None) -> Response | str:
    settings = context().settings
    fmt = choose(SERVICE_DESCRIPTION_FORMATS, request.headers.get("Accept"), format_override)
    if fmt is HTML:
        return query_page(ProtocolRequest(query=None))
    graph = sparql.service_description(settings, context().release,
                                       urls.absolute(url_for("sparql.endpoint"), settings))
    return Response(graph.serialize(format=fmt.rdflib), content_type=fmt.content_type)

