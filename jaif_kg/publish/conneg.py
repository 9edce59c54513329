"""Content negotiation on the ``Accept`` header (RFC 9110, section 12.5.1).

See https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1 for the matching and ``q`` rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from jaif_kg.rdf.formats import RDF_FORMATS

#: The media type of an HTML page.
HTML = "text/html"

#: The RDF formats a resource description is offered in: name -> (media type, suffix).
DESCRIPTION_FORMATS: tuple[str, ...] = ("turtle", "jsonld", "ntriples", "rdfxml")


def description_media_types() -> list[str]:
    """Media types of the RDF formats offered for a resource, in the server's order of preference.

    >>> description_media_types()[:2]
    ['text/turtle', 'application/ld+json']
    """
    by_name = {f.name: f for f in RDF_FORMATS}
    return [by_name[name].media_type for name in DESCRIPTION_FORMATS]


def _aliases(media_type: str) -> tuple[str, ...]:
    for f in RDF_FORMATS:
        if f.media_type == media_type:
            return (f.media_type, *f.aliases)
    return (media_type,)


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Parse an ``Accept`` header into (media range, q) pairs; no header means ``*/*``.

    >>> parse_accept("text/html;q=0.5, text/turtle")
    [('text/html', 0.5), ('text/turtle', 1.0)]
    >>> parse_accept(None)
    [('*/*', 1.0)]
    """
    if header is None or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> float:
    """The q a client gives ``media_type``: the most specific matching range wins."""
    best_specificity = -1
    quality = 0.0
    kind = media_type.split("/", 1)[0]
    for media, q in ranges:
        if media in _aliases(media_type) or media == media_type:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return quality


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """Choose the offer the client prefers; ties go to the earlier offer; ``None`` if none fits.

    Aliases of RDF media types (``application/xml`` for RDF/XML...) count as the offer itself.

    >>> negotiate("text/turtle", ["text/html", "text/turtle"])
    'text/turtle'
    >>> negotiate("*/*", ["text/html", "text/turtle"])
    'text/html'
    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", ["text/html", "application/rdf+xml"])
    'text/html'
    >>> negotiate("application/json", ["text/html", "text/turtle"]) is None
    True
    """
    ranges = parse_accept(accept)
    best: str | None = None
    best_q = 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best
