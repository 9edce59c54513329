"""The named-query API: every catalog query is reachable with its example, parameters are typed
and validated (422), unknown names are 404, and no parameter value can change the query."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from rdflib import Graph

from jaif_kg.catalog import Catalog, run_named
from tests.catalog.rows import plain_rows

from .conftest import REPO, Live, api_settings, shipped

CATALOG = Catalog.from_dir(REPO / "queries")
NAMES = CATALOG.names()


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    return shipped(api_settings())


def test_the_listing_names_every_query(live: Live) -> None:
    listing = httpx.get(live.url + "/api/queries").json()
    assert [q["name"] for q in listing] == NAMES
    for entry in listing:
        query = CATALOG[entry["name"]]
        assert entry["summary"] == query.summary
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in query.parameters]
        assert entry["links"]["self"] == f"{live.url}/api/queries/{query.name}"


@pytest.mark.parametrize("name", NAMES)
def test_every_query_runs_with_its_example(live: Live, store, name: str) -> None:  # type: ignore[no-untyped-def]
    query = CATALOG[name]
    response = httpx.get(f"{live.url}/api/queries/{name}", params=query.example, timeout=30)
    assert response.status_code == 200, response.text
    expected = run_named(store, query, query.example)
    if query.kind in ("select",):
        assert response.headers["content-type"] == "application/json"
        assert response.json() == plain_rows(expected)
    elif query.kind == "ask":
        assert response.json() is expected.boolean
    else:
        assert response.headers["content-type"] == "application/ld+json"
        got = Graph().parse(data=response.content, format="json-ld")
        assert len(got) == len(set(expected.triples))


def test_each_query_is_an_openapi_operation(live: Live) -> None:
    spec = httpx.get(live.url + "/openapi.json").json()
    for query in CATALOG:
        operation = spec["paths"][f"/api/queries/{query.name}"]["get"]
        assert operation["summary"] == query.summary
        documented = {p["name"]: p for p in operation["parameters"]}
        for p in query.parameters:
            assert p.description in documented[p.name]["description"]
            assert documented[p.name]["required"] is (p.required and p.default is None)
        assert "format" in documented
    projects = spec["paths"]["/api/queries/projects"]["get"]["parameters"]
    work_plan = next(p for p in projects if p["name"] == "work_plan")
    assert {"type": "integer"} in work_plan["schema"]["anyOf"]
    area = next(p for p in projects if p["name"] == "strategic_area")
    ref = area["schema"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert "msmes" in spec["components"]["schemas"][ref]["enum"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/queries/no-such-query", 404),
        ("/api/queries/projects?work_plan=four", 422),
        ("/api/queries/projects?strategic_area=space", 422),
        ("/api/queries/projects?colour=red", 422),
        ("/api/queries/sources-of", 422),
        ("/api/queries/sources-of?iri=not%20an%20iri", 422),
        ("/api/queries/member-states?as_of=2024-02-30", 422),
        ("/api/queries/projects?format=turtle", 422),
    ],
)
def test_bad_requests(live: Live, url: str, status: int) -> None:
    response = httpx.get(live.url + url)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "fmt,media_type",
    [
        ("json", "application/json"),
        ("sparql-json", "application/sparql-results+json"),
        ("sparql-xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_select_formats(live: Live, store, fmt: str, media_type: str) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(live.url + "/api/queries/projects", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    expected = run_named(store, CATALOG["projects"], {})
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(response.text)))) == len(expected.rows) + 1
    by_accept = httpx.get(live.url + "/api/queries/projects", headers={"accept": media_type})
    assert by_accept.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_construct_formats(live: Live, fmt: str) -> None:
    response = httpx.get(
        live.url + "/api/queries/describe",
        params={"iri": "https://w3id.org/jaif-kg/id/country/KHM", "format": fmt},
    )
    assert response.status_code == 200
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}
    assert len(Graph().parse(data=response.content, format=rdflib_name[fmt])) > 0


HOSTILE = [
    'KHM" } } SELECT * WHERE { ?s ?p ?o } #',
    "KHM' . ?x ?y ?z",
    "KHM> <http://example.org/p> ?o",
    "KHM } UNION { ?s ?p ?o }",
    "KHM\n} UNION {\n?s ?p ?o",
    '"""\n} ; DROP ALL ; #',
    "\\u0022 } #",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_cannot_change_the_query(live: Live, store, value: str) -> None:  # type: ignore[no-untyped-def]
    """A string value is one literal: the answer is the one for that literal (no rows)."""
    response = httpx.get(live.url + "/api/queries/projects", params={"country": value})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json() == plain_rows(
            run_named(store, CATALOG["projects"], {"country": value})
        )
        assert response.json() == []
    iri = httpx.get(live.url + "/api/queries/sources-of", params={"iri": "http://x/" + value})
    assert iri.status_code == 422, iri.text
