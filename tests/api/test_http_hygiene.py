"""HTTP hygiene of the server as ``jaif-kg serve`` runs it (uvicorn, httptools, the real app).

Hostile or broken clients: an oversized or endless request head (431), a request sent too slowly
(408), a URL that is not UTF-8 (400), a repeated named-query parameter (422); and what every
client is owed: HEAD wherever GET is, ``X-Content-Type-Options: nosniff`` on every answer.
Attacks that httpx cannot express are written on raw sockets.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import Live, api_settings

HEAD_LIMIT = 4096
READ_TIMEOUT = 1.0
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def guarded(live_factory: Callable[..., Live]) -> Live:
    """A server with a small head limit and a short read timeout (and query time limit)."""
    return live_factory(
        api_settings(max_header_bytes=HEAD_LIMIT, read_timeout=READ_TIMEOUT, query_timeout=2.0)
    )


def _address(live: Live) -> tuple[str, int]:
    parts = urlsplit(live.url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def exchange(
    live: Live,
    payload: bytes,
    *,
    drip: bytes = b"",
    drip_every: float = 0.2,
    wait: float = 5.0,
) -> tuple[bytes, float]:
    """Send ``payload`` (then ``drip`` one byte at a time), read until the server closes.

    Returns everything the server sent and the seconds until it closed the connection.
    Raises ``TimeoutError`` when the server keeps the connection open for ``wait`` seconds.
    """
    started = time.monotonic()
    with socket.create_connection(_address(live), timeout=wait) as sock:
        try:
            sock.sendall(payload)
            for byte in drip:
                time.sleep(drip_every)
                sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed first: what it said is still to be read
        received = b""
        deadline = started + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                return received, time.monotonic() - started
            received += chunk
        raise TimeoutError(f"the server kept the connection open; it sent {received[:200]!r}")


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP/1.1 response."""
    assert response.startswith(b"HTTP/1.1 "), response[:100]
    return int(response[9:12])


def header_of(response: bytes, name: str) -> str | None:
    """A header of a raw response (the first with that name), or None."""
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def request_head(target: str, pad: int) -> bytes:
    """A complete GET head with an ``X-Pad`` header of ``pad`` bytes."""
    return (
        f"GET {target} HTTP/1.1\r\nHost: t\r\nX-Pad: {'a' * pad}\r\nConnection: close\r\n\r\n"
    ).encode()


# -- request head size


def test_head_of_exactly_the_limit_is_served(guarded: Live) -> None:
    base = len(request_head("/livez", 0))
    head = request_head("/livez", HEAD_LIMIT - base)
    assert len(head) == HEAD_LIMIT
    response, _ = exchange(guarded, head)
    assert status_of(response) == 200


def test_head_one_byte_over_the_limit_is_431_and_closed(guarded: Live) -> None:
    base = len(request_head("/livez", 0))
    head = request_head("/livez", HEAD_LIMIT - base + 1)
    response, _ = exchange(guarded, head)  # returns only once the server closed
    assert status_of(response) == 431
    assert header_of(response, "connection") == "close"
    assert header_of(response, "x-content-type-options") == "nosniff"
    assert b"JAIF_MAX_HEADER_BYTES" in response


def test_unfinished_huge_header_is_refused_at_once(guarded: Live) -> None:
    """The head never ends: the server refuses at the limit, not when the read timeout ends
    (so it never buffered more than the limit of it)."""
    payload = b"GET / HTTP/1.1\r\nHost: t\r\nX-Endless: " + b"a" * (3 * HEAD_LIMIT)
    response, seconds = exchange(guarded, payload)
    assert status_of(response) == 431
    assert seconds < READ_TIMEOUT / 2


def test_pipelined_head_over_the_limit_is_431(guarded: Live) -> None:
    """The second head arrives with the first request: it is measured on its own."""
    first = b"GET /livez HTTP/1.1\r\nHost: t\r\n\r\n"
    second = request_head("/livez", HEAD_LIMIT)
    response, _ = exchange(guarded, first + second)
    assert status_of(response) == 200
    assert b"HTTP/1.1 431 " in response
    assert response.count(b"HTTP/1.1 ") == 2


