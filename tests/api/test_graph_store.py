"""The SPARQL 1.1 Graph Store HTTP Protocol, read only (``/graph-store``), on a live server.

A real server (uvicorn on a free loopback port) over the shipped graph and a loaded graph, read
by real clients: httpx, and rdflib's parsers reading what it serves. The expectations are those
of https://www.w3.org/TR/sparql11-http-rdf-update/ that a read-only store must meet: GET of a
named graph and of the default graph, content negotiation, HEAD, 404 for a graph the store does
not hold, and no write (405 with ``Allow``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from jaif_kg.publish.dumps import graph_file_name, shipped_bundle
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.store import Store, load_shipped, open_store
from jaif_kg.store.graphs import meta_graph, shipped_graph
from tests.api.conftest import Live, api_settings

EXTRA = DEFAULT_BASE + "graph/wdi"
EXTRA_TURTLE = (
    "@prefix ex: <http://example.org/wdi/> .\n"
    'ex:khm ex:gdp [ ex:value "27.0"^^<http://www.w3.org/2001/XMLSchema#decimal> ] ;\n'
    '    ex:label "Cambodia"@en , "Cambodge"@fr .\n'
)
SHIPPED = shipped_graph(DEFAULT_BASE)
#: media type -> rdflib parser name.
PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


@pytest.fixture(scope="module")
def extra_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gsp") / "wdi.ttl"
    path.write_text(EXTRA_TURTLE, encoding="utf-8")
    return path


def _store(extra_file: Path, **overrides: object) -> Store:
    settings = api_settings(**overrides)
    store = open_store(settings)
    load_shipped(store, settings, [(EXTRA, extra_file)])
    return store


@pytest.fixture(scope="module")
def store(extra_file: Path) -> Store:
    return _store(extra_file)


@pytest.fixture(scope="module")
def server(live_factory: Callable[..., Live], store: Store) -> Live:
    return live_factory(api_settings(), store)


@pytest.fixture(scope="module")
def client(server: Live) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def _stored(store: Store, graph: str) -> Graph:
    return Graph().parse(data=store.dump("application/n-triples", graph).decode(), format="nt")


def _parse(body: bytes, media_type: str) -> tuple[Graph, set[str | None]]:
    """The triples of an answer, and the graph names they came in (None: the default graph)."""
    name = PARSERS[media_type]
    if name not in ("nquads", "trig"):
        return Graph().parse(data=body.decode(), format=name), {None}
    dataset = Dataset()
    dataset.parse(data=body.decode(), format=name)
    merged, names = Graph(), set()
    for g in dataset.graphs():
        if len(g):
            default = g.identifier == dataset.default_graph.identifier
            names.add(None if default else str(g.identifier))
            for triple in g:
                merged.add(triple)
    return merged, names


@pytest.mark.parametrize("graph", [SHIPPED, EXTRA])
@pytest.mark.parametrize("media_type", list(PARSERS))
def test_get_a_named_graph_in_every_format(
    client: httpx.Client, store: Store, graph: str, media_type: str
) -> None:
    r = client.get("/graph-store", params={"graph": graph}, headers={"Accept": media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "accept" in r.headers["vary"].lower()
    parsed, names = _parse(r.content, media_type)
    assert isomorphic(parsed, _stored(store, graph))
    assert len(parsed) == store.count(graph)
    if media_type in ("application/n-quads", "application/trig"):
        assert names == {graph}  # the graph's name is kept


def test_default_graph_is_what_queries_see(client: httpx.Client, store: Store) -> None:
    """``?default``: the union of the data graphs (the metadata graph left out), the very graph
    a SPARQL query with no dataset reads."""
    r = client.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    parsed = Graph().parse(data=r.text, format="nt")
    union = _stored(store, SHIPPED) + _stored(store, EXTRA)
    assert isomorphic(parsed, union)
    meta = _stored(store, meta_graph(DEFAULT_BASE))
    assert len(meta) and not set(meta) & set(parsed)
    answer = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert isomorphic(parsed, Graph().parse(data=answer.text, format="nt"))


def test_turtle_of_a_graph_is_its_dump_file(client: httpx.Client) -> None:
    for graph in (SHIPPED, EXTRA):
        r = client.get("/graph-store", params={"graph": graph})  # no Accept: Turtle
        assert r.headers["content-type"] == "text/turtle; charset=utf-8"
        dump = client.get("/dumps/" + graph_file_name(graph, DEFAULT_BASE))
        assert dump.status_code == 200 and r.content == dump.content


def test_head_sends_the_headers_of_get(client: httpx.Client) -> None:
    params = {"graph": EXTRA}
    got = client.get("/graph-store", params=params, headers={"Accept": "application/trig"})
    head = client.head("/graph-store", params=params, headers={"Accept": "application/trig"})
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-length", "etag", "vary"):
        assert head.headers[name] == got.headers[name], name
    assert int(head.headers["content-length"]) == len(got.content) > 0


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("graph=http%3A%2F%2Fexample.org%2Fno-such-graph", 404),
        (f"graph={DEFAULT_BASE}graph/ontology", 404),
        ("", 400),
        (f"default&graph={EXTRA}", 400),
        (f"graph={EXTRA}&graph={SHIPPED}", 400),
        ("graph=wdi", 400),
        ("graph=", 400),
        ("default=yes", 400),
    ],
)
def test_requests_that_name_no_one_graph(client: httpx.Client, query: str, status: int) -> None:
    r = client.get("/graph-store?" + query)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/plain")


def test_nothing_acceptable_is_406(client: httpx.Client) -> None:
    r = client.get("/graph-store", params={"graph": EXTRA}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH", "OPTIONS"])
def test_writes_are_405_and_change_nothing(client: httpx.Client, store: Store, method: str) -> None:
    before = store.count(EXTRA)
    body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
    r = client.request(
        method,
        "/graph-store",
        params={"graph": EXTRA},
        content=body,
        headers={"Content-Type": "application/n-triples"},
    )
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert store.count(EXTRA) == before
    assert client.get("/graph-store", params={"graph": EXTRA}).status_code == 200


def test_a_graph_past_the_byte_limit_is_413(
    live_factory: Callable[..., Live], extra_file: Path
) -> None:
    settings = api_settings(max_result_bytes=4000)
    live = live_factory(settings, _store(extra_file, max_result_bytes=4000))
    with httpx.Client(base_url=live.url, timeout=30) as c:
        big = c.get("/graph-store", params={"graph": SHIPPED})
        assert big.status_code == 413, big.text[:200]
        assert "JAIF_MAX_RESULT_BYTES" in big.text
        small = c.get("/graph-store", params={"graph": EXTRA})
        assert small.status_code == 200 and len(small.content) < 4000


def test_graph_names_dereference_to_the_graph_store(client: httpx.Client, store: Store) -> None:
    r = client.get("/graph/wdi", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/graph-store?graph=")
    followed = client.get(
        "/graph/wdi", headers={"Accept": "application/n-triples"}, follow_redirects=True
    )
    assert followed.status_code == 200
    assert isomorphic(Graph().parse(data=followed.text, format="nt"), _stored(store, EXTRA))


def test_served_dumps_are_the_built_dataset(client: httpx.Client, extra_file: Path) -> None:
    """``/dumps/`` of the server is what ``jaif-kg build --graph`` writes for the same files."""
    built = shipped_bundle(api_settings(), [(EXTRA, extra_file)])
    page = client.get("/dumps/")
    for name, item in built.files.items():
        assert name in page.text
        assert client.get("/dumps/" + name).content == item.data, name


def test_void_advertises_the_graph_store(client: httpx.Client) -> None:
    void = Graph().parse(data=client.get("/dumps/void.ttl").text, format="turtle")
    endpoint = void.value(
        URIRef(DEFAULT_BASE + "void#graph-store"), URIRef("http://www.w3.org/ns/dcat#endpointURL")
    )
    assert str(endpoint) == DEFAULT_BASE + "graph-store"


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
def test_construct_as_quads_says_graph_names_are_not_kept(
    client: httpx.Client, media_type: str
) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EXTRA}> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
    assert r.status_code == 200
    assert r.headers.get("x-jaif-graph-names") == "not-kept"
