"""/ontology: the ontology's documentation for people, its release files for machines; /shapes.

* `/ontology` negotiates Turtle (the default for `*/*`), JSON-LD, N-Triples, RDF/XML (the release's
  `ontology.*` downloads) and HTML (a section per class and property, anchored by local name, so
  `https://w3id.org/defcoop/ontology#Firm` → `/ontology#Firm`); `format=` overrides Accept.
* `/ontology.ttl`, `.jsonld`, `.nt`, `.rdf` name one format; `/ontology/{version}` answers like `/ontology`
  for the published version (the ontology's owl:versionIRI), 404 for any other.
* `/shapes` is the SHACL shapes in Turtle.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from app.web.context import context
from app.web.dataset import find_download
from app.web.errors import HTTPError
from app.web.http import compressible, conditional, send_download
from app.web.ontology_doc import documentation
from app.web.renderers import GRAPH_FORMATS, HTML, TURTLE, Format, choose, lookup

bp = Blueprint("ontology", __name__)

ONTOLOGY_FORMATS = (*GRAPH_FORMATS, HTML)
SHAPES_FORMATS = (TURTLE,)


@bp.get("/ontology")
@compressible
@conditional
def ontology() -> Response | str:
    return _negotiated()


@bp.get("/ontology.<extension>")
@compressible
@conditional
def ontology_file(extension: str) -> Response:
    fmt = lookup(extension, GRAPH_FORMATS)
    if fmt is None or fmt.extension != extension:
        raise HTTPError(404, f"the ontology is not published as .{extension}; see /downloads")
    return _ontology(fmt, negotiated=False)


@bp.get("/ontology/<version>")
@compressible
@conditional
def ontology_version(version: str) -> Response | str:
    doc = documentation(context().published, context().store)
    if doc.version_iri is None or doc.version_iri.rstrip("/").rsplit("/", 1)[-1] != version:
        raise HTTPError(404, f"ontology version {version!r} is not published here; the current one is /ontology")
    return _negotiated()


@bp.get("/shapes")
@compressible
@conditional
def shapes() -> Response:
    choose(SHAPES_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    found = find_download(context().published, "shapes.ttl")
    if found is None:
        raise HTTPError(404, "this release has no shapes")
    return send_download(found, attachment=False)


def _negotiated() -> Response | str:
    return _ontology(choose(ONTOLOGY_FORMATS, request.headers.get("Accept"), request.args.get("format")), True)


def _ontology(fmt: Format, negotiated: bool) -> Response | str:
    ctx = context()
    release = ctx.published
    if fmt is HTML:
        doc = documentation(release, ctx.store)
        files = [d for f in GRAPH_FORMATS if (d := find_download(release, f"ontology.{f.extension}")) and d.format]
        return render_template("ontology.html", doc=doc, manifest=release.manifest, files=files)
    found = find_download(release, f"ontology.{fmt.extension}")
    if found is None:
        raise HTTPError(404, f"this release has no ontology.{fmt.extension}")
    response = send_download(found, attachment=False)
    if negotiated:
        response.headers["Content-Location"] = url_for("ontology.ontology_file", extension=fmt.extension)
    return response

