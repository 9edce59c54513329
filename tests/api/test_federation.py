"""Federation, opt in (``serve --allow-service URL``), against a live server.

A real ``oxigraph serve`` with some data is the allowed remote: a query with ``SERVICE`` to it
returns its rows through jaif-kg's ``/sparql``. The probe (a second loopback HTTP server that
counts every request) is never listed: every way of naming it, directly, through a variable, a
prefix, a BASE, ``\\u`` escapes or a redirect from an allowed host, must leave it at zero hits.
Without an allow-list every SERVICE is refused as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef

from jaif_kg.store import Store, open_store
from tests.oxigraph_server import OxigraphServer, start_oxigraph

from .conftest import Live, Probe, api_settings

DATA = (
    "INSERT DATA { <http://remote.example/a> <http://remote.example/name> 'remote row one' . "
    "<http://remote.example/b> <http://remote.example/name> 'remote row two' }"
)
REMOTE_ROWS = "SELECT ?name WHERE { ?s <http://remote.example/name> ?name } ORDER BY ?name"


class Redirector:
    """A loopback HTTP server that answers every request with a 302 to ``target``."""

    def __init__(self, target: str) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _redirect(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(302)
                self.send_header("location", target + "sparql")
                self.send_header("content-length", "0")
                self.end_headers()

            do_GET = do_POST = _redirect

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/query"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def remote() -> Iterator[OxigraphServer]:
    server = start_oxigraph()
    server.update(DATA)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    """The host no allow-list names (module-wide: the hits of every test add up)."""
    p = Probe()
    yield p
    p.close()


@pytest.fixture(scope="module")
def redirector(probe: Probe) -> Iterator[Redirector]:
    r = Redirector(probe.url)
    yield r
    r.close()


def _store() -> Store:
    store = open_store(api_settings())
    store.load(b"<http://local/s> <http://local/p> <http://local/o> .", "application/n-triples")
    return store


@pytest.fixture(scope="module")
def federated(
    live_factory: Callable[..., Live], remote: OxigraphServer, redirector: Redirector
) -> Live:
    """A server that allows the remote (written in another spelling) and the redirector."""
    allowed = remote.query_url.replace("http://", "HTTP://") + " , " + redirector.url
    return live_factory(api_settings(allow_service=allowed, query_timeout=10.0), _store())


def _ask(live: Live, text: str) -> httpx.Response:
    return httpx.post(
        live.sparql,
        data={"query": text},
        headers={"accept": "application/sparql-results+json"},
        timeout=30,
    )


def test_a_listed_service_answers_through_the_endpoint(
    federated: Live, remote: OxigraphServer, probe: Probe
) -> None:
    text = (
        "SELECT ?name ?local WHERE { <http://local/s> <http://local/p> ?local "
        f"SERVICE <{remote.query_url}> {{ ?s <http://remote.example/name> ?name }} }} "
        "ORDER BY ?name"
    )
    response = _ask(federated, text)
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    rows = [(b["name"]["value"], b["local"]["value"]) for b in bindings]
    assert rows == [("remote row one", "http://local/o"), ("remote row two", "http://local/o")]
    assert probe.hits == []


def test_silent_to_a_listed_service_and_odd_spellings_of_it_are_allowed(
    federated: Live, remote: OxigraphServer
) -> None:
    base, _, path = remote.query_url.rpartition("/")
    escaped = remote.query_url.replace("/query", "/\\u0071uery")
    for text in (
        f"SELECT * WHERE {{ SERVICE SILENT <{remote.query_url}> {{ ?s "
        "<http://remote.example/name> ?name } }",
        f"PREFIX r: <{base}/> SELECT ?name WHERE {{ SERVICE r:{path} "
        "{ ?s <http://remote.example/name> ?name } }",
        f"SELECT ?name WHERE {{ SERVICE <{escaped}> {{ ?s <http://remote.example/name> ?name }} }}",
    ):
        response = _ask(federated, text)
        assert response.status_code == 200, (text, response.text)
        assert len(response.json()["results"]["bindings"]) == 2, text


def test_row_cap_and_time_limit_apply_to_a_federated_query(
    live_factory: Callable[..., Live], remote: OxigraphServer
) -> None:
    capped = live_factory(
        api_settings(allow_service=remote.query_url, max_results=1, query_timeout=10.0), _store()
    )
    text = f"SELECT * WHERE {{ SERVICE <{remote.query_url}> {{ ?s ?p ?o }} }}"
    response = httpx.post(capped.sparql, data={"query": text}, timeout=30)
    assert response.status_code == 413, response.text


ATTACKS = {
    "plain": "SELECT * WHERE {{ SERVICE <{probe}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{probe}> {{ ?s ?p ?o }} }}",
    "variable-bound-by-values": (
        "SELECT * WHERE {{ VALUES ?e {{ <{probe}> }} SERVICE ?e {{ ?s ?p ?o }} }}"
    ),
    "silent-variable": "SELECT * WHERE {{ BIND(<{probe}> AS ?e) SERVICE SILENT ?e {{ }} }}",
    "escaped-keyword": "SELECT * WHERE {{ SERVI\\u0043E <{probe}> {{ ?s ?p ?o }} }}",
    "escaped-iri": "SELECT * WHERE {{ SERVICE <{probe_escaped}> {{ ?s ?p ?o }} }}",
    "prefixed-name": "PREFIX p: <{probe}> SELECT * WHERE {{ SERVICE p:sparql {{ ?s ?p ?o }} }}",
    "empty-prefix-glued": "PREFIX : <{probe}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "base-relative": "BASE <{probe}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "base-empty": "BASE <{probe}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
    "prefix-declared-twice": (
        "PREFIX r: <{remote_base}> PREFIX r: <{probe}> SELECT * WHERE {{ SERVICE r:query {{ }} }}"
    ),
    "relative-prefix": (
        "BASE <{probe}> PREFIX r: <x/> SELECT * WHERE {{ SERVICE r:query {{ ?s ?p ?o }} }}"
    ),
    "userinfo-posing-as-the-remote": (
        "SELECT * WHERE {{ SERVICE <http://{remote_authority}@{probe_authority}/query> {{ }} }}"
    ),
    "nested-in-an-allowed-service": (
        "SELECT * WHERE {{ SERVICE <{remote}> {{ SERVICE <{probe}> {{ ?s ?p ?o }} }} }}"
    ),
    "next-to-an-allowed-service": (
        "SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} SERVICE SILENT <{probe}> {{ }} }}"
    ),
    "in-filter-exists": (
        "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{probe}> {{ ?s ?p ?o }} }} }}"
    ),
    "dot-segments": "SELECT * WHERE {{ SERVICE <{remote_base}x/../query> {{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_host_not_listed_gets_no_request(
    federated: Live, remote: OxigraphServer, probe: Probe, name: str
) -> None:
    probe_authority = probe.url.removeprefix("http://").rstrip("/")
    text = ATTACKS[name].format(
        probe=probe.url,
        probe_escaped="".join(f"\\u{ord(c):04X}" if c.isalnum() else c for c in probe.url),
        probe_authority=probe_authority,
        remote=remote.query_url,
        remote_base=remote.query_url.removesuffix("query"),
        remote_authority=remote.base_url.removeprefix("http://"),
    )
    response = _ask(federated, text)
    assert probe.hits == [], f"{name} reached the probe"
    assert response.status_code == 400, response.text
    # refused by name, or as a SERVICE nested in another (which rdflib cannot parse)
    refusals = ("is not allowed", "cannot read it", "a SERVICE inside a SERVICE is not supported")
    assert any(r in response.text for r in refusals), response.text
    assert response.text.count("\n") == 1


def test_a_redirect_from_an_allowed_host_is_not_followed(
    federated: Live, redirector: Redirector, probe: Probe
) -> None:
    text = f"SELECT * WHERE {{ SERVICE <{redirector.url}> {{ ?s ?p ?o }} }}"
    response = _ask(federated, text)
    assert redirector.hits, "the allowed host is asked (the premise)"
    assert probe.hits == [], "the redirect was followed to the probe"
    assert response.status_code == 502, response.text
    assert "redirect" in response.text
    silent = _ask(federated, text.replace("SERVICE", "SERVICE SILENT"))
    assert silent.status_code == 200, silent.text
    assert probe.hits == []


def test_without_an_allow_list_every_service_is_refused(
    live_factory: Callable[..., Live], remote: OxigraphServer, probe: Probe
) -> None:
    plain = live_factory(api_settings(), _store())
    assert plain.app.state.executor.federation is None
    for endpoint in (remote.query_url, probe.url):
        text = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        response = _ask(plain, text)
        assert response.status_code == 400, response.text
        assert "SERVICE is not supported" in response.text
    assert probe.hits == []


def test_the_sandbox_line_names_both_kinds_of_worker(
    federated: Live, remote: OxigraphServer
) -> None:
    status = federated.app.state.executor.sandbox_status
    assert status.startswith("seccomp (no network sockets, no exec) in every query worker")
    assert remote.query_url in status
    landlock = status.rpartition("Landlock (TCP connect to port ")[2]
    assert str(remote.port) in landlock.split(" only")[0].split(", ")


def _features(live: Live) -> set[str]:
    response = httpx.get(live.sparql, headers={"accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200, response.text
    sd = Graph().parse(data=response.text, format="turtle")
    feature = URIRef("http://www.w3.org/ns/sparql-service-description#feature")
    return {str(o) for o in sd.objects(None, feature)}


def test_the_service_description_says_federation_only_when_allowed(
    federated: Live, live_factory: Callable[..., Live]
) -> None:
    basic = "http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery"
    assert basic in _features(federated)
    assert basic not in _features(live_factory(api_settings(), _store()))
