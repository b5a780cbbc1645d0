"""The one exception for a request that ends in an HTTP error, whoever refuses it.

Format negotiation (renderers.py), the SPARQL checks and limits (sparql/, raised in worker processes too,
so it pickles) and the routes raise `HTTPError(status, message)`; `create_app` registers one handler
(`http.error`) that answers it, and werkzeug's own HTTP exceptions, in the same way.
"""

from __future__ import annotations

from app.store import STORE_RETRY_AFTER_S, StoreUnavailable


class HTTPError(Exception):
    """A refused or failed request: `status` is the HTTP status the client gets, `message` says why in a
    sentence, `retry_after` (seconds) is sent as Retry-After when trying again later may help."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(status, message, retry_after)
        self.status = status
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


def nothing_published() -> HTTPError:
    """503: there is no release to serve (and no remote store), on every surface alike."""
    return HTTPError(503, "nothing is published yet: run `defcoop build`")


def unavailable(exc: StoreUnavailable) -> HTTPError:
    """503 with Retry-After: the remote store does not answer (pages and /sparql alike)."""
    return HTTPError(503, str(exc), retry_after=STORE_RETRY_AFTER_S)
