"""The SPARQL 1.1 Protocol, kept out of the HTTP framework: request parsing and the
protocol's errors.

* Request parsing follows `SPARQL 1.1 Protocol §2.1 <https://www.w3.org/TR/sparql11-protocol/#query-operation>`_:
  ``query`` by GET, by POST form (``application/x-www-form-urlencoded``) or by POST direct
  (``application/sparql-query``, UTF-8 only); ``default-graph-uri`` / ``named-graph-uri`` select the
  dataset. The endpoint is read-only: every SPARQL Update request is refused (403).
* Content negotiation picks a SPARQL results format for SELECT/ASK and an RDF format for
  CONSTRUCT/DESCRIBE from ``Accept`` (q-values honoured) or from the ``format`` / ``output`` /
  ``results`` parameters some clients add (SPARQLWrapper sends all three); 406 when nothing fits.
* Safety: :mod:`jaif_kg.sparql.prepare` checks and rewrites the query text before any
  backend sees it; the service description (no query) is :mod:`jaif_kg.sparql.description`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

from jaif_kg.errors import JaifError, QueryRefused
from jaif_kg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS

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


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type header into its media type and parameters.

    >>> _media_type('application/sparql-query; charset="UTF-8"')
    ('application/sparql-query', {'charset': 'UTF-8'})
    """
    if not content_type:
        return "", {}
    main, *params = content_type.split(";")
    out: dict[str, str] = {}
    for p in params:
        if "=" in p:
            k, v = p.split("=", 1)
            out[k.strip().lower()] = v.strip().strip('"')
    return main.strip().lower(), out


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
        media, mparams = _media_type(content_type)
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

#: Extra media types clients use for the same formats (SPARQLWrapper, browsers, N3 clients).
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "turtle": ("application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
    "jsonld": ("application/json", "application/x-json+ld"),
}
#: Short names (``format=...``) -> format name, for each result kind.
_RESULT_HINTS = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
}
_GRAPH_HINTS = {
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "jsonld": "jsonld",
    "json": "jsonld",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdfxml": "rdfxml",
    "nquads": "nquads",
    "nq": "nquads",
    "n-quads": "nquads",
    "trig": "trig",
}


@dataclass(frozen=True)
class _Offer:
    name: str
    media_type: str
    accepts: tuple[str, ...]


def _offers(kind: Literal["results", "graph"]) -> tuple[_Offer, ...]:
    if kind == "results":
        return tuple(
            _Offer(f.name, f.media_type, (f.media_type, *f.aliases)) for f in RESULTS_FORMATS
        )
    return tuple(
        _Offer(f.name, f.media_type, (f.media_type, *f.aliases, *_EXTRA_ALIASES.get(f.name, ())))
        for f in RDF_FORMATS
    )


_RESULT_OFFERS = _offers("results")
_GRAPH_OFFERS = _offers("graph")


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Parse an ``Accept`` header into (media range, q) pairs, best first, ties in header order.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    >>> parse_accept(None)
    [('*/*', 1.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for i, part in enumerate(header.split(",")):
        media, params = _media_type(part)
        if not media:
            continue
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        ranges.append((media, max(0.0, min(1.0, q)), i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def _match_q(offer: _Offer, ranges: Sequence[tuple[str, float]]) -> float:
    """The q the client gives ``offer``: the most specific matching range wins (RFC 9110
    §12.5.1). Aliases (``application/json``...) match exactly; ``type/*`` and ``*/*`` match the
    media type actually written, so ``text/*`` never selects SPARQL XML through ``text/xml``."""
    best_specificity, best_q = -1, 0.0
    mtype = offer.media_type.split("/", 1)[0]
    for rng, q in ranges:
        if rng in offer.accepts:
            specificity = 2
        elif rng == f"{mtype}/*":
            specificity = 1
        elif rng == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


def negotiate(
    accept: str | None,
    kind: Literal["results", "graph"],
    hints: Iterable[str] = (),
) -> str:
    """Choose the media type to answer with.

    A ``format`` / ``output`` / ``results`` hint that names a known format wins; otherwise the
    ``Accept`` header decides (q-values; ties go to the server's order: SPARQL JSON for results,
    Turtle for graphs). Unknown hints are ignored, never an error.

    Raises:
        NotAcceptable: nothing the endpoint writes is acceptable.

    >>> negotiate(None, "results")
    'application/sparql-results+json'
    >>> negotiate("text/csv, */*;q=0.1", "results")
    'text/csv'
    >>> negotiate("*/*", "graph")
    'text/turtle'
    >>> negotiate("application/sparql-results+xml", "results", ["json"])
    'application/sparql-results+json'
    >>> negotiate("text/turtle", "graph", ["application/ld+json"])
    'application/ld+json'
    >>> negotiate(None, "graph", ["no-such-format"])
    'text/turtle'
    """
    offers = _RESULT_OFFERS if kind == "results" else _GRAPH_OFFERS
    short = _RESULT_HINTS if kind == "results" else _GRAPH_HINTS
    for hint in hints:
        h = hint.strip().lower()
        if not h:
            continue
        if "/" in h:
            media = _media_type(h)[0]
            for offer in offers:
                if media in offer.accepts:
                    return offer.media_type
        elif h in short:
            return next(o.media_type for o in offers if o.name == short[h])
    ranges = parse_accept(accept)
    best: tuple[float, str] | None = None
    for offer in offers:
        q = _match_q(offer, ranges)
        if q > 0 and (best is None or q > best[0]):
            best = (q, offer.media_type)
    if best is None:
        wanted = ", ".join(m for m, _ in ranges)
        if len(wanted) > 200:  # never echo a huge header back
            wanted = wanted[:200] + "..."
        raise NotAcceptable(
            f"cannot answer with {wanted}; this "
            f"{'query' if kind == 'results' else 'graph query'} can be answered as: "
            + ", ".join(o.media_type for o in offers)
        )
    return best[1]


def form_kind(form: QueryForm | None) -> Literal["results", "graph"]:
    """What a query form returns: SPARQL results (SELECT, ASK) or an RDF graph.

    >>> form_kind("construct"), form_kind("ask")
    ('graph', 'results')
    """
    return "graph" if form in ("construct", "describe") else "results"