def test_many_headers_over_the_limit_are_431(guarded: Live) -> None:
    headers = "".join(f"X-H{i}: {'b' * 50}\r\n" for i in range(HEAD_LIMIT // 50))
    payload = f"GET /livez HTTP/1.1\r\nHost: t\r\n{headers}\r\n".encode()
    response, _ = exchange(guarded, payload)
    assert status_of(response) == 431


# -- read timeout


def test_slow_drip_body_is_cut_off_with_408(guarded: Live) -> None:
    payload = (
        b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK"
    )
    response, seconds = exchange(guarded, payload, drip=b" " * 40, drip_every=0.2)
    assert status_of(response) == 408
    assert header_of(response, "connection") == "close"
    assert READ_TIMEOUT * 0.8 < seconds < READ_TIMEOUT + 1.5


def test_cut_off_body_is_not_logged_as_a_server_error(guarded: Live) -> None:
    """Each cut-off connection would otherwise log a traceback: a cheap way to flood logs."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        payload = (
            b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK"
        )
        response, _ = exchange(guarded, payload)
        time.sleep(0.2)  # the app ends after the connection is closed
    finally:
        logger.removeHandler(handler)
    assert status_of(response) == 408
    assert [r.getMessage() for r in records] == []


def test_unterminated_chunked_body_is_cut_off_with_408(guarded: Live) -> None:
    payload = (
        b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n3\r\nASK\r\n"
    )
    response, seconds = exchange(guarded, payload)
    assert status_of(response) == 408
    assert seconds < READ_TIMEOUT + 1.5


def test_slow_drip_head_is_cut_off_with_408(guarded: Live) -> None:
    response, seconds = exchange(
        guarded, b"GET /livez HTTP/1.1\r\nHo", drip=b"st: t\r\nX-Slow: 1234567890", drip_every=0.2
    )
    assert status_of(response) == 408
    assert seconds < READ_TIMEOUT + 1.5


def read_response(sock: socket.socket) -> bytes:
    """One response with a Content-Length from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    length = int(header_of(data, "content-length") or 0)
    while len(data.partition(b"\r\n\r\n")[2]) < length:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    return data


def test_kept_alive_connection_may_pause_between_requests(guarded: Live) -> None:
    """The read timer runs while a request arrives, not between requests."""
    with socket.create_connection(_address(guarded), timeout=5) as sock:
        for _ in range(2):
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            assert status_of(read_response(sock)) == 200
            time.sleep(READ_TIMEOUT * 1.5)


def test_crlf_after_a_body_does_not_cut_a_running_query(guarded: Live) -> None:
    """Some clients send CRLF after a POST body; the query may then run past the read timeout."""
    body = SLOW_QUERY.encode()
    payload = (
        b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    response, seconds = exchange(guarded, payload, drip=b"\r\n", drip_every=0.1)
    assert status_of(response) == 503  # the query time limit (2 s)
    assert seconds > READ_TIMEOUT


def test_idle_connection_is_closed(guarded: Live) -> None:
    response, seconds = exchange(guarded, b"")
    assert response == b""
    assert seconds < READ_TIMEOUT + 1.5


def test_a_query_longer_than_the_read_timeout_is_answered(guarded: Live) -> None:
    """The timer covers receiving the request only: a query running past it is not a 408."""
    r = httpx.get(guarded.sparql, params={"query": SLOW_QUERY}, timeout=10)
    assert r.status_code == 503  # the query time limit (2 s), not the read timeout (1 s)
    assert "JAIF_QUERY_TIMEOUT" in r.text


# -- HEAD wherever GET is

HEAD_TARGETS = [
    "/",
    "/healthz",
    "/livez",
    "/sparql",
    "/sparql?query=ASK%20%7B%7D",
    "/api/queries",
    "/api/queries/projects?country=MMR",
    "/page/",
    "/page/work-plan/iai-work-plan-3",
    "/ontology",
]


@pytest.mark.parametrize("target", HEAD_TARGETS)
def test_head_answers_like_get_without_a_body(live: Live, target: str) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        got = client.get(target)
        head = client.head(target)
    assert got.status_code == 200, got.text
    assert head.status_code == 200
    assert head.content == b""
    assert got.content
    ignore = {"date"}
    assert {k: v for k, v in head.headers.items() if k not in ignore} == {
        k: v for k, v in got.headers.items() if k not in ignore
    }
    assert head.headers["content-length"] == str(len(got.content))


def test_head_sends_no_body_bytes_on_the_wire(live: Live) -> None:
    """A body after a HEAD answer would be read as the next response on the connection."""
    payload = b"HEAD /livez HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    response, _ = exchange(live, payload)
    head, _, body = response.partition(b"\r\n\r\n")
    assert status_of(head) == 200
    assert header_of(response, "content-length") == str(len(b'{"status":"ok"}'))
    assert body == b""


# -- nosniff


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/livez", 200),
        ("/sparql?query=ASK%20%7B%7D", 200),
        ("/no/such/thing", 404),
        ("/sparql?query=NOT%20SPARQL", 400),
        ("/sparql?query=%FF", 400),
        ("/api/queries/no-such-query", 404),
    ],
)
def test_every_answer_says_nosniff(live: Live, target: str, status: int) -> None:
    r = httpx.get(live.url + target, timeout=10)
    assert r.status_code == status
    assert r.headers.get("x-content-type-options") == "nosniff"


def test_method_not_allowed_says_nosniff(live: Live) -> None:
    r = httpx.delete(live.url + "/livez", timeout=10)
    assert r.status_code == 405
    assert r.headers.get("x-content-type-options") == "nosniff"


# -- URLs that are not UTF-8


@pytest.mark.parametrize(
    "target",
    [
        "/sparql?query=%FF",
        "/sparql?query=ASK%20%7B%20FILTER(%22%C3%28%22)%20%7D",  # a broken two-byte sequence
        "/api/queries/projects?country=%FF",
        "/?x=%FF",
        "/page/%FF",
        "/%C0%AF",  # an overlong '/', never valid UTF-8
    ],
)
def test_url_that_is_not_utf8_is_400(live: Live, target: str) -> None:
    response, _ = exchange(
        live, f"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode()
    )
    assert status_of(response) == 400
    assert header_of(response, "content-type") == "text/plain; charset=utf-8"
    body = response.partition(b"\r\n\r\n")[2].decode()
    assert body.endswith("\n") and body.count("\n") == 1
    assert "not UTF-8" in body


def test_utf8_url_still_runs(live: Live) -> None:
    """The check refuses only what is not UTF-8: an é, percent-encoded, is a valid literal."""
    r = httpx.get(
        live.url + "/sparql?query=ASK%20%7B%20FILTER(%22%C3%A9%22%20%3D%20%22%C3%A9%22)%20%7D",
        headers={"accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True


# -- repeated named-query parameters


def test_repeated_named_query_parameter_is_422(live: Live) -> None:
    r = httpx.get(
        live.url + "/api/queries/projects?country=MMR&country=KHM",
        headers={"accept": "application/json"},
        timeout=10,
    )
    assert r.status_code == 422
    assert "'country'" in r.json()["detail"]
    assert "more than once" in r.json()["detail"]


def test_repeated_format_is_422(live: Live) -> None:
    r = httpx.get(live.url + "/api/queries/projects?format=csv&format=json", timeout=10)
    assert r.status_code == 422
    assert "'format'" in r.json()["detail"]


def test_single_parameter_values_still_run(live: Live) -> None:
    r = httpx.get(live.url + "/api/queries/projects?country=MMR&format=json", timeout=10)
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list) and r.json()
