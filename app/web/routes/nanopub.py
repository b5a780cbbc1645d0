"""/np/{claim}: each claim as a nanopublication (app/nanopubs.py) under its trusty URI.

`/np/{claim}` answers 303 with the current nanopublication's URI `/np/{claim}/{code}`; that URI answers TriG
(or N-Quads by Accept), and 404 when the code is not the claim's current one (the claim changed, or a typo): a
trusty URI names exactly one content.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request

from app.nanopubs import nanopublication
from app.vocab import PREFIXES
from app.web.context import context
from app.web.errors import HTTPError
from app.web.http import conditional
from app.web.queries import claim_parts
from app.web.renderers import N_QUADS, TRIG, choose, write_graph

bp = Blueprint("nanopub", __name__)

NANOPUB_FORMATS = (TRIG, N_QUADS)
NP_PREFIXES = {"np": "http://www.nanopub.org/nschema#", **PREFIXES}


def _current(claim_id: str) -> tuple[str, list]:  # type: ignore[type-arg]
    ctx = context()
    base = ctx.settings.base_iri
    parts = claim_parts(ctx.store, f"{base}id/claim/{claim_id}", base)
    if parts is None:
        raise HTTPError(404, f"no claim {claim_id!r} with facts is published")
    return nanopublication(base, f"{base}id/claim/{claim_id}", parts.assertion, parts.description, parts.license)


@bp.get("/np/<claim_id>")
@conditional
def latest(claim_id: str) -> Response:
    uri, _ = _current(claim_id)
    return redirect(f"/np/{claim_id}/{uri.rsplit('/', 1)[-1]}", code=303)


@bp.get("/np/<claim_id>/<code>")
@conditional
def nanopub(claim_id: str, code: str) -> Response:
    fmt = choose(NANOPUB_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    uri, quads = _current(claim_id)
    if uri.rsplit("/", 1)[-1] != code:
        raise HTTPError(404, f"{code!r} is not the trusty code of claim {claim_id!r}'s nanopublication: "
                             f"its current one is /np/{claim_id}/{uri.rsplit('/', 1)[-1]}")
    prefixes = {**NP_PREFIXES, "this": uri, "sub": uri + "#"}
    return Response(write_graph(fmt, quads, prefixes), content_type=fmt.content_type)
