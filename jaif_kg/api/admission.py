"""Fair admission to the query workers: a per-client limit and a bounded queue.

Queries run in a small pool of worker processes (:class:`jaif_kg.workers.pool.QueryExecutor`).
Without admission control one client could keep every worker busy and fill the wait queue
with slow queries, and everyone else would wait for the time limit. :class:`Admission` counts
the query requests in flight (``/sparql`` and ``/api/queries/<name>``) and answers at once:

* ``429 Too Many Requests`` (:rfc:`6585#section-4`) when the client (its IP address) already
  runs ``client_queries`` queries and ``client_queue`` more wait for one of its slots;
* ``503 Service Unavailable`` (:rfc:`9110#section-15.6.4`) when ``queue_limit`` queries
  already wait for a worker, all clients together (up to ``running_limit`` run at once).

Both carry ``Retry-After: 1``. A count is released when the app has answered (or failed, or
the client went away and the query ended). The counts (:mod:`jaif_kg.api.counts`) are the
process's own, or shared by every HTTP process of the server, so that the limits hold for the
server as a whole.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque

from starlette.types import ASGIApp, Receive, Scope, Send

from jaif_kg.api.counts import Counts, LocalCounts

#: How often a query waiting for its client's slot looks whether another HTTP process freed one.
POLL_SECONDS = 0.01

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

    Each client (IP address) runs at most ``client_queries`` queries at once; up to
    ``client_queue`` more wait, in order, for one of its own slots (so a client that sends many
    cheap queries at once is served, a little later, rather than refused), and the rest get 429.
    Slots are handed from one query of a client to its next, so the slow queries of one client
    never delay another's.

    Args:
        client_queries: most queries one client may run at once.
        running_limit: most queries running at once (the worker pool's maximum size).
        queue_limit: most admitted queries waiting for a worker, all clients together.
        client_queue: most queries of one client waiting for one of its slots.
        client_wait: seconds a query may wait for its client's slot (then 503).

    >>> gate = AdmissionGate(client_queries=1, running_limit=1, queue_limit=1)
    >>> gate.enter("a") is None, gate.enter("a")[0], gate.enter("b"), gate.waiting
    (True, 429, None, 1)
    >>> gate.enter("c")[0]
    503
    >>> gate.leave("a"); gate.leave("b"); gate.in_flight, gate.per_client
    (0, {})
    """

    def __init__(
        self,
        *,
        client_queries: int,
        running_limit: int,
        queue_limit: int,
        client_queue: int = 0,
        client_wait: float = 10.0,
        counts: Counts | None = None,
    ) -> None:
        self.client_queries = max(1, client_queries)
        self.running_limit = max(1, running_limit)
        self.queue_limit = max(0, queue_limit)
        self.client_queue = max(0, client_queue)
        self.client_wait = client_wait
        #: The counts: this process's own, or shared by the server's HTTP processes.
        self.counts: Counts = counts if counts is not None else LocalCounts()
        #: Whether other processes count too (a slot freed there is seen by polling).
        self.shared = counts is not None and not isinstance(counts, LocalCounts)
        #: Queries waiting for a slot of their client, per client address (this process's).
        self._queued: dict[str, deque[asyncio.Future[None]]] = {}

    @property
    def per_client(self) -> dict[str, int]:
        """Query requests admitted (holding a slot) per client address."""
        return self.counts.snapshot()

    @property
    def in_flight(self) -> int:
        """Query requests admitted, all clients together (every HTTP process's)."""
        return self.counts.total()

    @property
    def waiting(self) -> int:
        """Admitted queries beyond the running limit (they wait for a worker)."""
        return max(0, self.in_flight - self.running_limit)

    def queued(self, who: str) -> int:
        """Queries of ``who`` waiting for one of its slots."""
        return len(self._queued.get(who, ()))

    def enter(self, who: str) -> tuple[int, str] | None:
        """Admit a query request of client ``who`` (counted), or say why not (status, reason)."""
        refused = self.counts.enter(who, self.client_queries, self.running_limit + self.queue_limit)
        if refused == "client":
            return 429, self._client_full(who)
        if refused == "busy":
            return 503, (
                f"the server is busy: {self.waiting} queries wait for a worker (the limit is "
                f"{self.queue_limit}, JAIF_QUEUE_LIMIT); try again shortly"
            )
        return None

    def _client_full(self, who: str) -> str:
        return (
            f"this client already has {self.counts.held(who)} queries running and "
            f"{self.queued(who)} waiting (the limits are {self.client_queries}, "
            f"JAIF_CLIENT_QUERIES, and {self.client_queue}, JAIF_CLIENT_QUEUE); wait for one "
            "to finish"
        )

    async def admit(self, who: str) -> tuple[int, str] | None:
        """:meth:`enter`, but a client at its limit waits (up to ``client_queue`` deep and
        ``client_wait`` seconds) for one of its slots instead of being refused at once."""
        refused = self.enter(who)
        if refused is None or refused[0] != 429:
            return refused
        line = self._queued.setdefault(who, deque())
        if len(line) >= self.client_queue:
            return refused
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        line.append(turn)
        try:
            await self._wait_turn(who, turn)
        except asyncio.CancelledError:  # the client went away while waiting
            if turn.done() and not turn.cancelled():
                self.leave(who)
            else:
                turn.cancel()
            raise
        except TimeoutError:
            if turn.done():  # handed a slot just as the wait ended: give it back
                self.leave(who)
            else:
                turn.cancel()
            return 503, (
                f"this client's queries stayed busy for {self.client_wait:g} s while this one "
                "waited for its turn; try again shortly"
            )
        finally:
            if turn in line:
                line.remove(turn)
            if not line:
                self._queued.pop(who, None)
        return None

    async def _wait_turn(self, who: str, turn: asyncio.Future[None]) -> None:
        """Wait until ``turn`` is handed a slot of ``who`` by a query of this process that
        ends, or, when other processes count too, until one of theirs ends (looked for every
        :data:`POLL_SECONDS`: a slot freed there is not handed over). TimeoutError after
        ``client_wait`` seconds."""
        if not self.shared:
            await asyncio.wait_for(asyncio.shield(turn), timeout=self.client_wait)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.client_wait
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError
            done, _ = await asyncio.wait({turn}, timeout=min(POLL_SECONDS, left))
            if done:
                return
            line = self._queued.get(who)
            if line and line[0] is turn and self.enter(who) is None:
                turn.set_result(None)  # a slot freed elsewhere: counted now, for this turn
                return

    def leave(self, who: str) -> None:
        """Release what :meth:`enter` counted for ``who``: its slot goes to its next waiting
        query, if any, else back to everyone."""
        line = self._queued.get(who)
        while line:
            turn = line.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot (and its count) passes on
                return
        self.counts.leave(who)


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
        refused = await self.gate.admit(who)
        if refused is not None:
            await _refuse(scope, send, *refused)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.leave(who)


def refusal(path: str, reason: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The body and headers of a refusal: plain text for SPARQL clients, JSON
    ``{"detail": ...}`` for the REST API; ``Retry-After: 1``."""
    if path == "/sparql":
        body = f"{reason}\n".encode()
        media_type = b"text/plain; charset=utf-8"
    else:
        body = json.dumps({"detail": reason}).encode()
        media_type = b"application/json"
    return body, [
        (b"content-type", media_type),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", b"1"),
    ]


async def _refuse(scope: Scope, send: Send, status: int, reason: str) -> None:
    body, headers = refusal(scope["path"], reason)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
