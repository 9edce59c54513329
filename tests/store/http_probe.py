"""A small real HTTP server on loopback that records what it receives.

It answers with a fixed response, or forwards requests to another server (a proxy) until it has
forwarded a given number of them and then fails: enough to see exactly what a client sends
(headers, credentials, bodies) and to make a server fail half-way through a multi-request write.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    """One request the probe received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    """What the probe answers."""

    status: int = 200
    body: bytes = b'{"head":{},"boolean":true}'
    content_type: str = "application/sparql-results+json"
    delay_s: float = 0.0
    upstream: str | None = None  # forward to this base URL instead of answering
    forward_limit: int | None = None  # after this many forwarded requests, answer `status`
    forwarded: int = 0
    challenge: str | None = None  # answer 401 with this WWW-Authenticate to a request without
    # an Authorization header (any credentials are then taken: what was sent is in `seen`)
    seen: list[Seen] = field(default_factory=list)


class Probe:
    """A threaded HTTP server on 127.0.0.1 that answers per its :class:`Behaviour`."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        behaviour_ref = self.behaviour
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                b = behaviour_ref
                with lock:
                    b.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                    forward = b.upstream is not None and (
                        b.forward_limit is None or b.forwarded < b.forward_limit
                    )
                    if forward:
                        b.forwarded += 1
                if forward:
                    self._forward(body)
                    return
                if b.delay_s:
                    time.sleep(b.delay_s)
                if b.challenge is not None and "Authorization" not in self.headers:
                    self._answer(401, b"", "", {"WWW-Authenticate": b.challenge})
                    return
                self._answer(b.status, b.body, b.content_type)

            def _forward(self, body: bytes) -> None:
                assert behaviour_ref.upstream is not None
                request = urllib.request.Request(
                    behaviour_ref.upstream + self.path,
                    data=body if self.command in ("POST", "PUT") else None,
                    method=self.command,
                )
                for name in ("Content-Type", "Accept"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        self._answer(
                            response.status,
                            response.read(),
                            response.headers.get("Content-Type", ""),
                        )
                except urllib.error.HTTPError as exc:
                    self._answer(exc.code, exc.read(), exc.headers.get("Content-Type", ""))

            def _answer(
                self,
                status: int,
                body: bytes,
                content_type: str,
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def seen(self) -> list[Seen]:
        return self.behaviour.seen

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
