"""Nothing a request says may make the server fetch a URL or read a file.

A loopback probe server counts every request it receives (it must stay at zero) and a local
secret file must never show up in a response, whatever the query tries: FROM, FROM NAMED,
SERVICE, LOAD and other updates, ``default-graph-uri`` / ``named-graph-uri`` pointing at the probe
or at ``file://`` paths. Run on every local backend: rdflib's engine *would* fetch FROM and
SERVICE IRIs, so the protection must come from the endpoint itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from jaif_kg.store import open_store

from .conftest import Live, Probe, api_settings

BACKENDS = ["oxigraph", "rdflib"]


@pytest.fixture(scope="module", params=BACKENDS)
def backend_live(request: pytest.FixtureRequest, live_factory: Callable[..., Live]) -> Live:
    settings = api_settings(store=request.param)
    store = open_store(settings)
    store.load(
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .",
        "application/n-triples",
    )
    return live_factory(settings, store)


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    token = "secret-" + secrets.token_hex(16)
    path = tmp_path / "secret.nt"
    path.write_text(f'<http://example.org/leak> <http://example.org/is> "{token}" .\n')
    return path, token


def _attempts(probe_url: str, secret_path: Path) -> list[tuple[str, dict[str, object]]]:
    """(label, request kwargs) of every way a query could try to reach out."""
    file_iri = secret_path.as_uri()
    targets = [probe_url, probe_url + "data.nt", file_iri]
    out: list[tuple[str, dict[str, object]]] = []
    for t in targets:
        for query in (
            f"SELECT * FROM <{t}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{t}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ GRAPH <{t}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{t}> {{ ?s ?p ?o }} }}",
            f"PREFIX p: <{t}> SELECT * WHERE {{ service p: {{ ?s ?p ?o }} }}",
            f"CONSTRUCT {{ ?s ?p ?o }} FROM <{t}> WHERE {{ ?s ?p ?o }}",
            f"DESCRIBE <{t}>",
            f"ASK FROM <{t}> {{ ?s ?p ?o }}",
        ):
            out.append((f"GET {query}", {"method": "GET", "params": {"query": query}}))
            out.append(
                (
                    f"POST {query}",
                    {
                        "method": "POST",
                        "content": query.encode(),
                        "headers": {"content-type": "application/sparql-query"},
                    },
                )
            )
        for update in (
            f"LOAD <{t}>",
            f"LOAD SILENT <{t}> INTO GRAPH <http://g>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
        ):
            out.append(
                (
                    f"update {update}",
                    {
                        "method": "POST",
                        "content": update.encode(),
                        "headers": {"content-type": "application/sparql-update"},
                    },
                )
            )
            out.append((f"form update {update}", {"method": "POST", "data": {"update": update}}))
            out.append(
                (f"update as query {update}", {"method": "GET", "params": {"query": update}})
            )
        for param in ("default-graph-uri", "named-graph-uri"):
            out.append(
                (
                    f"{param}={t}",
                    {
                        "method": "GET",
                        "params": {
                            "query": "SELECT * { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                            param: t,
                        },
                    },
                )
            )
    return out


def test_no_request_reaches_out(backend_live: Live, probe: Probe, secret: tuple[Path, str]) -> None:
    secret_path, token = secret
    statuses = {}
    with httpx.Client(base_url=backend_live.url, timeout=30) as client:
        for label, kwargs in _attempts(probe.url, secret_path):
            method = str(kwargs.pop("method"))
            response = client.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
            statuses[label] = response.status_code
            assert token not in response.text, label
            assert "probe" not in response.text.replace(probe.url, ""), label
    assert probe.hits == [], probe.hits
    # SERVICE is refused outright (400), updates as read-only (403); nothing else fails.
    for label, status in statuses.items():
        if "update" in label or label.startswith(("GET LOAD", "POST LOAD")):
            assert status == 403, (label, status)
        elif "SERVICE" in label.upper():
            assert status == 400, (label, status)
        else:
            assert status == 200, (label, status)


def test_service_is_refused_with_a_clear_message(backend_live: Live, probe: Probe) -> None:
    response = httpx.get(
        backend_live.sparql,
        params={"query": f"SELECT * WHERE {{ SERVICE <{probe.url}> {{ ?s ?p ?o }} }}"},
    )
    assert response.status_code == 400
    assert "SERVICE is not supported" in response.text
    assert probe.hits == []


def test_from_selects_graphs_held_by_the_store_only(backend_live: Live, probe: Probe) -> None:
    """FROM an unknown graph gives an empty default graph; the store's own data is not used."""
    response = httpx.get(
        backend_live.sparql,
        params={"query": f"SELECT * FROM <{probe.url}> WHERE {{ ?s ?p ?o }}"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    plain = httpx.get(backend_live.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(plain.json()["results"]["bindings"]) == 1
    assert probe.hits == []


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP SILENT DEFAULT",
        "CREATE GRAPH <http://g>",
        "ADD DEFAULT TO <http://g>",
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_and_change_nothing(live: Live, text: str) -> None:
    before = httpx.get(live.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    for kwargs in (
        {"content": text.encode(), "headers": {"content-type": "application/sparql-update"}},
        {"data": {"update": text}},
        {"data": {"query": text}},
    ):
        response = httpx.post(live.sparql, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
    after = httpx.get(live.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert before.json() == after.json()
