"""jaif_kg.rdf.negotiation: the one content negotiator (RFC 9110 §12.5.1, aliases, hints)."""

from __future__ import annotations

import pytest

from jaif_kg.rdf.negotiation import (
    GRAPH_MEDIA_TYPES,
    HTML,
    RESULTS_MEDIA_TYPES,
    content_type,
    negotiate,
    parse_accept,
    quality,
    refusal,
)

PAGE_OFFERS = (HTML, "text/turtle", "application/ld+json", "application/n-triples")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        # no header, an empty one, or */*: the server's first choice
        (None, RESULTS_MEDIA_TYPES, "application/sparql-results+json"),
        ("", GRAPH_MEDIA_TYPES, "text/turtle"),
        ("*/*", PAGE_OFFERS, HTML),
        (BROWSER, PAGE_OFFERS, HTML),
        # q-values, whatever the order in the header
        (
            "text/csv;q=0.5, application/sparql-results+xml",
            RESULTS_MEDIA_TYPES,
            RESULTS_MEDIA_TYPES[1],
        ),
        ("text/html;q=0.2, application/ld+json;q=0.8", PAGE_OFFERS, "application/ld+json"),
        # the most specific range decides, even with a lower q than a wider one
        ("text/*, text/html;q=0.1", PAGE_OFFERS, "text/turtle"),
        ("*/*;q=0.9, text/turtle;q=0.1", PAGE_OFFERS, HTML),
        # of two ranges as specific (a media type and its alias), the higher q
        (
            "application/xml;q=0.2, application/rdf+xml;q=0.9, text/turtle;q=0.5",
            (*PAGE_OFFERS, "application/rdf+xml"),
            "application/rdf+xml",
        ),
        # q=0 refuses; a malformed q counts as 0
        ("text/html;q=0, */*;q=0.5", PAGE_OFFERS, "text/turtle"),
        ("text/turtle;q=oops, application/n-triples;q=0.1", PAGE_OFFERS, "application/n-triples"),
        # aliases name the offer exactly, type/* only the media type written
        ("application/json", GRAPH_MEDIA_TYPES, "application/ld+json"),
        ("application/json", RESULTS_MEDIA_TYPES, "application/sparql-results+json"),
        ("text/n3", GRAPH_MEDIA_TYPES, "text/turtle"),
        ("text/plain", GRAPH_MEDIA_TYPES, "application/n-triples"),
        ("text/*", RESULTS_MEDIA_TYPES, "text/csv"),
        # ties go to the earlier offer
        (
            "text/turtle, application/ld+json",
            ("application/ld+json", "text/turtle"),
            "application/ld+json",
        ),
        # parameters other than q are ignored; media types are case-insensitive
        ('Text/Turtle; charset="utf-8"', PAGE_OFFERS, "text/turtle"),
    ],
)
def test_accept(accept: str | None, offers: tuple[str, ...], expected: str) -> None:
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize(
    ("accept", "offers"),
    [
        ("image/png", PAGE_OFFERS),
        ("text/turtle", RESULTS_MEDIA_TYPES),
        ("application/sparql-results+json", GRAPH_MEDIA_TYPES),
        ("application/sparql-results+json;q=0", RESULTS_MEDIA_TYPES),
        ("*/*;q=0", PAGE_OFFERS),
    ],
)
def test_nothing_acceptable(accept: str, offers: tuple[str, ...]) -> None:
    assert negotiate(accept, offers) is None


@pytest.mark.parametrize(
    ("hints", "offers", "expected"),
    [
        (["json"], RESULTS_MEDIA_TYPES, "application/sparql-results+json"),
        (["json"], GRAPH_MEDIA_TYPES, "application/ld+json"),
        (["xml"], RESULTS_MEDIA_TYPES, "application/sparql-results+xml"),
        (["xml"], GRAPH_MEDIA_TYPES, "application/rdf+xml"),
        (["TSV"], RESULTS_MEDIA_TYPES, "text/tab-separated-values"),
        (["text/csv"], RESULTS_MEDIA_TYPES, "text/csv"),
        (["application/json"], GRAPH_MEDIA_TYPES, "application/ld+json"),
        (["no-such-format", "csv"], RESULTS_MEDIA_TYPES, "text/csv"),
        # a hint for the other kind of answer is ignored, so Accept decides
        (["csv"], GRAPH_MEDIA_TYPES, "application/n-triples"),
        (["", "  "], GRAPH_MEDIA_TYPES, "application/n-triples"),
    ],
)
def test_hints_win_over_accept(hints: list[str], offers: tuple[str, ...], expected: str) -> None:
    assert negotiate("application/n-triples, */*;q=0.1", offers, hints) == expected


def test_a_hint_answers_even_what_accept_refuses() -> None:
    assert negotiate("image/png", GRAPH_MEDIA_TYPES, ["ttl"]) == "text/turtle"


def test_parse_accept_sorts_by_q_keeping_header_order() -> None:
    assert parse_accept("a/b;q=0.5, c/d, e/f;q=0.5, g/h;q=2") == [
        ("c/d", 1.0),
        ("g/h", 1.0),
        ("a/b", 0.5),
        ("e/f", 0.5),
    ]
    assert parse_accept(" , ,") == []


def test_quality_of_an_unlisted_type_is_zero() -> None:
    assert quality("text/turtle", parse_accept("application/*")) == 0.0


def test_refusal_names_the_offers_and_never_echoes_a_huge_header() -> None:
    accept = ", ".join(f"x/y{i}" for i in range(1500))
    message = refusal(accept, RESULTS_MEDIA_TYPES, "query")
    assert message.endswith("can be answered as: " + ", ".join(RESULTS_MEDIA_TYPES))
    assert len(message) < 400


def test_text_types_name_their_charset() -> None:
    assert content_type("text/turtle") == "text/turtle; charset=utf-8"
    assert content_type("application/n-triples") == "application/n-triples; charset=utf-8"
    assert content_type("application/ld+json") == "application/ld+json"
