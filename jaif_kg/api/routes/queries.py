"""``/api/queries``: the named queries of ``queries/`` as a documented REST API.

Routes are generated from the catalog when the app is built: each named query is its own OpenAPI
operation (``GET /api/queries/<name>``) with its parameters typed, described and, where the
query declares them, restricted to an enum. Values are validated by the catalog and bound into
the parsed query as terms (never pasted into the text), so no value can change the query.
Answers are plain JSON rows by default (``application/json``: an array of objects), or SPARQL
JSON / XML, CSV, TSV, and for CONSTRUCT / DESCRIBE queries an RDF format (JSON-LD by default).
"""

from __future__ import annotations

import enum
import inspect
import keyword
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from jaif_kg.api.deps import get_app_settings, get_executor, public_base
from jaif_kg.catalog import Catalog, NamedQuery, Parameter
from jaif_kg.errors import ParameterError
from jaif_kg.rdf.negotiation import content_type, negotiate, refusal
from jaif_kg.sparql.protocol import NotAcceptable, form_kind
from jaif_kg.workers.pool import ROWS_MEDIA_TYPE, Job

if TYPE_CHECKING:
    from jaif_kg.settings import Settings

#: ``format=`` values of the API, for each kind of query (the first is the default).
RESULT_FORMATS = {
    "json": ROWS_MEDIA_TYPE,
    "sparql-json": "application/sparql-results+json",
    "sparql-xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "jsonld": "application/ld+json",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
_OPENAPI_TYPES: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "integer": {"type": "integer"},
    "decimal": {"type": "string", "pattern": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"},
    "boolean": {"type": "boolean"},
}


def _py_name(name: str) -> str:
    """A Python identifier for a parameter name.

    >>> _py_name("as_of"), _py_name("from"), _py_name("work-plan")
    ('as_of', 'from_', 'work_plan')
    """
    ident = re.sub(r"\W", "_", name)
    return ident + "_" if keyword.iskeyword(ident) or not ident.isidentifier() else ident


def _annotation(query: NamedQuery, p: Parameter, required: bool) -> Any:
    """The type FastAPI validates (422 on a bad value) and documents for one parameter."""
    description = p.description + (f" (default: {p.default})" if p.default else "")
    if p.enum:
        choices = enum.Enum(  # type: ignore[misc]
            f"{_py_name(query.name)}_{_py_name(p.name)}", {v: v for v in p.enum}, type=str
        )
        base: Any = choices
    elif p.type == "integer":
        base = int
    elif p.type == "boolean":
        base = bool
    else:
        base = str
    extra = None if p.enum or p.type in ("integer", "boolean") else _OPENAPI_TYPES.get(p.type)
    return Annotated[
        base if required else base | None,
        Query(alias=p.name, description=description, json_schema_extra=extra),
    ]


def _text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _formats(query: NamedQuery) -> dict[str, str]:
    """The ``format=`` values of a query and their media types, the default first."""
    return RESULT_FORMATS if form_kind(query.kind) == "results" else GRAPH_FORMATS  # type: ignore[arg-type]


def _choose(request: Request, query: NamedQuery, fmt: str | None) -> str:
    """The media type to answer with: ``format=`` if given, else by ``Accept``."""
    formats = _formats(query)
    if fmt:
        if fmt in formats:
            return formats[fmt]
        raise ParameterError(
            f"format {fmt!r} is not available for this {query.kind.upper()} query; "
            f"use one of: {', '.join(formats)}"
        )
    accept = request.headers.get("accept")
    offers = list(formats.values())
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptable(refusal(accept, offers, "query"))
    return chosen


def _job(query: NamedQuery, text: str, media_type: str, settings: Settings) -> Job:
    """The worker's job for the bound ``text`` of ``query``: prepared there (the row cap's
    ``LIMIT``), where it is remembered per text."""
    graph = form_kind(query.kind) == "graph"  # type: ignore[arg-type]
    return Job(
        text,
        media_type,
        max_results=settings.max_results,
        graph_media_type=media_type if graph else None,
        prepare=True,
    )


def answer_headers(written: str) -> dict[str, str]:
    """The headers of a named query's answer in the media type ``written``."""
    return {"content-type": content_type(written), "vary": "Accept"}


_INTEGER = re.compile(r"0|-?[1-9][0-9]*")


def plain_job(
    query: NamedQuery, params: Sequence[tuple[str, str]], accept: str | None, settings: Settings
) -> Job | None:
    """The job of ``GET /api/queries/<name>`` with ``params`` when the route would run it as
    the request has it, for the SPARQL fast lane (:mod:`jaif_kg.api.fastlane`); ``None`` for
    anything else, which the route answers (its errors included).

    Run as it is: each parameter known and given once, each value in the form FastAPI passes on
    unchanged (an integer without leading zeros or ``+``, ``true``/``false``), a known
    ``format`` or an acceptable media type, and values the catalog binds (which refuses a
    missing required value and a value outside an enum).
    """
    names = {p.name: p for p in query.parameters}
    values: dict[str, str] = {}
    fmt: str | None = None
    for key, value in params:
        if key in values or (key == "format" and fmt is not None):
            return None
        if key == "format":
            fmt = value
            continue
        p = names.get(key)
        if p is None:
            return None
        if p.type == "integer" and not p.enum and not _INTEGER.fullmatch(value):
            return None  # FastAPI would pass on its own spelling ("007" -> "7")
        if p.type == "boolean" and value not in ("true", "false"):
            return None  # FastAPI would pass on "true" for "yes", "on", "1"...
        values[key] = value
    formats = _formats(query)
    media_type = formats.get(fmt) if fmt is not None else negotiate(accept, list(formats.values()))
    if media_type is None:
        return None
    try:
        text = query.bind(values)
    except ParameterError:
        return None
    return _job(query, text, media_type, settings)


def _endpoint(query: NamedQuery) -> Any:
    names = {_py_name(p.name): p.name for p in query.parameters}

    async def run(request: Request, **kwargs: Any) -> Response:
        counts = Counter(key for key, _ in request.query_params.multi_items())
        repeated = sorted(key for key, n in counts.items() if n > 1)
        if repeated:
            # FastAPI would silently keep one of the values
            raise ParameterError(
                f"parameter {', '.join(map(repr, repeated))} given more than once; query "
                f"{query.name!r} takes one value of each parameter"
            )
        known = {*names.values(), "format"}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ParameterError(
                f"query {query.name!r} has no parameter {', '.join(map(repr, unknown))}; its "
                f"parameters: {', '.join(p.name for p in query.parameters) or 'none'}"
            )
        fmt = kwargs.pop("format_", None)
        values = {names[k]: _text(v) for k, v in kwargs.items() if v is not None}
        text = query.bind(values)
        settings = get_app_settings(request)
        media_type = _choose(request, query, _text(fmt) if fmt is not None else None)
        body, written = await get_executor(request).run(_job(query, text, media_type, settings))
        return Response(body, headers=answer_headers(written))

    formats = _formats(query)
    fmt_enum = enum.Enum(  # type: ignore[misc]
        f"{_py_name(query.name)}_format", {k: k for k in formats}, type=str
    )
    params = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
    ]
    for p in query.parameters:
        required = p.required and p.default is None
        params.append(
            inspect.Parameter(
                _py_name(p.name),
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(query, p, required),
                default=inspect.Parameter.empty if required else None,
            )
        )
    params.append(
        inspect.Parameter(
            "format_",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                fmt_enum | None,
                Query(
                    alias="format",
                    description="Answer format (default: the first; `Accept` is honoured too).",
                ),
            ],
        )
    )
    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__name__ = f"query_{_py_name(query.name)}"
    return run


