"""/.well-known/void: the VoID + DCAT description of the dataset (RFC 5785 well-known location).

Turtle for RDF clients and `*/*` (the default), JSON-LD, N-Triples or RDF/XML by Accept or `format=`;
browsers (HTML) are sent to /downloads (303), which lists the same files for people.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for

from app.convert import to_oxigraph
from app.store import releases
from app.web import urls
from app.web.context import context, pinned
from app.web.dataset import void_graph
from app.web.http import conditional
from app.web.renderers import GRAPH_FORMATS, HTML, choose, write_graph

bp = Blueprint("dataset", __name__)

VOID_FORMATS = (*GRAPH_FORMATS, HTML)


@bp.get("/.well-known/void")
@bp.get("/releases/<release_id>/.well-known/void")
@conditional
def void() -> Response:
    fmt = choose(VOID_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    if fmt is HTML:
        return redirect(url_for("downloads.listing"), code=303)
    ctx = context()
    root, release = urls.site_root(ctx.settings), ctx.published
    if pinned(release):
        graph = void_graph(release, root, f"{root}releases/{release.id}/")
    else:
        graph = void_graph(release, root, versions=releases(ctx.settings.build_dir))
    return Response(write_graph(fmt, to_oxigraph(graph), dict(graph.namespaces())), content_type=fmt.content_type)

