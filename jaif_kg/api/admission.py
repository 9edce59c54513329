"""Fair admission to the query workers: a per-client limit and a bounded queue.

Queries run in a small pool of worker processes (:class:`jaif_kg.executor.QueryExecutor`).
Without admission control one client could keep every worker busy and fill the wait queue
with slow queries, and everyone else would wait for the time limit. :class:`Admission` counts
the query requests in flight (``/sparql`` and ``/api/queries/<name>``) and answers at once:

* ``429 Too Many Requests`` (:rfc:`6585#section-4`) when the client (its IP address) already
  has ``client_queries`` queries running or waiting;
* ``503 Service Unavailable`` (:rfc:`9110#section-15.6.4`) when ``queue_limit`` queries
  already wait for a worker, all clients together (up to ``running_limit`` run at once).

Both carry ``Retry-After: 1``. A count is released when the app has answered (or failed, or
the client went away and the query ended). Everything runs on the server's event loop, so
the counters need no lock.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

_QUERY_METHODS = frozenset({"GET", "HEAD", "POST"})


def runs_query(scope: Scope) -> bool:
    """Whether a request goes to a route that runs a query in a worker.

    >>> runs_query({"type": "http", "method": "GET", "path": "/api/queries/projects"})
    True
    >>> runs_query({"type": "http", "method": "GET", "path": "/api/queries"})
    False
    >>> runs_query({"type": "http", "method": "OPTIONS", "path": "/sparql"})
    False
    """
    path: str = scope["path"]
    return scope["method"] in _QUERY_METHODS and (
        path == "/sparql" or path.startswith("/api/queries/")
    )


class AdmissionGate:
    """The limits and the counts of query requests in flight (one per app: ``app.state``).

    Args:
        client_queries: most query requests one client (IP address) may have in flight.
        running_limit: most queries running at once (the worker pool's maximum size).
        queue_limit: most queries waiting for a worker, all clients together.

    >>> gate = AdmissionGate(client_queries=1, running_limit=1, queue_limit=1)
    >>> gate.enter("a") is None, gate.enter("a")[0], gate.enter("b"), gate.waiting
    (True, 429, None, 1)
    >>> gate.enter("c")[0]
    503
    >>> gate.leave("a"); gate.leave("b"); gate.in_flight, gate.per_client
    (0, {})
    """

    def __init__(self, *, client_queries: int, running_limit: int, queue_limit: int) -> None:
        self.client_queries = max(1, client_queries)
        self.running_limit = max(1, running_limit)
        self.queue_limit = max(0, queue_limit)
        #: Query requests in flight per client address.
        self.per_client: dict[str, int] = {}
        #: Query requests in flight, all clients together.
        self.in_flight = 0

    @property
    def waiting(self) -> int:
        """Admitted queries beyond the running limit (they wait for a worker)."""
        return max(0, self.in_flight - self.running_limit)

    def enter(self, who: str) -> tuple[int, str] | None:
        """Admit a query request of client ``who`` (counted), or say why not (status, reason)."""
        held = self.per_client.get(who, 0)
        if held >= self.client_queries:
            return 429, (
                f"this client already has {held} queries running or waiting (the limit is "
                f"{self.client_queries}, JAIF_CLIENT_QUERIES); wait for one to finish"
            )
        if self.in_flight >= self.running_limit + self.queue_limit:
            return 503, (
                f"the server is busy: {self.waiting} queries wait for a worker (the limit is "
                f"{self.queue_limit}, JAIF_QUEUE_LIMIT); try again shortly"
            )
        self.per_client[who] = held + 1
        self.in_flight += 1
        return None

    def leave(self, who: str) -> None:
        """Release what :meth:`enter` counted for ``who``."""
        self.in_flight -= 1
        left = self.per_client[who] - 1
        if left:
            self.per_client[who] = left
        else:
            del self.per_client[who]


class Admission:
    """ASGI middleware: lets a query request through only when its :class:`AdmissionGate` does.

    Args:
        app: the app to protect.
        gate: the limits and counts (shared with ``/healthz``, which reports them).
    """

    def __init__(self, app: ASGIApp, *, gate: AdmissionGate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not runs_query(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        who = str(client[0]) if client else ""
        refused = self.gate.enter(who)
        if refused is not None:
            await _refuse(scope, send, *refused)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.leave(who)


async def _refuse(scope: Scope, send: Send, status: int, reason: str) -> None:
    """A plain-text answer for SPARQL clients, JSON ``{"detail": ...}`` for the REST API."""
    if scope["path"] == "/sparql":
        body = f"{reason}\n".encode()
        media_type = b"text/plain; charset=utf-8"
    else:
        body = json.dumps({"detail": reason}).encode()
        media_type = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
