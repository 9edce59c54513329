"""``/sparql``: the SPARQL 1.1 Protocol endpoint (queries only; the endpoint is read-only).

The route only moves bytes: :mod:`jaif_kg.sparql.protocol` reads the request,
:mod:`jaif_kg.rdf.negotiation` picks the format; :mod:`jaif_kg.workers.pool` checks the query
(:mod:`jaif_kg.sparql.prepare`) and runs it in a worker process under the time limit with the
backend's own result writer.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jaif_kg.api.deps import endpoint_url, get_app_settings, get_executor, get_store
from jaif_kg.api.routes.home import editor
from jaif_kg.rdf.negotiation import (
    GRAPH_MEDIA_TYPES,
    HTML,
    RESULTS_MEDIA_TYPES,
    content_type,
    negotiate,
    refusal,
)
from jaif_kg.settings import Settings
from jaif_kg.sparql.description import service_description
from jaif_kg.sparql.protocol import (
    READ_ONLY_MESSAGE,
    NotAcceptable,
    PayloadTooLarge,
    SparqlRequest,
    UpdateRefused,
    parse_request,
)
from jaif_kg.store import Store
from jaif_kg.store.graphs import graph_records, meta_graph
from jaif_kg.workers.pool import Job, QueryExecutor

router = APIRouter(tags=["SPARQL"])


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing more than ``limit`` bytes (413) without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            f"the request body has {declared} bytes; the limit is {limit} (JAIF_MAX_BODY_BYTES)"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"the request body is larger than {limit} bytes (JAIF_MAX_BODY_BYTES)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The SPARQL 1.1 query. Without it, GET answers the service description.",
        "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "IRIs of graphs merged into the default graph "
        "(graphs the store holds; an unknown graph is empty, nothing is fetched).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "IRIs of the named graphs visible to GRAPH.",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Optional format override (json, xml, csv, tsv, turtle, ntriples, json-ld, "
        "rdfxml, nquads, trig, or a media type); `output` and `results` are synonyms.",
    },
]
_OPENAPI: dict[str, Any] = {
    "parameters": _PARAMETERS,
    "requestBody": {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
            "application/sparql-query": {"schema": {"type": "string"}},
        },
    },
    "responses": {
        "200": {
            "description": "Query results (SPARQL JSON, XML, CSV, TSV) or an RDF graph "
            "(Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG), by content negotiation.",
            "content": {"application/sparql-results+json": {}, "text/csv": {}, "text/turtle": {}},
        },
        "400": {"description": "Malformed request or query (the parser's message), or SERVICE."},
        "403": {"description": "SPARQL Update: the endpoint is read-only."},
        "406": {"description": "No acceptable format."},
        "413": {"description": "Request body or result larger than the server's limit."},
        "415": {"description": "POST body of an unsupported media type."},
        "503": {"description": "The query ran past the time limit and was stopped."},
    },
}


@router.api_route(
    "/sparql",
    methods=["GET", "POST"],
    summary="SPARQL 1.1 query endpoint",
    description=(
        "The SPARQL 1.1 Protocol: GET `?query=`, POST form (`query=`) or POST "
        "`application/sparql-query`. The default graph is the shipped knowledge graph (ontology "
        "and data); extra graphs loaded at start-up are named graphs. Read-only: updates, LOAD "
        "and SERVICE are refused. GET without a query answers the SPARQL 1.1 Service Description."
    ),
    openapi_extra=_OPENAPI,
    response_class=Response,
)
async def sparql(request: Request) -> Response:
    """Answer one SPARQL protocol request. A query (GET, HEAD or POST) is answered by
    :class:`jaif_kg.api.fastlane.FastLane` before it reaches this route; the route documents the
    endpoint in OpenAPI and answers what the lane passes on (the service description, the query
    editor, an update sent by GET)."""
    return await answer(request)


async def answer(request: Request) -> Response:
    """Answer one SPARQL protocol request (GET or POST ``/sparql``)."""
    settings = get_app_settings(request)
    body = b""
    if request.method == "POST":
        body = await read_body(request, settings.max_body_bytes)
    sreq = parse_request(
        request.method,
        request.query_params.multi_items(),
        request.headers.get("content-type"),
        body,
    )
    accept = request.headers.get("accept")
    if sreq.operation == "description":
        if request.method == "GET" and wants_editor(accept, sreq.format_hints):
            return editor(request)
        return describe_service(request, accept, sreq.format_hints)
    result, headers = await run_query(
        get_executor(request), settings, sreq, accept, endpoint_url(request)
    )
    return Response(result, headers=headers)


def query_job(settings: Settings, sreq: SparqlRequest, accept: str | None, endpoint: str) -> Job:
    """The job of a query request: both formats negotiated here (headers only); the query itself
    is read, checked and rewritten in a worker process under the time limit, never on the event
    loop.

    Raises:
        UpdateRefused: an update request (the endpoint is read-only).
        NotAcceptable: neither a results format nor a graph format is acceptable.
    """
    if sreq.operation == "update":
        raise UpdateRefused(READ_ONLY_MESSAGE)
    results = negotiate(accept, RESULTS_MEDIA_TYPES, sreq.format_hints)
    graph = negotiate(accept, GRAPH_MEDIA_TYPES, sreq.format_hints)
    refusals = [
        refusal(accept, offers, what)
        for chosen, offers, what in (
            (results, RESULTS_MEDIA_TYPES, "query"),
            (graph, GRAPH_MEDIA_TYPES, "graph query"),
        )
        if chosen is None
    ]
    if results is None and graph is None:
        raise NotAcceptable(refusals[0])
    return Job(
        sreq.text,
        results,
        sreq.default_graphs,
        sreq.named_graphs,
        max_results=settings.max_results,
        graph_media_type=graph,
        prepare=True,
        base_iri=endpoint,
        not_acceptable=refusals[0] if refusals else "",
    )


async def run_query(
    executor: QueryExecutor,
    settings: Settings,
    sreq: SparqlRequest,
    accept: str | None,
    endpoint: str,
) -> tuple[bytes, dict[str, str]]:
    """Run a query request in a worker; return the answer and its headers."""
    result, written = await executor.run(query_job(settings, sreq, accept, endpoint))
    headers = {"content-type": content_type(written), "vary": "Accept"}
    if written in ("application/n-quads", "application/trig"):
        # A CONSTRUCT/DESCRIBE answer is a graph: SPARQL 1.1 gives it no graph names.
        headers["x-jaif-graph-names"] = "not-kept"
    return result, headers


def wants_editor(accept: str | None, hints: tuple[str, ...]) -> bool:
    """Whether a request without a query is a browser's, to be answered with the query editor:
    no ``format`` asked for, and ``text/html`` preferred over every RDF format (on a tie, or
    without ``Accept``, programs keep getting the service description).

    >>> wants_editor("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ())
    True
    >>> wants_editor("*/*", ()), wants_editor(None, ()), wants_editor("text/turtle", ())
    (False, False, False)
    >>> wants_editor("text/html", ("turtle",))
    False
    """
    return not hints and negotiate(accept, (*GRAPH_MEDIA_TYPES, HTML)) == HTML


@router.options("/sparql", include_in_schema=False)
async def sparql_options() -> Response:
    """Answer a plain OPTIONS (CORS preflights are answered by the CORS middleware)."""
    return Response(status_code=204, headers={"allow": "GET, POST, OPTIONS"})


#: The service description's format for a client that asks only for query results.
SD_DEFAULT = "text/turtle"
#: Seconds a remote store's service description is kept before its graphs are read again.
SD_REMOTE_SECONDS = 5.0


def describe_service(request: Request, accept: str | None, hints: tuple[str, ...]) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the negotiated RDF format.

    A client that asks only for query results (SPARQL clients send their results types with
    every request) gets it in Turtle: without a query the answer is the service description
    (https://www.w3.org/TR/sparql11-service-description/#accessing), never results. An
    ``Accept`` naming neither kind is a ``406`` that says what the description is offered as.
    """
    media_type = negotiate(accept, GRAPH_MEDIA_TYPES, hints)
    if media_type is None and negotiate(accept, RESULTS_MEDIA_TYPES, hints) is not None:
        media_type = SD_DEFAULT
    if media_type is None:
        raise NotAcceptable(
            refusal(accept, GRAPH_MEDIA_TYPES, "service description (GET /sparql without a query)")
        )
    endpoint = endpoint_url(request)
    settings = get_app_settings(request)
    store = get_store(request)
    cache: dict[tuple[str, str], tuple[float, bytes]] = request.app.state.sd_cache
    key = (endpoint, media_type)
    # A remote server's graphs change under the running server (`jaif-kg load`): re-read them.
    fresh_for = SD_REMOTE_SECONDS if store.remote else float("inf")
    cached = cache.get(key)
    if cached is None or time.monotonic() - cached[0] > fresh_for:
        base = settings.base_iri
        named = [(g, _count(store, g)) for g in store.named_graphs()]
        cache[key] = (
            time.monotonic(),
            service_description(
                endpoint,
                media_type,
                default_graph_triples=_default_graph_size(store),
                named_graphs=named,
                records=graph_records(store, base=base),
                union=settings.union_default_graph,
                meta_graph=meta_graph(base),
                federated=bool(settings.allow_service),
                graph_store=endpoint.removesuffix("sparql") + "graph-store",
            ),
        )
    return Response(
        cache[key][1], headers={"content-type": content_type(media_type), "vary": "Accept"}
    )


def _default_graph_size(store: Store) -> int | None:
    """What a query that names no dataset sees (the union, or the shipped graph alone)."""
    try:
        rows = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        return int(str(rows[0]["n"])) if rows else None
    except Exception:  # a remote server may not answer counts; the description omits them
        return None


def _count(store: Store, graph: str | None) -> int | None:
    try:
        return int(store.count(graph))
    except Exception:  # a remote server may not answer counts; the description omits them
        return None
