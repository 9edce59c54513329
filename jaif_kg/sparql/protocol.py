"""The SPARQL 1.1 Protocol, kept out of the HTTP framework: request parsing and the
protocol's errors.

* Request parsing follows `SPARQL 1.1 Protocol §2.1 <https://www.w3.org/TR/sparql11-protocol/#query-operation>`_:
  ``query`` by GET, by POST form (``application/x-www-form-urlencoded``) or by POST direct
  (``application/sparql-query``, UTF-8 only); ``default-graph-uri`` / ``named-graph-uri`` select the
  dataset. The endpoint is read-only: every SPARQL Update request is refused (403).
* Content negotiation (:mod:`jaif_kg.rdf.negotiation`) picks a SPARQL results format for
  SELECT/ASK (:func:`form_kind`) and an RDF format for CONSTRUCT/DESCRIBE; 406
  (:class:`NotAcceptable`) when nothing fits.
* Safety: :mod:`jaif_kg.sparql.prepare` checks and rewrites the query text before any
  backend sees it; the service description (no query) is :mod:`jaif_kg.sparql.description`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

from jaif_kg.errors import JaifError, QueryRefused
from jaif_kg.rdf.negotiation import parse_media_type

QueryForm = Literal["select", "ask", "construct", "describe"]
Operation = Literal["query", "update", "description"]

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"


class ProtocolError(JaifError):
    """A request the SPARQL protocol does not allow. ``status`` is the HTTP status to answer."""

    status: int = 400


class NotAcceptable(ProtocolError):
    """No format the endpoint can write matches the request's ``Accept`` header."""

    status = 406


class UnsupportedMediaType(ProtocolError):
    """A POST body whose media type is neither a form nor ``application/sparql-query``."""

    status = 415


class PayloadTooLarge(ProtocolError):
    """A request body larger than the configured cap."""

    status = 413


class UpdateRefused(QueryRefused):
    """A SPARQL Update request: the endpoint is read-only."""


READ_ONLY_MESSAGE = (
    "this SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, "
    "ADD, MOVE, COPY) is not accepted"
)


# --------------------------------------------------------------------------- request parsing


@dataclass(frozen=True)
class SparqlRequest:
    """One protocol request, independent of the HTTP framework.

    Attributes:
        operation: ``query``, ``update`` (always refused later) or ``description`` (no query:
            answer with the service description).
        text: the query (or update) text.
        default_graphs: ``default-graph-uri`` values, in order.
        named_graphs: ``named-graph-uri`` values, in order.
        format_hints: values of the ``format`` / ``output`` / ``results`` parameters.
    """

    operation: Operation
    text: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format_hints: tuple[str, ...] = ()


def _decode(body: bytes, charset: str | None, what: str) -> str:
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        raise UnsupportedMediaType(f"the {what} must be UTF-8 encoded, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the {what} is not valid UTF-8: {exc}") from exc


def _form_pairs(body: bytes, charset: str | None) -> list[tuple[str, str]]:
    text = _decode(body, charset, "form body")
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the form body is not valid UTF-8 once decoded: {exc}") from exc


def parse_request(
    method: str,
    url_params: Sequence[tuple[str, str]],
    content_type: str | None,
    body: bytes,
) -> SparqlRequest:
    """Read a SPARQL protocol request (`§2.1 <https://www.w3.org/TR/sparql11-protocol/#query-operation>`_).

    Args:
        method: the HTTP method (``GET`` or ``POST``).
        url_params: the URL's query-string parameters, in order, repeated names kept.
        content_type: the ``Content-Type`` header of a POST.
        body: the request body of a POST.

    Raises:
        ProtocolError: malformed request (two queries, a query and an update, no query in a POST).
        UnsupportedMediaType: a POST body of another media type, or not UTF-8.

    >>> r = parse_request("GET", [("query", "ASK {}"), ("format", "json")], None, b"")
    >>> r.operation, r.text, r.format_hints
    ('query', 'ASK {}', ('json',))
    >>> parse_request("POST", [], "application/sparql-query", b"ASK {}").text
    'ASK {}'
    >>> parse_request("GET", [], None, b"").operation
    'description'
    """
    method = method.upper()
    params = list(url_params)
    direct: tuple[Operation, str] | None = None
    if method == "POST":
        media, mparams = parse_media_type(content_type)
        charset = mparams.get("charset")
        if media == FORM_MEDIA_TYPE:
            params += _form_pairs(body, charset)
        elif media == QUERY_MEDIA_TYPE:
            direct = ("query", _decode(body, charset, "query"))
        elif media == UPDATE_MEDIA_TYPE:
            direct = ("update", _decode(body, charset, "update"))
        elif not media:
            raise UnsupportedMediaType(
                "a POST to the SPARQL endpoint needs a Content-Type: "
                f"{FORM_MEDIA_TYPE} or {QUERY_MEDIA_TYPE}"
            )
        else:
            raise UnsupportedMediaType(
                f"unsupported Content-Type {media!r}: send {FORM_MEDIA_TYPE} "
                f"(query=...) or {QUERY_MEDIA_TYPE} (the query as the body)"
            )
    elif method != "GET":
        raise ProtocolError(f"method {method} is not allowed: use GET or POST")

    queries: list[str] = []
    updates: list[str] = []
    default_graphs: list[str] = []
    named_graphs: list[str] = []
    hints: list[str] = []
    for name, value in params:
        if name == "query":
            queries.append(value)
        elif name == "update":
            updates.append(value)
        elif name in ("default-graph-uri", "using-graph-uri"):
            default_graphs.append(value.strip())
        elif name in ("named-graph-uri", "using-named-graph-uri"):
            named_graphs.append(value.strip())
        elif name in ("format", "output", "results"):
            hints.append(value)
    if direct is not None:
        (queries if direct[0] == "query" else updates).append(direct[1])

    dg, ng, fh = tuple(default_graphs), tuple(named_graphs), tuple(hints)
    if updates:
        # Refused whatever else the request says, so that a client learns the real reason.
        return SparqlRequest("update", updates[0], dg, ng)
    if len(queries) > 1:
        raise ProtocolError("the request has more than one query: send exactly one")
    if not queries:
        if method == "POST":
            raise ProtocolError("the POST request has no query: send query=... or a query body")
        return SparqlRequest("description", "", dg, ng, fh)
    return SparqlRequest("query", queries[0], dg, ng, fh)


# --------------------------------------------------------------------------- content negotiation


def form_kind(form: QueryForm | None) -> Literal["results", "graph"]:
    """What a query form returns: SPARQL results (SELECT, ASK) or an RDF graph.

    >>> form_kind("construct"), form_kind("ask")
    ('graph', 'results')
    """
    return "graph" if form in ("construct", "describe") else "results"
