"""HTTP behaviour of ``/sparql`` beyond the W3C suite: content negotiation (q-values, 406,
``format``/``output``/``results``), errors, CORS, the pages, and dataset selection."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Live

SELECT = "SELECT ?s WHERE { ?s a <http://www.w3.org/2002/07/owl#Ontology> }"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <http://www.w3.org/2002/07/owl#Ontology> }"

NEGOTIATION = [
    # (query, Accept, extra params, expected media type)
    (SELECT, None, {}, "application/sparql-results+json"),
    (SELECT, "*/*", {}, "application/sparql-results+json"),
    (SELECT, "application/sparql-results+xml", {}, "application/sparql-results+xml"),
    (SELECT, "text/csv;q=0.9, text/tab-separated-values", {}, "text/tab-separated-values"),
    (SELECT, "text/*;q=0.5, application/sparql-results+xml;q=0.4", {}, "text/csv"),
    (SELECT, "application/json", {}, "application/sparql-results+json"),
    (SELECT, "text/turtle, */*;q=0.1", {}, "application/sparql-results+json"),
    (
        SELECT,
        "application/sparql-results+xml",
        {"format": "json"},
        "application/sparql-results+json",
    ),
    (SELECT, None, {"output": "csv"}, "text/csv"),
    (SELECT, None, {"results": "tsv"}, "text/tab-separated-values"),
    (SELECT, None, {"format": "text/csv"}, "text/csv"),
    (SELECT, "text/csv", {"format": "no-such-thing"}, "text/csv"),
    (CONSTRUCT, None, {}, "text/turtle"),
    (CONSTRUCT, "application/n-triples", {}, "application/n-triples"),
    (CONSTRUCT, "application/ld+json;q=1, text/turtle;q=0.5", {}, "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml", {}, "application/rdf+xml"),
    (CONSTRUCT, "application/n-quads", {}, "application/n-quads"),
    (CONSTRUCT, "application/trig", {}, "application/trig"),
    (CONSTRUCT, "application/sparql-results+json, text/turtle;q=0.1", {}, "text/turtle"),
    (CONSTRUCT, None, {"format": "json-ld"}, "application/ld+json"),
    (CONSTRUCT, None, {"format": ["json-ld", "application/ld+json"]}, "application/ld+json"),
]


@pytest.mark.parametrize(("query", "accept", "params", "expected"), NEGOTIATION)
def test_content_negotiation(
    live: Live, query: str, accept: str | None, params: dict[str, object], expected: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = httpx.get(
        live.sparql,
        params={"query": query, **params},  # type: ignore[dict-item]
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "text/turtle"),
        (SELECT, "image/png"),
        (CONSTRUCT, "application/sparql-results+json"),
        (SELECT, "application/sparql-results+json;q=0"),
    ],
)
def test_nothing_acceptable_is_406(live: Live, query: str, accept: str) -> None:
    response = httpx.get(live.sparql, params={"query": query}, headers={"accept": accept})
    assert response.status_code == 406
    assert "can be answered as" in response.text


def test_a_bad_query_gets_the_parser_message(live: Live) -> None:
    response = httpx.get(live.sparql, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.text.startswith("error at 1:")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"ASK {}", "headers": {"content-type": "text/plain"}}, 415),
        ({"content": b"ASK {}"}, 415),
        (
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"content-type": "application/sparql-query; charset=utf-16"},
            },
            415,
        ),
        (
            {"content": b"ASK { \xff }", "headers": {"content-type": "application/sparql-query"}},
            400,
        ),
        ({"data": {"default-graph-uri": "http://x"}}, 400),
    ],
)
def test_malformed_posts(live: Live, kwargs: dict[str, object], status: int) -> None:
    response = httpx.post(live.sparql, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text


def test_post_form_and_direct_agree_with_get(live: Live) -> None:
    get = httpx.get(live.sparql, params={"query": SELECT})
    form = httpx.post(live.sparql, data={"query": SELECT})
    direct = httpx.post(
        live.sparql,
        content=SELECT.encode(),
        headers={"content-type": "application/sparql-query; charset=UTF-8"},
    )
    assert get.json() == form.json() == direct.json()
    assert len(get.json()["results"]["bindings"]) == 1


def test_other_methods_are_refused(live: Live) -> None:
    assert httpx.put(live.sparql, params={"query": "ASK {}"}).status_code == 405
    assert httpx.delete(live.sparql).status_code == 405


def test_cors(live: Live) -> None:
    simple = httpx.get(
        live.sparql, params={"query": "ASK {}"}, headers={"origin": "https://example.org"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in simple.headers
    preflight = httpx.options(
        live.sparql,
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    plain = httpx.options(live.sparql)
    assert plain.status_code == 204 and "POST" in plain.headers["allow"]


def test_relative_iris_resolve_against_the_endpoint(live: Live) -> None:
    response = httpx.get(
        live.sparql,
        params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"accept": "application/n-triples"},
    )
    assert response.status_code == 200
    assert response.text.startswith(f"<{live.url}/s> <{live.url}/p> ")


def test_home_and_health(live: Live) -> None:
    home = httpx.get(live.url + "/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    for link in ("/sparql", "/api/queries", "/docs", "/dumps/", "/.well-known/void"):
        assert link in home.text
    assert "<script" not in home.text
    assert httpx.get(live.url + "/healthz").json() == {"status": "ok"}
    spec = httpx.get(live.url + "/openapi.json").json()
    assert "/sparql" in spec["paths"]


def test_the_default_graph_is_the_shipped_graph(live: Live) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n = int(
        httpx.get(live.sparql, params={"query": count}).json()["results"]["bindings"][0]["n"][
            "value"
        ]
    )
    assert n > 1000
    empty = httpx.get(
        live.sparql, params={"query": count, "default-graph-uri": "http://example.org/none"}
    )
    assert empty.json()["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize(
    ("accept", "params"),
    [
        ("application/sparql-results+json", {}),
        ("application/sparql-results+xml, text/csv;q=0.5", {}),
        (None, {"format": "csv"}),
    ],
)
def test_without_a_query_a_results_client_gets_the_service_description(
    live: Live, accept: str | None, params: dict[str, str]
) -> None:
    """A GET without a query answers the service description (SPARQL 1.1 SD, section 2), in
    Turtle when the client asks only for query results."""
    headers = {"accept": accept} if accept else {}
    response = httpx.get(live.sparql, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in response.text or "ServiceDescription" in response.text


def test_without_a_query_nothing_acceptable_names_the_service_description(live: Live) -> None:
    response = httpx.get(live.sparql, headers={"accept": "image/png"})
    assert response.status_code == 406
    assert "service description" in response.text and "text/turtle" in response.text
