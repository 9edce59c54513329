"""The SPARQL 1.1 Protocol, kept out of the HTTP framework: request parsing, content
negotiation and the safety checks every query passes before any backend sees it.

* Request parsing follows `SPARQL 1.1 Protocol §2.1 <https://www.w3.org/TR/sparql11-protocol/#query-operation>`_:
  ``query`` by GET, by POST form (``application/x-www-form-urlencoded``) or by POST direct
  (``application/sparql-query``, UTF-8 only); ``default-graph-uri`` / ``named-graph-uri`` select the
  dataset. The endpoint is read-only: every SPARQL Update request is refused (403).
* Content negotiation picks a SPARQL results format for SELECT/ASK and an RDF format for
  CONSTRUCT/DESCRIBE from ``Accept`` (q-values honoured) or from the ``format`` / ``output`` /
  ``results`` parameters some clients add (SPARQLWrapper sends all three); 406 when nothing fits.
* Safety (:func:`prepare_query`): nothing a query says may make a backend fetch a URL or read a
  file. SPARQL Update, hence ``LOAD``, is refused (403); ``SERVICE`` is refused on a real parse by
  :mod:`jaif_kg.sparql.safety` and, in the query workers, by the kernel
  (:mod:`jaif_kg.workers.sandbox`);
  ``FROM`` /
  ``FROM NAMED`` clauses are taken out of the text and turned into a dataset selection over the
  graphs already in the store (`SPARQL 1.1 Query §13.2
  <https://www.w3.org/TR/sparql11-query/#specifyingDataset>`_), so no backend ever dereferences
  them; a dataset given by the protocol overrides them, as §2.1.4 of the protocol requires.
  Relative IRIs are resolved against the endpoint's URL (a ``BASE`` is added when the query has
  none). A top-level ``LIMIT`` of ``max_results + 1`` bounds what a query can return.

The scanner is a tokenizer, not a parser: it never decides whether a query is valid (the engine
does, and its message reaches the client); it only finds keywords outside strings, IRIs and
comments, and the nesting depth of each token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urljoin

from jaif_kg.errors import JaifError, QueryRefused
from jaif_kg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS
from jaif_kg.sparql.lexer import Token, scan

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

QueryForm = Literal["select", "ask", "construct", "describe"]
Operation = Literal["query", "update", "description"]

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"

#: Words that start a SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = frozenset(
    {"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"}
)
QUERY_FORMS: frozenset[str] = frozenset({"select", "ask", "construct", "describe"})


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


# --------------------------------------------------------------------------- the query scanner


@dataclass(frozen=True)
class PreparedQuery:
    """A query made safe to hand to any backend.

    Attributes:
        form: ``select``, ``ask``, ``construct`` or ``describe``; ``None`` when the scanner cannot
            tell (the engine will report the syntax error).
        text: the text to run: ``FROM`` clauses blanked out, a ``BASE`` added when needed, a
            ``LIMIT`` capping the result when ``max_results`` is set. Line numbers are kept.
        default_graphs: the dataset's default graph IRIs (``None``: the store's default graph).
        named_graphs: the dataset's named graph IRIs (``None``: every named graph).
        capped: the result may exceed ``max_results`` and must be counted.
    """

    form: QueryForm | None
    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    capped: bool = False
    from_clauses: tuple[str, ...] = field(default=(), repr=False)
    depth: int = field(default=0, repr=False)
    unions: int = field(default=0, repr=False)


def _expand(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if _SCHEME.match(iri) or base is None else urljoin(base, iri)
    if token.kind == "pname":
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def prepare_query(
    text: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    base_iri: str | None = None,
    max_results: int | None = None,
) -> PreparedQuery:
    """Check a query and rewrite it so that no backend can fetch anything for it.

    Args:
        text: the query text.
        default_graphs: the protocol's ``default-graph-uri`` values.
        named_graphs: the protocol's ``named-graph-uri`` values.
        base_iri: the IRI relative IRIs resolve against (the endpoint's URL).
        max_results: most rows a SELECT may return; a top-level ``LIMIT max_results + 1``
            is added (or lowered to it) so that a larger result is never built.

    Raises:
        UpdateRefused: the text is a SPARQL Update (including ``LOAD``).

    >>> q = prepare_query("SELECT * FROM <http://g> FROM NAMED <http://n> { ?s ?p ?o }")
    >>> q.form, q.default_graphs, q.named_graphs, "FROM" in q.text
    ('select', ('http://g',), ('http://n',), False)
    >>> prepare_query("ASK FROM <file:///etc/passwd> {}", named_graphs=["http://x"]).default_graphs
    ()
    >>> prepare_query("SELECT * { ?s ?p ?o }", max_results=10).text
    'SELECT * { ?s ?p ?o }\\nLIMIT 11'
    >>> prepare_query("CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri="http://h/sparql").text
    'BASE <http://h/sparql> CONSTRUCT { <s> <p> 1 } WHERE {}'
    """
    tokens = scan(text)
    prefixes: dict[str, str] = {}
    base: str | None = None
    has_base = False
    i = 0
    n = len(tokens)
    while i < n and tokens[i].kind == "word" and tokens[i].text.lower() in ("base", "prefix"):
        word = tokens[i].text.lower()
        if word == "base" and i + 1 < n and tokens[i + 1].kind == "iri":
            has_base = True
            base = _expand(tokens[i + 1], prefixes, base or base_iri)
            i += 2
        elif word == "prefix" and i + 2 < n and tokens[i + 1].kind == "pname":
            ns = _expand(tokens[i + 2], prefixes, base or base_iri)
            if ns is not None:
                prefixes[tokens[i + 1].text.rstrip(":").split(":", 1)[0]] = ns
            i += 3
        else:
            break
    first = tokens[i].text.lower() if i < n and tokens[i].kind == "word" else ""
    if first in UPDATE_KEYWORDS:
        raise UpdateRefused(READ_ONLY_MESSAGE)
    form: QueryForm | None = first if first in QUERY_FORMS else None  # type: ignore[assignment]

    from_default: list[str] = []
    from_named: list[str] = []
    blanks: list[tuple[int, int]] = []
    relative = False
    limit_token: Token | None = None
    values_token: Token | None = None
    depth = unions = 0
    for j, tok in enumerate(tokens):
        if tok.kind == "punct" and tok.text in "{([":
            depth = max(depth, tok.braces + tok.parens + 1)
        if tok.kind == "word":
            word = tok.text.lower()
            if word == "union":
                unions += 1
            if word == "from":
                k = j + 1
                named = k < n and tokens[k].kind == "word" and tokens[k].text.lower() == "named"
                if named:
                    k += 1
                if k < n:
                    iri = _expand(tokens[k], prefixes, base or base_iri)
                    if iri is not None:
                        (from_named if named else from_default).append(iri)
                        blanks.append((tok.start, tokens[k].end))
            elif tok.braces == 0 and tok.parens == 0:
                if word == "limit" and j + 1 < n and tokens[j + 1].kind == "number":
                    limit_token = tokens[j + 1]
                elif word == "values":
                    values_token = tok
            if word in UPDATE_KEYWORDS and tok.braces == 0 and j > i and tokens[j - 1].text == ";":
                raise UpdateRefused(READ_ONLY_MESSAGE)
        elif tok.kind == "iri" and not _SCHEME.match(tok.text[1:-1]):
            relative = True

    # Dataset: the protocol's, else the query's FROM / FROM NAMED (SPARQL 1.1 Query §13.2:
    # FROM NAMED alone leaves an empty default graph; FROM alone leaves no named graphs).
    dg: tuple[str, ...] | None = None
    ng: tuple[str, ...] | None = None
    if default_graphs or named_graphs:
        dg, ng = tuple(default_graphs), tuple(named_graphs)
    elif from_default or from_named:
        dg, ng = tuple(from_default), tuple(from_named)

    out = text
    # Edits from the end so that earlier offsets stay valid.
    edits: list[tuple[int, int, str]] = [
        (s, e, re.sub(r"[^\n]", " ", text[s:e])) for s, e in blanks
    ]
    capped = False
    opened = sum(
        1 if t.text in ("{", "(") else -1 if t.text in ("}", ")") else 0
        for t in tokens
        if t.kind == "punct"
    )
    balanced = opened == 0
    if max_results is not None and form in ("select", "construct", "describe") and balanced:
        cap = max_results + 1
        if limit_token is not None:
            if int(float(limit_token.text)) > max_results:
                edits.append((limit_token.start, limit_token.end, str(cap)))
                capped = True
            else:
                capped = form != "select"
        elif values_token is not None:
            edits.append((values_token.start, values_token.start, f"LIMIT {cap} "))
            capped = True
        else:
            edits.append((len(text), len(text), f"\nLIMIT {cap}"))
            capped = True
    for s, e, repl in sorted(edits, reverse=True):
        out = out[:s] + repl + out[e:]
    if relative and not has_base and base_iri:
        out = f"BASE <{base_iri}> " + out
    return PreparedQuery(form, out, dg, ng, capped, tuple(from_default + from_named), depth, unions)


# --------------------------------------------------------------------------- service description

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
#: W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint writes.
_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
)


def service_description(
    endpoint: str,
    media_type: str,
    *,
    default_graph_triples: int | None = None,
    named_graphs: Sequence[tuple[str, int | None]] = (),
    title: str = "jaif-kg SPARQL endpoint",
) -> bytes:
    """A `SPARQL 1.1 Service Description <https://www.w3.org/TR/sparql11-service-description/>`_.

    It names the endpoint (``sd:endpoint``), the language (``sd:SPARQL11Query`` only: the endpoint
    is read-only), the result formats, and the default dataset: the default graph and each named
    graph with its size (``void:triples``). It declares no ``sd:feature``: the endpoint does not
    dereference IRIs (``sd:DereferencesURIs``), has no union default graph
    (``sd:UnionDefaultGraph``), and refuses ``SERVICE`` (``sd:BasicFederatedQuery``).

    >>> ttl = service_description("http://h/sparql", "application/n-triples")
    >>> b"<http://h/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint>" in ttl
    True
    """
    import pyoxigraph as ox

    from jaif_kg.rdf.formats import rdf_format

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=iri(_XSD_INTEGER))

    service = iri(endpoint)
    sd = {
        name: iri(_SD + name)
        for name in (
            "Service",
            "endpoint",
            "supportedLanguage",
            "SPARQL11Query",
            "resultFormat",
            "defaultEntailmentRegime",
            "defaultDataset",
            "Dataset",
            "defaultGraph",
            "Graph",
            "namedGraph",
            "NamedGraph",
            "name",
            "graph",
        )
    }
    rdf_type = iri(_RDF_TYPE)
    triples = [
        ox.Triple(service, rdf_type, sd["Service"]),
        ox.Triple(service, iri(_RDFS_LABEL), ox.Literal(title)),
        ox.Triple(
            service,
            iri(_RDFS_COMMENT),
            ox.Literal(
                "Read-only SPARQL 1.1 endpoint. SPARQL Update, LOAD and SERVICE are refused; FROM, "
                "FROM NAMED, default-graph-uri and named-graph-uri select graphs held by the store "
                "and are never dereferenced (an unknown graph is empty)."
            ),
        ),
        ox.Triple(service, sd["endpoint"], service),
        ox.Triple(service, sd["supportedLanguage"], sd["SPARQL11Query"]),
        ox.Triple(
            service, sd["defaultEntailmentRegime"], iri("http://www.w3.org/ns/entailment/Simple")
        ),
    ]
    triples += [ox.Triple(service, sd["resultFormat"], iri(_FORMATS_NS + f)) for f in _FORMAT_IRIS]
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(service, sd["defaultDataset"], dataset),
        ox.Triple(dataset, rdf_type, sd["Dataset"]),
        ox.Triple(dataset, sd["defaultGraph"], default_graph),
        ox.Triple(default_graph, rdf_type, sd["Graph"]),
    ]
    if default_graph_triples is not None:
        triples.append(ox.Triple(default_graph, iri(_VOID_TRIPLES), count(default_graph_triples)))
    for i, (name, size) in enumerate(named_graphs):
        node, graph = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, sd["namedGraph"], node),
            ox.Triple(node, rdf_type, sd["NamedGraph"]),
            ox.Triple(node, sd["name"], iri(name)),
            ox.Triple(node, sd["graph"], graph),
            ox.Triple(graph, rdf_type, sd["Graph"]),
        ]
        if size is not None:
            triples.append(ox.Triple(graph, iri(_VOID_TRIPLES), count(size)))
    fmt = rdf_format(media_type)
    prefixes = {
        "sd": _SD,
        "formats": _FORMATS_NS,
        "void": "http://rdfs.org/ns/void#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    }
    if fmt.name in ("turtle", "trig"):
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes) or b""
    return ox.serialize(triples, format=fmt.oxigraph) or b""
