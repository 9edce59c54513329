"""How a typed error becomes an HTTP answer: its status, and the body each kind of client reads."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from jaif_kg.errors import (
    InputError,
    JaifError,
    OutOfMemory,
    ParameterError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    UnknownQuery,
    WorkerFailure,
)
from jaif_kg.sparql.protocol import ProtocolError, UpdateRefused


def error_status(exc: JaifError) -> int:
    """The HTTP status for a typed error.

    >>> error_status(QueryTimeout("slow")), error_status(UpdateRefused("read-only"))
    (503, 403)
    """
    if isinstance(exc, ProtocolError):
        return exc.status
    for cls, status in (
        (OutOfMemory, 507),
        (WorkerFailure, 500),
        (UpdateRefused, 403),
        (QueryRefused, 400),
        (QuerySyntaxError, 400),
        (QueryTimeout, 503),
        (ResultTooLarge, 413),
        (ParameterError, 422),
        (UnknownQuery, 404),
        (InputError, 400),
        (StoreError, 502),
    ):
        if isinstance(exc, cls):
            return status
    return 500


def _headers(exc: JaifError) -> dict[str, str] | None:
    # A query stopped at the time limit may succeed on a less busy server.
    return {"retry-after": "1"} if isinstance(exc, QueryTimeout) else None


def error_response(exc: JaifError) -> Response:
    """The plain-text answer SPARQL clients show for a typed error."""
    return PlainTextResponse(f"{exc}\n", status_code=error_status(exc), headers=_headers(exc))


async def on_error(request: Request, exc: Exception) -> Response:
    """The app's handler of :class:`~jaif_kg.errors.JaifError`: plain text on ``/sparql`` (SPARQL
    clients show the body as text), ``{"detail": ...}`` JSON elsewhere."""
    assert isinstance(exc, JaifError)
    if request.url.path.startswith("/sparql"):
        return error_response(exc)
    return JSONResponse({"detail": str(exc)}, status_code=error_status(exc), headers=_headers(exc))
