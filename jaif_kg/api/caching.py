"""HTTP caching of every ``GET`` answer: ``ETag``, ``Cache-Control``, ``Vary`` and ``304``.

One ASGI middleware (:class:`HttpCaching`, registered in the app factory) does it for every route,
so no route repeats it (:rfc:`9110#section-8.8.3`, :rfc:`9110#section-13.1.2`,
:rfc:`9111#section-5.2`):

* A ``2xx`` answer to ``GET`` (and ``HEAD``, which :class:`jaif_kg.api.guard.HttpGuard` runs as a
  ``GET``) gets an ``ETag`` made of the *dataset version* and the answer's variant (its
  ``Content-Type`` and ``Content-Language``): ``"<version>-<variant>"``. A route that sets its own
  ``ETag`` (a dump's SHA-256, a Graph Store answer's) keeps it: it names the bytes themselves.
* The dataset version (:func:`dataset_version`) is a SHA-256 over the server's version, the base
  IRI and the SHA-256 record of every loaded graph (:func:`jaif_kg.store.graphs.graph_records`),
  computed once, at the first request: a local store does not change while the server runs.
* ``If-None-Match`` naming the current tag (or ``*``) gets ``304 Not Modified`` with no body and
  the same ``ETag``, ``Cache-Control`` and ``Vary``; a stale or malformed header gets the full
  answer. Tags already answered are remembered (a bounded map from the request to its tag), so a
  revalidation that matches one is answered without running the route (no query runs).
* ``Cache-Control``: ``public, max-age=300`` on those answers (:data:`MAX_AGE`), unless the route
  set its own; ``no-store`` on every error answer (``4xx``, ``5xx``) of any method and route,
  which never carries an ``ETag``. Other ``POST`` answers and ``/assets/`` files (their own
  caching) are left as they are. Errors written outside this middleware say ``no-store`` too:
  Starlette's ``500`` and the non-UTF-8 ``400`` (:mod:`jaif_kg.api.guard`), the ``431`` and
  ``408`` of the connection (:mod:`jaif_kg.api.connection`).
* ``Vary: Accept`` on every tagged answer but the files of ``/dumps/`` (one file per URL), since
  pages, data documents, query answers and the SPARQL endpoint are negotiated.

A remote store (``store.remote``) can change under the server (anyone with write access to the
SPARQL server, with or without a graph record): its answers get no ``ETag`` and
``Cache-Control: no-cache``, so clients and caches always ask again.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jaif_kg import __version__
from jaif_kg.store import Store, graph_records

#: Freshness of the answers of a local store, in seconds: the data changes only when the server
#: restarts, and a client revalidates cheaply after that.
MAX_AGE = 300
CACHEABLE = f"public, max-age={MAX_AGE}"
#: What a remote store's answers carry: the data may change under the server at any time.
REMOTE = "no-cache"
#: What an error answer carries: never stored.
ERROR = "no-store"
#: Paths left alone: files with their own caching.
UNTOUCHED = ("/assets/",)
#: Paths whose answers are files, one per URL (no ``Vary: Accept``).
FILES = ("/dumps/",)
#: How many request -> tag entries are remembered for answering ``304`` without the route.
REMEMBERED = 4096

_TAG = re.compile(r'\s*(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def dataset_version(store: Store, base: str) -> str:
    """A short hex digest naming the dataset as served: the server's version, the base IRI and
    each loaded graph's SHA-256 record; a store without records is hashed from its N-Quads.

    Args:
        store: a local store, loaded.
        base: the dataset's base IRI.
    """
    digest = hashlib.sha256(f"jaif-kg {__version__}\n{base}\n".encode())
    records = sorted((r.graph, r.sha256) for r in graph_records(store, base=base))
    if records:
        for graph, sha in records:
            digest.update(f"{graph} {sha}\n".encode())
    else:
        digest.update(store.dump("application/n-quads"))
    return digest.hexdigest()[:20]


def entity_tag(version: str, content_type: str, language: str = "") -> str:
    """The strong ``ETag`` of one variant of an answer under a dataset version.

    >>> entity_tag("abc", "text/html; charset=utf-8")
    '"abc-973e0240"'
    >>> entity_tag("abc", "text/html; charset=utf-8") != entity_tag("abc", "text/turtle")
    True
    """
    variant = hashlib.sha256(f"{content_type.lower()}|{language.lower()}".encode()).hexdigest()
    return f'"{version}-{variant[:8]}"'


def parse_if_none_match(value: str) -> list[str] | None:
    """The entity tags of an ``If-None-Match`` header (weak ones as their opaque tag, since the
    comparison is weak: :rfc:`9110#section-13.1.2`), ``["*"]`` for ``*``, or ``None`` when the
    header is malformed (then it is ignored and the full answer sent).

    >>> parse_if_none_match('"a", W/"b"')
    ['"a"', '"b"']
    >>> parse_if_none_match(" * ")
    ['*']
    >>> parse_if_none_match("abc") is None
    True
    """
    text = value.strip()
    if text == "*":
        return ["*"]
    tags: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TAG.match(text, pos)
        if match is None:
            return None
        tags.append(match.group(1))
        pos = match.end()
    return tags or None


def matches(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak comparison).

    >>> matches('W/"x", "y"', '"x"'), matches('"z"', '"x"'), matches("*", '"x"')
    (True, False, True)
    >>> matches("x", '"x"')  # malformed: ignored
    False
    """
    if header is None:
        return False
    tags = parse_if_none_match(header)
    if tags is None:
        return False
    return "*" in tags or tag.removeprefix("W/") in tags


