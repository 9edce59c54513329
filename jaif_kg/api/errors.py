"""How a typed error becomes an HTTP answer: its status, and the body each kind of client reads."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

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
from jaif_kg.publish.pages import Site, render
from jaif_kg.rdf.negotiation import HTML, negotiate
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


def prefers_html(accept: str | None) -> bool:
    """Whether a client prefers a page to JSON: a browser does; on a tie (``*/*``) or without
    ``Accept``, programs keep JSON.

    >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    True
    >>> prefers_html("*/*"), prefers_html(None), prefers_html("application/json")
    (False, False, False)
    """
    return negotiate(accept, ("application/json", HTML)) == HTML


async def on_http_error(request: Request, exc: Exception) -> Response:
    """The app's handler of Starlette's ``HTTPException``: a ``404`` (a path no route serves,
    such as ``/redoc``) is the site's HTML page for a browser, as the linked-data pages' own
    404s are; everything else, and every answer to a program, is FastAPI's ``{"detail": ...}``
    JSON."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and prefers_html(request.headers.get("accept")):
        settings = request.app.state.settings
        site = Site(settings.base_iri, request.scope.get("root_path", "").rstrip("/") + "/")
        page = render(
            "no_page.html",
            site=site,
            title="Not found",
            path=request.url.path,
            detail=str(exc.detail),
        )
        return HTMLResponse(page, status_code=404, headers={"vary": "Accept"})
    return await http_exception_handler(request, exc)
