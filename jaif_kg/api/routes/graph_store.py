"""The SPARQL 1.1 Graph Store HTTP Protocol, read only: ``GET`` and ``HEAD /graph-store``.

https://www.w3.org/TR/sparql11-http-rdf-update/ (indirect graph identification, §4.2):

* ``GET /graph-store?graph=IRI`` answers the named graph IRI, ``GET /graph-store?default`` the
  default graph that SPARQL queries see (:func:`jaif_kg.publish.dumps.read_graph`), content
  negotiated by :func:`jaif_kg.rdf.negotiation.negotiate` among every RDF format (Turtle first;
  N-Quads and TriG keep the graph's name); the bytes are the dumps' canonical writers', so the
  Turtle of a graph is the very file ``/dumps/graph-NAME.ttl``;
* a graph the store does not hold is ``404`` (§5.2: "MUST respond with a 404 Not Found"); neither
  or both of ``graph`` and ``default``, several ``graph``, or an IRI that is not absolute, ``400``;
  nothing acceptable ``406``; an answer over ``JAIF_MAX_RESULT_BYTES`` ``413``, as on ``/sparql``;
* ``PUT``, ``POST``, ``DELETE``, ``PATCH`` (and ``OPTIONS``) are ``405`` with ``Allow: GET,
  HEAD``: writes are not offered (the data changes by loading, never over HTTP).

Answers are computed once per graph and format and kept (the store is read only while served),
up to ``JAIF_MAX_RESULT_BYTES`` bytes in all.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from jaif_kg.api.deps import get_app_settings, get_store
from jaif_kg.api.errors import error_response
from jaif_kg.errors import ResultTooLarge
from jaif_kg.publish.dumps import GRAPH_STORE_PATH, read_graph
from jaif_kg.rdf.negotiation import GRAPH_MEDIA_TYPES, content_type, negotiate, refusal
from jaif_kg.settings import Settings
from jaif_kg.sparql.escape import is_valid_iri
from jaif_kg.sparql.protocol import NotAcceptable
from jaif_kg.store import Store

router = APIRouter(tags=["graph store"])

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

#: The methods the Graph Store answers (HEAD is answered as GET by :mod:`jaif_kg.api.guard`).
ALLOW = "GET, HEAD"
#: The write methods of the protocol (and OPTIONS), refused with 405.
REFUSED_METHODS = ["PUT", "POST", "DELETE", "PATCH", "OPTIONS"]
_PATH = "/" + GRAPH_STORE_PATH
_LOCK = threading.Lock()
_USAGE = (
    "ask for one graph: /graph-store?graph=IRI (a named graph, absolute IRI) or "
    "/graph-store?default (the default graph)"
)


class _AnswerCache:
    """Answers by (graph, media type), least recently used dropped past ``limit`` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[str | None, str], bytes] = OrderedDict()

    def get(self, key: tuple[str | None, str]) -> bytes | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple[str | None, str], body: bytes) -> None:
        if len(body) > self.limit or key in self.items:
            return
        self.items[key] = body
        self.size += len(body)
        while self.size > self.limit:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped)


def _cache(request: Request, settings: Settings) -> _AnswerCache:
    with _LOCK:
        cache: _AnswerCache | None = getattr(request.app.state, "graph_store_cache", None)
        if cache is None:
            cache = _AnswerCache(settings.max_result_bytes)
            request.app.state.graph_store_cache = cache
        return cache


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(f"{message}\n", status_code=status, headers=headers)


def _which_graph(request: Request) -> str | Response | None:
    """The graph the request names (``None``: the default graph), or the 400 answer."""
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if default == bool(graphs) or len(graphs) > 1:
        return _text(400, f"Bad request: {_USAGE}.")
    if default:
        if params["default"]:
            return _text(400, f"Bad request: ?default takes no value; {_USAGE}.")
        return None
    iri = graphs[0]
    if not is_valid_iri(iri):
        return _text(400, f"Bad request: {iri[:200]!r} is not an absolute IRI; {_USAGE}.")
    return iri


@router.api_route(_PATH, methods=["GET", "HEAD"], summary="Read a graph (Graph Store Protocol)")
def read(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """One graph of the dataset: ``?graph=IRI`` (a named graph) or ``?default`` (the default
    graph that queries see), in the RDF format the ``Accept`` header asks for (Turtle by
    default; N-Quads and TriG keep the graph's name)."""
    graph = _which_graph(request)
    if isinstance(graph, Response):
        return graph
    if graph is not None and graph not in store.named_graphs():
        return _text(
            404, f"Not found: the dataset has no graph <{graph}>; the dumps list every graph."
        )
    accept = request.headers.get("accept")
    media_type = negotiate(accept, GRAPH_MEDIA_TYPES)
    if media_type is None:
        return error_response(NotAcceptable(refusal(accept, GRAPH_MEDIA_TYPES, "graph")))
    cache = _cache(request, settings)
    key = (graph, media_type)
    with _LOCK:
        body = cache.get(key)
    if body is None:
        try:
            body = read_graph(
                store,
                graph,
                media_type,
                base=settings.base_iri,
                max_bytes=settings.max_result_bytes,
            )
        except ResultTooLarge as exc:
            return error_response(exc)
        with _LOCK:
            cache.put(key, body)
    headers = {
        "Vary": "Accept",
        "ETag": f'"{hashlib.sha256(body).hexdigest()}"',
    }
    return Response(body, media_type=content_type(media_type), headers=headers)


@router.api_route(_PATH, methods=REFUSED_METHODS, include_in_schema=False)
def refuse_write(request: Request) -> Response:
    """Writes are not offered: ``405`` with ``Allow: GET, HEAD``."""
    return _text(
        405,
        f"Method not allowed: this Graph Store is read only ({ALLOW}); the dataset changes "
        "when the server loads it (serve --graph, jaif-kg import), never over HTTP.",
        {"Allow": ALLOW},
    )