def _add_vary(headers: MutableHeaders, field: str) -> None:
    values = [v.strip() for line in headers.getlist("vary") for v in line.split(",") if v.strip()]
    if "*" in values or field.lower() in {v.lower() for v in values}:
        return
    if "vary" in headers:
        del headers["vary"]
    headers["vary"] = ", ".join([*values, field])


def not_stored(headers: MutableHeaders) -> None:
    """Make an error answer's headers say it is never stored: ``no-store``, no ``ETag``."""
    if "etag" in headers:
        del headers["etag"]
    if "last-modified" in headers:
        del headers["last-modified"]
    headers["cache-control"] = ERROR


def _errors_not_stored(send: Send) -> Send:
    """``send``, with :func:`not_stored` applied to an error answer's headers."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and int(message["status"]) >= 400:
            not_stored(MutableHeaders(scope=message))
        await send(message)

    return wrapped


def request_key(scope: Scope) -> tuple[str, ...]:
    """What names one variant of a ``GET`` answer: the URL and the headers that choose it."""
    headers = dict(_decoded(scope.get("headers", [])))
    # the URL (host included: links in pages follow it) and the headers that choose the variant
    return (
        scope.get("scheme", "http"),
        headers.get("host", ""),
        scope.get("root_path", "") + scope["path"],
        scope.get("query_string", b"").decode("latin-1"),
        headers.get("accept", ""),
        headers.get("accept-language", ""),
    )


def _decoded(raw: Iterable[tuple[bytes, bytes]]) -> Iterable[tuple[str, str]]:
    for name, value in raw:
        yield name.decode("latin-1").lower(), value.decode("latin-1")


class HttpCaching:
    """ASGI middleware: validators and freshness on ``GET`` answers, ``304`` on a match.

    Args:
        app: the application inside.
        store: the store the app serves (its records give the dataset version).
        base: the dataset's base IRI.
    """

    def __init__(self, app: ASGIApp, store: Store, base: str) -> None:
        self.app = app
        self.store = store
        self.base = base
        self.remote = bool(getattr(store, "remote", False))
        self._version: str | None = None
        # request -> (tag, the headers of its 304)
        self._known: OrderedDict[tuple[str, ...], tuple[str, list[tuple[bytes, bytes]]]] = (
            OrderedDict()
        )

    @property
    def version(self) -> str:
        """The dataset version (computed at the first request, then kept)."""
        if self._version is None:
            self._version = dataset_version(self.store, self.base)
        return self._version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(UNTOUCHED):
            # not tagged, but an error is never stored, whatever the method or the route
            await self.app(scope, receive, _errors_not_stored(send))
            return
        condition = dict(_decoded(scope.get("headers", []))).get("if-none-match")
        key = request_key(scope)
        known = self.revalidated(key, condition)
        if known is not None:
            await send({"type": "http.response.start", "status": 304, "headers": known})
            await send({"type": "http.response.body", "body": b""})
            return
        state = {"dropping": False}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = self.tag_start(message, scope, key, condition, state)
            elif state["dropping"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(scope, receive, wrapped)

    def revalidated(
        self, key: tuple[str, ...], condition: str | None
    ) -> list[tuple[bytes, bytes]] | None:
        """The headers of a ``304`` when ``condition`` (``If-None-Match``) names the tag already
        answered to the request ``key`` (:func:`request_key`), or ``None``: run the route."""
        if self.remote or condition is None:
            return None
        known = self._known.get(key)
        if known is None or not matches(condition, known[0]):
            return None
        self._known.move_to_end(key)
        return known[1]

    def tag_start(
        self,
        message: Message,
        scope: Scope,
        key: tuple[str, ...],
        condition: str | None,
        state: dict[str, bool],
    ) -> Message:
        """The ``http.response.start`` message of a ``GET`` answer with its validators and
        freshness (``no-store`` on an error), or the ``304`` that replaces it when
        ``condition`` names its tag (``state["dropping"]`` is then set: drop the body)."""
        status = int(message["status"])
        headers = MutableHeaders(scope=message)
        if status >= 400:
            not_stored(headers)
            return message
        if not 200 <= status < 300:
            return message
        if self.remote:
            if "etag" in headers:
                del headers["etag"]
            headers.setdefault("cache-control", REMOTE)
            return message
        if "no-store" in headers.get("cache-control", ""):
            return message
        tag = headers.get("etag") or entity_tag(
            self.version, headers.get("content-type", ""), headers.get("content-language", "")
        )
        headers["etag"] = tag
        headers.setdefault("cache-control", CACHEABLE)
        if not scope["path"].startswith(FILES):
            _add_vary(headers, "Accept")
        # what a 304 repeats of the full answer (RFC 9110, section 15.4.5)
        kept = [
            (name, value)
            for name, value in message["headers"]
            if name.lower() in (b"etag", b"cache-control", b"vary", b"content-location")
        ]
        self._known[key] = (tag, kept)
        self._known.move_to_end(key)
        while len(self._known) > REMEMBERED:
            self._known.popitem(last=False)
        if matches(condition, tag):
            state["dropping"] = True
            return {"type": "http.response.start", "status": 304, "headers": kept}
        return message