def _describe(query: NamedQuery, base: str) -> dict[str, Any]:
    formats = _formats(query)
    url = f"{base}api/queries/{query.name}"
    example = "&".join(f"{k}={v}" for k, v in query.example.items())
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "kind": query.kind,
        "tags": list(query.tags),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "required": p.required,
                "default": p.default,
                "enum": list(p.enum) if p.enum else None,
            }
            for p in query.parameters
        ],
        "formats": list(formats),
        "example": dict(query.example),
        "links": {"self": url, "example": url + (f"?{example}" if example else "")},
    }


def build_router(catalog: Catalog) -> APIRouter:
    """The router of the catalog: the listing and one operation per named query."""
    router = APIRouter(prefix="/api/queries")

    @router.get("", summary="List the named queries", tags=["named queries"])
    def list_queries(request: Request) -> list[dict[str, Any]]:
        """Every named query: name, summary, parameters (typed), formats and links."""
        base = public_base(request)
        return [_describe(q, base) for q in catalog]

    for query in catalog:
        formats = _formats(query)
        router.add_api_route(
            f"/{query.name}",
            _endpoint(query),
            methods=["GET"],
            summary=query.summary,
            description=query.description or query.summary,
            tags=["named queries", *query.tags],
            operation_id=f"query_{_py_name(query.name)}",
            response_class=Response,
            responses={
                200: {
                    "description": f"The {query.kind.upper()} result",
                    "content": {m: {} for m in formats.values()},
                },
                404: {"description": "No such query"},
                406: {"description": "No acceptable format"},
                413: {"description": "More results than the server's limit"},
                422: {"description": "A parameter value is invalid, missing or unknown"},
                503: {"description": "The query ran past the time limit"},
            },
        )

    @router.get("/{name}", include_in_schema=False)
    def unknown(name: str) -> None:
        catalog[name]  # raises UnknownQuery (404) with the list of names

    return router
