"""/.well-known/void: the VoID + DCAT description of the dataset (RFC 5785 well-known location).

Turtle for RDF clients and `*/*` (the default), JSON-LD, N-Triples or RDF/XML by Accept or `format=`;
browsers (HTML) are sent to /downloads (303), which lists the same files for people.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for

from app.convert import to_oxigraph
from app.web import urls
from app.web.context import context
from app.web.dataset import void_graph
from app.web.http import conditional
from app.web.renderers import GRAPH_FORMATS, HTML, choose, write_graph

bp = Blueprint("dataset", __name__)

VOID_FORMATS = (*GRAPH_FORMATS, HTML)


@bp.get("/.well-known/void")
@conditional
def void() -> Response:
    fmt = choose(VOID_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    if fmt is HTML:
        return redirect(url_for("downloads.listing"), code=303)
    ctx = context()
    graph = void_graph(ctx.published, urls.site_root(ctx.settings))
    return Response(write_graph(fmt, to_oxigraph(graph), dict(graph.namespaces())), content_type=fmt.content_type)

