"""The SPARQL endpoint's hot path: a query sent to ``/sparql`` (GET, HEAD or POST) is answered by
one ASGI layer, outside Starlette's routing and middleware stack, with the same policies.

A cheap query (an IRI lookup) costs a few tens of microseconds in the engine; through FastAPI's
stack (the guard, the error middleware, CORS, caching, admission, routing: one closure and one
copy of the response headers per layer) it cost about ten times that on the server's event loop.
:class:`FastLane` is the outermost layer of the app. It answers a query request itself, applying
in one pass, with the functions and objects the stack's own layers use:

* :mod:`jaif_kg.api.guard`: a path or query string that is not UTF-8 is passed on to the stack,
  whose guard answers it; every answer carries ``nosniff``;
* :mod:`jaif_kg.api.caching`: ``304`` to a matching ``If-None-Match`` before any query runs, and
  ``ETag``, ``Cache-Control`` and ``Vary`` on a ``GET`` answer; ``no-store`` on every error;
* :mod:`jaif_kg.api.admission`: the same gate (per-client slots, bounded queue), ``429`` / ``503``;
* CORS: the app's own :class:`~starlette.middleware.cors.CORSMiddleware` writes the headers;
* :mod:`jaif_kg.api.routes.sparql`: the protocol request, negotiation and the worker pool;
  typed errors become the same plain-text answers (:func:`jaif_kg.api.errors.error_status`).

A named query (``GET /api/queries/<name>``) takes the lane too when the route would run the
request as it is (:func:`jaif_kg.api.routes.queries.plain_job`: known parameters, each once, in
the spelling FastAPI passes on, values the catalog binds); any other such request, whose answer is
the route's error, goes to the stack.

Everything else (the service description, the query editor, an update sent by GET, pages, the
listing of named queries, ``HEAD`` of a named query, preflight ``OPTIONS``) goes to the stack
unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jaif_kg.api.admission import AdmissionGate, refusal
from jaif_kg.api.caching import ERROR, HttpCaching, request_key
from jaif_kg.api.errors import error_status
from jaif_kg.api.guard import undecodable
from jaif_kg.api.routes.queries import answer_headers, plain_job
from jaif_kg.api.routes.sparql import read_body, run_query
from jaif_kg.errors import JaifError, QueryTimeout
from jaif_kg.sparql.protocol import parse_request

if TYPE_CHECKING:
    from starlette.middleware.cors import CORSMiddleware

    from jaif_kg.settings import Settings
    from jaif_kg.workers.pool import QueryExecutor

log = logging.getLogger("jaif_kg.api.fastlane")

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_TEXT = b"text/plain; charset=utf-8"
_QUERY_METHODS = frozenset({"GET", "HEAD", "POST"})
_NAMED = "/api/queries/"


class FastLane:
    """ASGI layer that answers SPARQL query requests on ``/sparql`` and passes on the rest.

    Args:
        app: the app's stack (guard, middleware, routes), for every other request.
        state: the app's state, read at the first request: ``settings``, ``executor``,
            ``admission`` (the gate), ``caching`` (an :class:`HttpCaching` used for its methods)
            and ``cors`` (a configured ``CORSMiddleware``).
    """

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state
        self._ready = False
        #: Off: every request goes through the stack (the tests compare both ways).
        self.enabled = True

    def _setup(self) -> None:
        self.settings: Settings = self.state.settings
        self.executor: QueryExecutor = self.state.executor
        self.gate: AdmissionGate = self.state.admission
        self.caching: HttpCaching = self.state.caching
        self.cors: CORSMiddleware = self.state.cors
        self.remote = self.caching.remote
        public = self.settings.public_url
        self.endpoint: str | None = public.rstrip("/") + "/sparql" if public else None
        self._ready = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.enabled and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith(_NAMED) and await self._named(scope, send, path[len(_NAMED) :]):
                return
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in _QUERY_METHODS
            or not self.enabled
        ):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        query_string: bytes = scope.get("query_string", b"")
        raw_path = scope.get("raw_path")
        if (raw_path is not None and raw_path != b"/sparql") or undecodable(
            query_string, "query string"
        ):
            await self.app(scope, receive, send)  # percent-encoded path, non-UTF-8: the guard's
            return
        params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        if method != "POST" and not any(name == "query" for name, _ in params):
            await self.app(scope, receive, send)  # description, editor, GET update: the route's
            return
        if not self._ready:
            self._setup()
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)  # the first of repeated headers, as Starlette reads
        accept_raw = headers.get(b"accept")
        accept = None if accept_raw is None else accept_raw.decode("latin-1")

        async def produce() -> tuple[bytes, dict[str, str]]:
            body = b""
            if method == "POST":
                body = await read_body(Request(scope, receive), self.settings.max_body_bytes)
            content_type = headers.get(b"content-type")
            sreq = parse_request(
                "GET" if method == "HEAD" else method,
                params,
                None if content_type is None else content_type.decode("latin-1"),
                body,
            )
            if sreq.operation == "description":  # a POST without a query raised above
                raise AssertionError("a query request without a query")
            return await run_query(
                self.executor, self.settings, sreq, accept, self._endpoint(scope, headers)
            )

        await self._serve(scope, send, method, headers, produce, "/sparql")

    async def _named(self, scope: Scope, send: Send, name: str) -> bool:
        """Answer ``GET /api/queries/<name>`` when the route would run the request as it is
        (:func:`jaif_kg.api.routes.queries.plain_job`); ``False``: the stack answers it."""
        catalog = getattr(self.state, "catalog", None)
        if catalog is None or name not in catalog:
            return False
        query_string: bytes = scope.get("query_string", b"")
        raw_path = scope.get("raw_path")
        if (raw_path is not None and raw_path != scope["path"].encode()) or undecodable(
            query_string, "query string"
        ):
            return False
        if not self._ready:
            self._setup()
        headers: dict[bytes, bytes] = {}
        for field, value in scope["headers"]:
            headers.setdefault(field, value)
        accept = headers.get(b"accept")
        params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)  # as Starlette
        wants = None if accept is None else accept.decode("latin-1")
        job = plain_job(catalog[name], params, wants, self.settings)
        if job is None:
            return False

        async def produce() -> tuple[bytes, dict[str, str]]:
            body, written = await self.executor.run(job)
            return body, answer_headers(written)

        await self._serve(scope, send, "GET", headers, produce, f"/api/queries/{name}")
        return True

    async def _serve(
        self,
        scope: Scope,
        send: Send,
        method: str,
        headers: dict[bytes, bytes],
        produce: Callable[[], Awaitable[tuple[bytes, dict[str, str]]]],
        where: str,
    ) -> None:
        """Revalidation, admission, ``produce()`` and the answer (or its error), as for a query
        sent to ``/sparql`` (see :meth:`__call__`)."""
        origin = b"origin" in headers
        get = method != "POST"
        condition = headers.get(b"if-none-match")
        key = request_key(scope) if get else ()
        if get and condition is not None:
            known = self.caching.revalidated(key, condition.decode("latin-1"))
            if known is not None:
                await self._send(scope, send, 304, known, b"", origin)
                return
        client = scope.get("client")
        who = str(client[0]) if client else ""
        refused = await self.gate.admit(who)
        if refused is not None:
            status, reason = refused
            body, fields = refusal(where, reason)
            await self._send(
                scope, send, status, [*fields, (b"cache-control", ERROR.encode())], body, origin
            )
            return
        try:
            try:
                result, answer_fields = await produce()
            except JaifError as exc:
                await self._error(scope, send, exc, origin)
                return
            except (ClientDisconnect, OSError):
                raise
            except Exception:
                log.exception("the SPARQL endpoint failed on a request")
                await self._failed(scope, send, origin)
                return
            await self._result(scope, send, method, headers, key, origin, result, answer_fields)
        except ClientDisconnect:
            return  # the client went away while its body was read: nobody to answer
        finally:
            self.gate.leave(who)

    async def _error(self, scope: Scope, send: Send, exc: JaifError, origin: bool) -> None:
        """A typed error as the app's error handler writes it (plain text, never stored)."""
        status = error_status(exc)
        message = f"{exc}\n".encode()
        error = [
            (b"content-type", _TEXT),
            (b"content-length", str(len(message)).encode()),
            (b"cache-control", ERROR.encode()),
        ]
        if isinstance(exc, QueryTimeout):
            error.append((b"retry-after", b"1"))
        await self._send(scope, send, status, error, message, origin)

    async def _failed(self, scope: Scope, send: Send, origin: bool) -> None:
        """Starlette's answer to an unexpected exception."""
        message = b"Internal Server Error"
        error = [
            (b"content-type", _TEXT),
            (b"content-length", str(len(message)).encode()),
            (b"cache-control", ERROR.encode()),
        ]
        await self._send(scope, send, 500, error, message, origin)

    async def _result(
        self,
        scope: Scope,
        send: Send,
        method: str,
        headers: dict[bytes, bytes],
        key: tuple[str, ...],
        origin: bool,
        result: bytes,
        fields: dict[str, str],
    ) -> None:
        """A 200 answer; to a GET with its ``ETag`` and caching headers (or a 304)."""
        out = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in fields.items()]
        out.append((b"content-length", str(len(result)).encode()))
        if method == "POST":
            await self._send(scope, send, 200, out, result, origin)
            return
        start: Message = {"type": "http.response.start", "status": 200, "headers": out}
        state = {"dropping": False}
        condition = headers.get(b"if-none-match")
        start = self.caching.tag_start(
            start, scope, key, None if condition is None else condition.decode("latin-1"), state
        )
        await self._send(
            scope,
            send,
            start["status"],
            start["headers"],
            b"" if state["dropping"] else result,
            origin,
        )

    def _endpoint(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        """The endpoint's public URL (:func:`jaif_kg.api.deps.endpoint_url`, without a Request)."""
        if self.endpoint is not None:
            return self.endpoint
        host = headers.get(b"host")
        if host is None:
            url = Request(scope).url
            return f"{url.scheme}://{url.netloc}/sparql"
        return f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}/sparql"

    async def _send(
        self,
        scope: Scope,
        send: Send,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        origin: bool,
    ) -> None:
        headers = [*headers, _NOSNIFF]
        start: Message = {"type": "http.response.start", "status": status, "headers": headers}
        if origin:
            await self.cors.send(start, send, Headers(scope=scope))
        else:
            start["headers"] = _vary_origin(headers)
            await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """What the CORS middleware does to an answer to a request without ``Origin``: the ``Vary``
    values joined into one field, ``Origin`` added (the answer would differ with one).

    >>> _vary_origin([(b"vary", b"Accept"), (b"etag", b'"x"')])
    [(b'etag', b'"x"'), (b'vary', b'Accept, Origin')]
    >>> _vary_origin([])
    [(b'vary', b'Origin')]
    """
    values = [value for name, value in headers if name == b"vary"]
    kept = [(name, value) for name, value in headers if name != b"vary"]
    return [*kept, (b"vary", b", ".join([*values, b"Origin"]))]
