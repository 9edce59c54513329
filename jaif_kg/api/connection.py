"""The HTTP/1.1 connection under uvicorn: a bounded request head and a read timeout.

uvicorn's httptools protocol buffers a request head without limit and waits for a request's
bytes forever, so one client can hold memory (an unfinished 8 MB header) or connections
(a body sent at one byte a second) for as long as it likes. :class:`LimitedHttpToolsProtocol`
keeps httptools (the fast parser) and adds two limits, both answered before the app runs:

* a request head (request line and headers) longer than ``max_head_bytes`` is a ``431``
  (:rfc:`6585#section-5`) and the connection is closed; the parser is never fed more than
  ``max_head_bytes`` of an unfinished head, so an endless header costs at most that much;
* a request (head and body) not received within ``read_timeout`` seconds of its first byte is a
  ``408`` (:rfc:`9110#section-15.5.9`), or a plain close when a response has already begun.

Both answers (and the ``400`` of a request httptools cannot parse) say ``Cache-Control:
no-store``, as every error answer of the app does (:mod:`jaif_kg.api.caching`).

:func:`limited_protocol` binds the two numbers into a class for ``uvicorn.Config(http=...)``.
"""

from __future__ import annotations

import asyncio
from asyncio import TimerHandle
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

#: Bytes a request line adds to its method and target (`` HTTP/1.1\r\n`` and a space).
_REQUEST_LINE_EXTRA = 12


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request-head size limit and a read timeout.

    uvicorn builds one per connection with the keyword arguments of :class:`HttpToolsProtocol`
    (``config``, ``server_state``, ``app_state``, ``_loop``); the limits are class attributes
    (see :func:`limited_protocol`).
    """

    #: Largest request head (request line and headers), in bytes; a longer one is a 431.
    max_head_bytes: ClassVar[int] = 16 * 1024
    #: Seconds from a request's first byte until it must be complete; then a 408.
    read_timeout: ClassVar[float] = 15.0

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        # True between requests and while a head is read; False from the end of the head to
        # the end of the message (the body).
        self._in_head = True
        self._head_bytes = 0
        self._began = False  # the parser saw the first byte of a request not yet complete
        self._too_large = False
        self._rejected = False
        # a refusal (status, reason) waiting for an earlier response to be sent
        self._deferred: tuple[int, str] | None = None
        self._read_timer: TimerHandle | None = None

    # -- asyncio.Protocol

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the read timer: a connection that never sends a request is closed too."""
        super().connection_made(transport)
        self._start_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the read timer, then let uvicorn tell the app."""
        self._stop_read_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser, never more than ``max_head_bytes`` of an unfinished head."""
        if self._rejected:
            return
        while self._in_head and data:
            if self._head_bytes == 0:  # the first byte of a request: its time starts now
                self._start_read_timer()
            room = self.max_head_bytes - self._head_bytes
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)
            if self._too_large or (self._in_head and self._head_bytes >= self.max_head_bytes):
                self._reject(431, self._head_message())
                return
            if self._rejected or self.transport.is_closing():
                return
        if data:
            super().data_received(data)
            if self._too_large:
                self._reject(431, self._head_message())

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request httptools cannot parse, with the common headers."""
        self._reject(400, msg)

    def handle_websocket_upgrade(self) -> None:
        """Hand the connection to the WebSocket protocol, which has its own timeouts."""
        self._stop_read_timer()
        super().handle_websocket_upgrade()

    # -- httptools parser callbacks

    def on_message_begin(self) -> None:
        """A request starts: its head is counted from here."""
        super().on_message_begin()
        self._began = True
        if self._read_timer is None:
            self._start_read_timer()

    def on_headers_complete(self) -> None:
        """Refuse a head over the limit (measured exactly) before the app sees it."""
        self._in_head = False
        size = _REQUEST_LINE_EXTRA + len(self.parser.get_method()) + len(self.url)
        size += sum(len(name) + len(value) + 4 for name, value in self.headers) + 2
        if size > self.max_head_bytes or self._too_large:
            self._too_large = True  # answered by data_received once the parser returns
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """Pass body bytes on, unless the request was refused."""
        if not self._too_large:
            super().on_body(body)

    def on_message_complete(self) -> None:
        """The request is in: stop its read timer and count the next head afresh."""
        self._stop_read_timer()
        self._in_head = True
        self._head_bytes = 0
        self._began = False
        if not self._too_large:
            super().on_message_complete()

    # -- the limits

    def _head_message(self) -> str:
        return (
            f"the request head (request line and headers) is larger than "
            f"{self.max_head_bytes} bytes (JAIF_MAX_HEADER_BYTES)"
        )

    def _start_read_timer(self) -> None:
        self._stop_read_timer()
        self._read_timer = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if not self._began:
            # Nothing of a new request arrived. While an earlier one is being answered the
            # keep-alive timeout takes over after its response; otherwise the connection is
            # idle and closed without an answer.
            cycle = self.cycle
            if not self.pipeline and (cycle is None or cycle.response_complete):
                self._reject(0, "")
            return
        self._reject(
            408,
            f"the request was not received within {self.read_timeout:g} s of its first byte "
            "(JAIF_READ_TIMEOUT)",
        )

    def _reject(self, status: int, reason: str) -> None:
        """Answer ``status`` with ``reason`` and close (``status`` 0: close without an answer).

        Nothing more is read from the connection. When a head is refused while an earlier
        (pipelined) request is still being answered, the answer waits for that response, so
        that it never lands inside it. When a body is cut off after its app began to answer,
        the connection is only closed.
        """
        self._rejected = True
        self._stop_read_timer()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if self._in_head or self._too_large:  # ``cycle`` is an earlier request's, if any
            if status and (self.pipeline or (cycle is not None and not cycle.response_complete)):
                self._deferred = (status, reason)
                self.flow.pause_reading()
                return
        elif self.pipeline or cycle.response_started:  # the body of ``cycle``'s request
            status = 0
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's receive() says http.disconnect; sends are dropped
            cycle.message_event.set()
        self._answer_and_close(status, reason)

    def on_response_complete(self) -> None:
        """A response is sent: the next pipelined request starts, or a deferred refusal goes."""
        if self._deferred is None or self.pipeline:
            super().on_response_complete()
            return
        self.server_state.total_requests += 1
        status, reason = self._deferred
        self._deferred = None
        self._answer_and_close(status, reason)

    def _answer_and_close(self, status: int, reason: str) -> None:
        if status and not self.transport.is_closing():
            self.transport.write(_error_response(status, reason, self.server_state.default_headers))
        self.transport.close()


def _error_response(status: int, reason: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    r"""A complete ``Connection: close`` plain-text response.

    >>> _error_response(431, "too long", [])[:48]
    b'HTTP/1.1 431 Request Header Fields Too Large\r\nco'
    """
    body = f"{reason}\n".encode()
    lines = [STATUS_LINE[status]]
    lines += [name + b": " + value + b"\r\n" for name, value in default_headers]
    lines += [
        b"content-type: text/plain; charset=utf-8\r\n",
        b"content-length: %d\r\n" % len(body),
        b"x-content-type-options: nosniff\r\n",
        b"cache-control: no-store\r\n",
        b"connection: close\r\n\r\n",
        body,
    ]
    return b"".join(lines)


def limited_protocol(*, max_head_bytes: int, read_timeout: float) -> type[LimitedHttpToolsProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with these limits.

    >>> cls = limited_protocol(max_head_bytes=8192, read_timeout=5)
    >>> cls.max_head_bytes, cls.read_timeout, issubclass(cls, LimitedHttpToolsProtocol)
    (8192, 5.0, True)
    """
    if max_head_bytes < 64:
        raise ValueError(f"max_head_bytes must be at least 64, got {max_head_bytes}")
    if read_timeout <= 0:
        raise ValueError(f"read_timeout must be positive, got {read_timeout}")
    return type(
        "LimitedHttpToolsProtocol",
        (LimitedHttpToolsProtocol,),
        {"max_head_bytes": max_head_bytes, "read_timeout": float(read_timeout)},
    )
