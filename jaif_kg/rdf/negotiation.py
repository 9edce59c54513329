"""THE content negotiator: which media type to answer with, from ``Accept`` and format hints.

Every door that negotiates (the SPARQL endpoint, the named-query API, linked-data pages and
documents) calls :func:`negotiate`, so they all follow the same rules:

* `RFC 9110 §12.5.1 <https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1>`_: each offer gets
  the ``q`` of the most specific range that matches it (exact type, then ``type/*``, then
  ``*/*``); ``q=0`` means "not acceptable"; the highest ``q`` wins and ties go to the earlier offer
  (the server's order of preference). No ``Accept`` header means ``*/*``.
* Aliases clients use for the same format (``application/xml`` for RDF/XML and SPARQL XML,
  ``application/json`` for SPARQL JSON and JSON-LD, ``text/n3`` for Turtle...) match the offer
  exactly; ``type/*`` and ``*/*`` match only the media type actually written, so ``text/*`` never
  selects SPARQL XML through ``text/xml``.
* A ``format`` / ``output`` / ``results`` hint (SPARQLWrapper sends all three) that names an
  offer, by media type or by short name (``json``, ``ttl``, ``csv``...), wins over ``Accept``;
  unknown hints are ignored, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from jaif_kg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS, rdf_format, results_format

#: The media type of an HTML page.
HTML = "text/html"
#: Media types written as UTF-8 text (their ``Content-Type`` names the charset).
_TEXT_TYPES = ("text/", "application/n-triples", "application/n-quads", "application/trig")

#: What a SELECT or ASK query can be answered as, in the server's order of preference.
RESULTS_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in RESULTS_FORMATS)
#: What a CONSTRUCT or DESCRIBE query can be answered as, in the server's order of preference.
GRAPH_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in RDF_FORMATS)


#: Extra media types clients use for the same formats (SPARQLWrapper, browsers, N3 clients).
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "turtle": ("application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
    "jsonld": ("application/json", "application/x-json+ld"),
}
#: Media type -> every range that names it exactly (itself first).
_ACCEPTS: dict[str, tuple[str, ...]] = {
    **{f.media_type: (f.media_type, *f.aliases) for f in RESULTS_FORMATS},
    **{
        f.media_type: (f.media_type, *f.aliases, *_EXTRA_ALIASES.get(f.name, ()))
        for f in RDF_FORMATS
    },
}
#: Short names (``format=json``) of results formats -> format name.
_RESULT_HINTS = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
}
#: Short names of RDF formats -> format name.
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
#: Short names -> media type, results first (``json`` names SPARQL JSON where it is offered,
#: JSON-LD where only graphs are).
_HINT_TABLES: tuple[dict[str, str], ...] = (
    {short: results_format(name).media_type for short, name in _RESULT_HINTS.items()},
    {short: rdf_format(name).media_type for short, name in _GRAPH_HINTS.items()},
)


def parse_media_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a ``Content-Type`` value (or one range of ``Accept``) into the lower-case media type
    and its parameters (names lower-cased, quotes removed).

    >>> parse_media_type('application/sparql-query; charset="UTF-8"')
    ('application/sparql-query', {'charset': 'UTF-8'})
    >>> parse_media_type(None)
    ('', {})
    """
    if not value:
        return "", {}
    main, *params = value.split(";")
    out: dict[str, str] = {}
    for p in params:
        if "=" in p:
            k, v = p.split("=", 1)
            out[k.strip().lower()] = v.strip().strip('"')
    return main.strip().lower(), out


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Parse an ``Accept`` header into (media range, q) pairs, best first, ties in header order.

    A ``q`` that is not a number counts as 0; no header (or an empty one) means ``*/*``.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    >>> parse_accept(None)
    [('*/*', 1.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for i, part in enumerate(header.split(",")):
        media, params = parse_media_type(part)
        if not media:
            continue
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        ranges.append((media, max(0.0, min(1.0, q)), i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def accepted_as(media_type: str) -> tuple[str, ...]:
    """Every media range that names ``media_type`` exactly: itself, then its aliases.

    >>> accepted_as("application/rdf+xml")
    ('application/rdf+xml', 'application/xml', 'text/xml')
    >>> accepted_as("text/html")
    ('text/html',)
    """
    return _ACCEPTS.get(media_type, (media_type,))


def quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> float:
    """The ``q`` the client gives ``media_type``: that of the most specific matching range
    (RFC 9110 §12.5.1); among ranges as specific, the first of ``ranges`` (best first).

    >>> quality("text/turtle", parse_accept("text/*;q=0.3, */*;q=0.1"))
    0.3
    >>> quality("application/ld+json", parse_accept("application/json;q=0.7, */*"))
    0.7
    """
    best_specificity, best_q = -1, 0.0
    accepts = accepted_as(media_type)
    kind = media_type.split("/", 1)[0]
    for rng, q in ranges:
        if rng in accepts:
            specificity = 2
        elif rng == f"{kind}/*":
            specificity = 1
        elif rng == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


def _hinted(hints: Iterable[str], offers: Sequence[str]) -> str | None:
    for hint in hints:
        h = hint.strip().lower()
        if not h:
            continue
        if "/" in h:
            media = parse_media_type(h)[0]
            for offer in offers:
                if media in accepted_as(offer):
                    return offer
        else:
            for table in _HINT_TABLES:
                if table.get(h) in offers:
                    return table[h]
    return None


def negotiate(accept: str | None, offers: Sequence[str], hints: Iterable[str] = ()) -> str | None:
    """Choose the offer to answer with; ``None`` when the client accepts none of them.

    Args:
        accept: the ``Accept`` header (``None``: absent).
        offers: the media types the server can write, best first (ties go to the earlier).
        hints: ``format`` / ``output`` / ``results`` values; the first naming an offer wins.

    >>> negotiate(None, RESULTS_MEDIA_TYPES)
    'application/sparql-results+json'
    >>> negotiate("text/csv, */*;q=0.1", RESULTS_MEDIA_TYPES)
    'text/csv'
    >>> negotiate("application/sparql-results+xml", RESULTS_MEDIA_TYPES, ["json"])
    'application/sparql-results+json'
    >>> negotiate("text/turtle", GRAPH_MEDIA_TYPES, ["application/ld+json"])
    'application/ld+json'
    >>> negotiate(None, GRAPH_MEDIA_TYPES, ["no-such-format"])
    'text/turtle'
    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", [HTML, "application/rdf+xml"])
    'text/html'
    >>> negotiate("text/html;q=0.1, text/turtle;q=0.5", [HTML, "text/turtle"])
    'text/turtle'
    >>> negotiate("image/png", [HTML, "text/turtle"]) is None
    True

    The choice is remembered per header, offers and hints (a pure function of them):

    >>> negotiate("text/csv", RESULTS_MEDIA_TYPES), negotiate("text/csv", GRAPH_MEDIA_TYPES)
    ('text/csv', None)
    >>> negotiate("text/csv", RESULTS_MEDIA_TYPES, ["tsv"])
    'text/tab-separated-values'
    """
    hints = tuple(hints)
    key = (accept, tuple(offers), hints)
    if key in _chosen:
        return _chosen[key]
    chosen = _negotiate(accept, offers, hints)
    if accept is None or len(accept) <= _REMEMBERED_ACCEPT:
        if len(_chosen) >= _REMEMBERED:
            _chosen.pop(next(iter(_chosen)))
        _chosen[key] = chosen
    return chosen


#: Choices remembered by :func:`negotiate` (clients send the same few ``Accept`` headers), and
#: the longest header remembered.
_REMEMBERED = 512
_REMEMBERED_ACCEPT = 512
_chosen: dict[tuple[str | None, tuple[str, ...], tuple[str, ...]], str | None] = {}


def _negotiate(accept: str | None, offers: Sequence[str], hints: tuple[str, ...]) -> str | None:
    hinted = _hinted(hints, offers)
    if hinted is not None:
        return hinted
    ranges = parse_accept(accept)
    best: tuple[float, str] | None = None
    for offer in offers:
        q = quality(offer, ranges)
        if q > 0 and (best is None or q > best[0]):
            best = (q, offer)
    return best[1] if best is not None else None


def refusal(accept: str | None, offers: Sequence[str], what: str) -> str:
    """The message of a 406 answer: what was asked (cut short: a huge header is never echoed
    back) and what ``what`` can be answered as.

    >>> refusal("image/png", ["text/turtle"], "resource")
    'cannot answer with image/png; this resource can be answered as: text/turtle'
    """
    wanted = ", ".join(m for m, _ in parse_accept(accept))
    if len(wanted) > 200:
        wanted = wanted[:200] + "..."
    return f"cannot answer with {wanted}; this {what} can be answered as: " + ", ".join(offers)


def content_type(media_type: str) -> str:
    """The ``Content-Type`` header for a media type the server writes (UTF-8 for text types).

    >>> content_type("text/csv")
    'text/csv; charset=utf-8'
    >>> content_type("application/sparql-results+json")
    'application/sparql-results+json'
    """
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXT_TYPES) else media_type
