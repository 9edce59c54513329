"""The SERVICE allow-list of the structural check on its own (no server): what names an allowed
endpoint, and every other way of naming one, refused with its reason."""

from __future__ import annotations

import pytest

from jaif_kg.errors import QueryRefused
from jaif_kg.sparql.safety import normalise_endpoint, permitted_services, service_endpoints

ALLOWED = ("http://127.0.0.1:7878/query",)

ACCEPTED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/query> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <HTTP://127.0.0.1:7878/query> { ?s ?p ?o } }",
    "PREFIX r: <http://127.0.0.1:7878/> SELECT * WHERE { SERVICE r:query { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/\\u0071uery> { ?s ?p ?o } }",
    "BASE <http://elsewhere/> SELECT * WHERE { SERVICE <http://127.0.0.1:7878/query> { } }",
]
REFUSED = {
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7879/query> { } }": "not in the list",
    "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:7878/query> } SERVICE ?e { } }": "variable",
    "BASE <http://127.0.0.1:7878/> SELECT * WHERE { SERVICE <query> { } }": "relative",
    "PREFIX r: <http://127.0.0.1:7878/> PREFIX r: <http://x/> SELECT * { SERVICE r:query {} }": (
        "different IRIs"
    ),
    "SELECT * WHERE { SERVICE <http://a@127.0.0.1:7878/query> { } }": "user information",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/query#f> { } }": "fragment",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/x/../query> { } }": "segments",
    "SELECT * WHERE { SERVICE <file:///etc/passwd> { } }": "http:// or https://",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/Query> { } }": "not in the list",
}


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_listed_endpoint_in_any_equivalent_spelling_is_accepted(text: str) -> None:
    assert service_endpoints(text, allowed=ALLOWED) == ALLOWED


@pytest.mark.parametrize("text", sorted(REFUSED))
def test_every_other_endpoint_is_refused_with_its_reason(text: str) -> None:
    with pytest.raises(QueryRefused, match=REFUSED[text]):
        service_endpoints(text, allowed=ALLOWED)


def test_no_list_refuses_every_service_as_before() -> None:
    assert permitted_services() == ()  # this process (the tests') never gets a list
    with pytest.raises(QueryRefused, match="SERVICE is not supported"):
        service_endpoints(ACCEPTED[0])


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTP://Example.ORG", "http://example.org/"),
        ("https://example.org:443/sparql", "https://example.org/sparql"),
        ("http://example.org:8080/sparql?x=%41", "http://example.org:8080/sparql?x=%41"),
        ("http://example.org:/q", "http://example.org/q"),
    ],
)
def test_normalisation(url: str, normal: str) -> None:
    assert normalise_endpoint(url) == normal


@pytest.mark.parametrize(
    "url",
    ["ftp://h/", "http://u:p@h/", "http://h/#x", "http://h/a b", "http://hé/", "http://h:99999/"],
)
def test_what_is_no_endpoint_url(url: str) -> None:
    with pytest.raises(ValueError):
        normalise_endpoint(url)


NESTED = (
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/query> { SERVICE <http://x/> { ?s ?p ?o } } }"
)


@pytest.mark.parametrize("strict", [True, False])
def test_a_service_inside_an_allowed_service_is_refused_as_such(strict: bool) -> None:
    """rdflib's parser overflows on a SERVICE inside a SERVICE: the refusal said "the query is
    nested too deeply for the parser", which no user could act on."""
    with pytest.raises(QueryRefused, match="a SERVICE inside a SERVICE is not supported"):
        service_endpoints(NESTED, allowed=ALLOWED, strict=strict)


def test_a_deep_query_in_one_service_is_not_called_a_nested_service() -> None:
    deep = "{ " * 300 + "?s ?p ?o" + " }" * 300
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:7878/query> {{ {deep} }} }}"
    with pytest.raises(QueryRefused, match="nested too deeply") as info:
        service_endpoints(query, allowed=ALLOWED)
    assert "SERVICE inside a SERVICE" not in str(info.value)


def test_without_an_allow_list_a_nested_service_is_refused_as_any_service() -> None:
    with pytest.raises(QueryRefused, match="SERVICE is not supported: this endpoint never"):
        service_endpoints(NESTED, allowed=())
