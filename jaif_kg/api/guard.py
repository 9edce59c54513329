"""HTTP hygiene for every request, before any route (or other middleware) sees it.

:class:`HttpGuard` is the outermost layer of the app (see :func:`jaif_kg.api.app.create_app`):

* every response carries ``X-Content-Type-Options: nosniff``, so a browser never runs a query
  answer (CSV, Turtle, a literal a client wrote) as HTML or script; every error answer carries
  ``Cache-Control: no-store`` and no ``ETag`` (:func:`jaif_kg.api.caching.not_stored`), the
  ``500`` Starlette writes outside the app's middleware too;
* a URL whose path or query string is not UTF-8 once percent-decoded is a ``400``
  (:rfc:`3986#section-2.5` and the WHATWG URL standard encode non-ASCII as UTF-8): the routes
  below would otherwise see U+FFFD in place of the bytes and answer a query nobody sent;
* ``HEAD`` is answered wherever ``GET`` is (:rfc:`9110#section-9.3.2`): the request runs as a
  ``GET`` and the server sends its headers (``Content-Length`` too) without the body;
* a client that disconnects while its body is read (``ClientDisconnect``) ends the request
  quietly instead of logging a server error per cut-off connection.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jaif_kg.api.caching import ERROR, not_stored

_NOSNIFF = (b"x-content-type-options", b"nosniff")


def undecodable(raw: bytes, where: str) -> str | None:
    """Why ``raw`` (a URL's path or query string) is not UTF-8 once percent-decoded, or None.

    >>> undecodable(b"query=ASK%20%7B%7D", "query string") is None
    True
    >>> undecodable(b"query=%C3%A9", "query string") is None
    True
    >>> print(undecodable(b"query=%FF", "query string"))  # doctest: +ELLIPSIS
    the URL's query string is not UTF-8 once percent-decoded (byte 0xff at offset 6); ...
    """
    if raw.isascii() and b"%" not in raw:
        return None
    decoded = unquote_to_bytes(raw)
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"the URL's {where} is not UTF-8 once percent-decoded (byte 0x{decoded[exc.start]:02x} "
            f"at offset {exc.start}); encode text as UTF-8 before percent-encoding it"
        )
    return None


class HttpGuard:
    """ASGI middleware: ``nosniff`` on every response, non-UTF-8 URLs refused, HEAD as GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if _NOSNIFF not in headers:
                    headers.append(_NOSNIFF)
                message = {**message, "headers": headers}
                if int(message["status"]) >= 400:
                    # Starlette's own 500 is written outside the caching middleware
                    not_stored(MutableHeaders(scope=message))
            await send(message)

        reason = undecodable(scope.get("raw_path") or scope["path"].encode(), "path")
        reason = reason or undecodable(scope.get("query_string", b""), "query string")
        if reason is not None:
            await _plain_400(reason, guarded_send)
            return
        if scope["method"] == "HEAD":
            # A copy: the server's own scope still says HEAD, so the server sends the headers
            # of the GET answer (Content-Length too) without its body, as every ASGI server
            # does for HEAD.
            scope = {**scope, "method": "GET"}
        try:
            await self.app(scope, receive, guarded_send)
        except ClientDisconnect:
            # The client went away (or was cut off by the read timeout) while its body was
            # read: nobody is left to answer, and it is not a server error to log.
            return


async def _plain_400(reason: str, send: Send) -> None:
    body = f"{reason}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", ERROR.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
