"""The remote store against live servers: chunked writes, failures half-way, what goes on the wire.

``oxigraph_server`` is a real ``oxigraph serve``; :class:`Probe` is a real loopback HTTP server
that records requests and answers as told, or forwards to Oxigraph and then starts failing.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.errors import InputError, QuerySyntaxError, QueryTimeout, StoreError
from jaif_kg.store.oxigraph import OxigraphStore
from jaif_kg.store.remote import PLAIN, STAGING_PREFIX, RemoteStore
from tests.oxigraph_server import OxigraphServer, start_oxigraph
from tests.store.conftest import DATA
from tests.store.http_probe import Behaviour, Probe, Seen

G1 = "http://example.org/g1"
TURTLE = "text/turtle"


def canonical_graph(ntriples: bytes) -> list[str]:
    dataset = ox.Dataset(ox.parse(ntriples, ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(map(str, dataset))


def direct(server: OxigraphServer) -> RemoteStore:
    return RemoteStore(server.query_url, update_url=server.update_url)


def through(probe: Probe, *, chunk_triples: int = 50_000, gsp: bool = False) -> RemoteStore:
    """A store that sends its requests to ``probe``, told that it is a plain SPARQL server (no
    ``ASK {}`` to find out first: the tests count the requests)."""
    return RemoteStore(
        probe.url + "/query",
        update_url=probe.url + "/update",
        graph_store_url=probe.url + "/store" if gsp else None,
        chunk_triples=chunk_triples,
        dialect=PLAIN,
    )


def test_chunked_write_keeps_blank_nodes_whole(oxigraph_server: OxigraphServer) -> None:
    sample = (DATA / "sample.ttl").read_bytes()
    with Probe(Behaviour(upstream=oxigraph_server.base_url)) as probe:
        through(probe, chunk_triples=4).load(sample, TURTLE, G1)
        updates = [s for s in probe.seen if s.path.startswith("/update")]
    assert len(updates) > 5  # several chunks, then the final ADD
    assert b"ADD GRAPH <urn:jaif-kg:staging:" in updates[-1].body
    local = OxigraphStore()
    local.load(sample, TURTLE)
    server = direct(oxigraph_server)
    assert server.named_graphs() == [G1]
    assert canonical_graph(server.dump("application/n-triples", G1)) == canonical_graph(
        local.dump("application/n-triples")
    )


def test_chunked_replace_swaps_in_one_request(oxigraph_server: OxigraphServer) -> None:
    server = direct(oxigraph_server)
    server.load((DATA / "graphs.trig").read_bytes(), "application/trig")
    with Probe(Behaviour(upstream=oxigraph_server.base_url)) as probe:
        through(probe, chunk_triples=4).replace_graph(
            (DATA / "sample.ttl").read_bytes(), TURTLE, G1
        )
        final = [s for s in probe.seen if s.path.startswith("/update")][-1].body
    assert final.startswith(b"MOVE GRAPH <urn:jaif-kg:staging:")
    assert server.count(G1) == 22
    assert server.count("http://example.org/g2") == 4
    assert server.named_graphs() == [G1, "http://example.org/g2"]


@pytest.mark.parametrize("failing_request", [1, 3, 6])
def test_a_chunked_replace_failing_half_way_leaves_the_graph_intact(
    oxigraph_server: OxigraphServer, failing_request: int
) -> None:
    server = direct(oxigraph_server)
    server.load((DATA / "graphs.trig").read_bytes(), "application/trig")
    before = server.dump("application/n-quads")
    behaviour = Behaviour(
        upstream=oxigraph_server.base_url,
        forward_limit=failing_request - 1,
        status=503,
        body=b"maintenance",
        content_type="text/plain",
    )
    with Probe(behaviour) as probe, pytest.raises(StoreError, match="503"):
        through(probe, chunk_triples=4).replace_graph(
            (DATA / "sample.ttl").read_bytes(), TURTLE, G1
        )
    # the target graph is as it was; the failed clean-up left at most a staging graph
    leftovers = [g for g in server.named_graphs() if g.startswith(STAGING_PREFIX)]
    assert len(leftovers) <= 1
    assert server.drop_staging_graphs() == leftovers
    assert sorted(server.dump("application/n-quads").splitlines()) == sorted(before.splitlines())


def test_a_graph_store_put_to_a_stopped_server_changes_nothing(tmp_path: Path) -> None:
    server = start_oxigraph(location=tmp_path / "oxigraph")
    try:
        store = RemoteStore(
            server.query_url, update_url=server.update_url, graph_store_url=server.store_url
        )
        store.replace_graph((DATA / "graphs.trig").read_bytes(), "application/trig", G1)
        before = store.dump("application/n-quads")
        server.stop()
        with pytest.raises(StoreError, match="cannot reach"):
            store.replace_graph((DATA / "sample.ttl").read_bytes(), TURTLE, G1)
        with pytest.raises(StoreError, match="cannot reach"):
            store.query("ASK {}")
        server.start()
        assert store.dump("application/n-quads") == before
    finally:
        server.stop()


def test_malformed_data_never_reaches_the_server() -> None:
    with Probe() as probe:
        store = through(probe, gsp=True)
        with pytest.raises(InputError) as caught:
            store.replace_graph((DATA / "malformed.ttl").read_bytes(), TURTLE, G1)
        assert caught.value.line == 5
        with pytest.raises(InputError):
            store.load((DATA / "malformed.ttl").read_bytes(), TURTLE)
        assert probe.seen == []


def test_graph_store_protocol_requests() -> None:
    with Probe(Behaviour(status=204, body=b"", content_type="")) as probe:
        store = through(probe, gsp=True)
        store.replace_graph((DATA / "replacement.ttl").read_bytes(), TURTLE, G1)
        store.load((DATA / "replacement.ttl").read_bytes(), TURTLE)
    put, post = probe.seen
    assert (put.method, put.path) == ("PUT", "/store?graph=" + urllib.parse.quote(G1, safe=""))
    assert put.headers["Content-Type"] == "application/n-triples"
    assert len(put.body.splitlines()) == 3
    assert (post.method, post.path) == ("POST", "/store?default")


def credentials_on_every_kind_of_request(challenge: str) -> list[Seen]:
    """What a store with credentials sends to a server that asks for them with ``challenge``:
    a Graph Store ``PUT``, a SPARQL Update and a query."""
    with Probe(Behaviour(status=204, body=b"", content_type="", challenge=challenge)) as probe:
        store = RemoteStore(
            probe.url + "/query",
            update_url=probe.url + "/update",
            graph_store_url=probe.url + "/store",
            user="jaif",
            password="s3cret",
            dialect=PLAIN,
        )
        store.replace_graph(b"", "application/n-triples", G1)  # Graph Store PUT
        store.clear()  # SPARQL Update
        probe.behaviour.status, probe.behaviour.body = 200, b'{"head":{},"boolean":true}'
        probe.behaviour.content_type = "application/sparql-results+json"
        assert store.query("ASK {}").boolean is True
    return probe.seen


def test_basic_credentials_answer_a_basic_challenge_then_go_at_once() -> None:
    seen = credentials_on_every_kind_of_request('Basic realm="sparql"')
    # the first request waits for the challenge; once Basic was taken, it is sent at once
    assert [s.method for s in seen] == ["PUT", "PUT", "POST", "POST"]
    assert "Authorization" not in seen[0].headers
    for request in seen[1:]:
        assert request.headers["Authorization"] == "Basic amFpZjpzM2NyZXQ="  # jaif:s3cret


def test_digest_credentials_answer_a_digest_challenge_and_no_password_goes_in_the_clear() -> None:
    challenge = (
        'Digest realm="SPARQL", nonce="b4a5d8", opaque="5ebe22", qop="auth", algorithm="MD5"'
    )
    seen = credentials_on_every_kind_of_request(challenge)
    assert len(seen) == 6  # each request: challenged, then answered with a Digest response
    for unasked, answered in zip(seen[::2], seen[1::2], strict=True):
        assert "Authorization" not in unasked.headers
        assert answered.headers["Authorization"].startswith('Digest username="jaif"')
        assert "s3cret" not in answered.headers["Authorization"]
    assert not any(s.headers.get("Authorization", "").startswith("Basic") for s in seen)


def test_the_dialect_comes_from_the_first_answer() -> None:
    with Probe() as probe:
        store = RemoteStore(probe.url + "/query")
        assert store.dialect is PLAIN  # asked with ASK {}, once
        assert store.dialect is PLAIN
    (seen,) = probe.seen
    assert seen.body == b"query=ASK+%7B%7D"


def test_query_serialized_passes_the_servers_bytes_through() -> None:
    answer = b'?c\t?n\n<http://example.org/KHM>\t"x"\n'
    with Probe(
        Behaviour(body=answer, content_type="text/tab-separated-values; charset=utf-8")
    ) as probe:
        data, media_type = through(probe).query_serialized(
            "SELECT ?c ?n WHERE { ?c ?p ?n }",
            "text/tab-separated-values",
            default_graphs=[G1],
            named_graphs=["http://example.org/g2"],
        )
    assert (data, media_type) == (answer, "text/tab-separated-values")
    (seen,) = probe.seen
    assert seen.headers["Accept"] == "text/tab-separated-values"
    form = urllib.parse.parse_qs(seen.body.decode())
    assert form["query"] == ["SELECT ?c ?n WHERE { ?c ?p ?n }"]
    assert form["default-graph-uri"] == [G1]
    assert form["named-graph-uri"] == ["http://example.org/g2"]
    assert "format" not in form and "output" not in form


def test_a_bad_query_carries_the_servers_message(oxigraph_server: OxigraphServer) -> None:
    with pytest.raises(QuerySyntaxError, match="error at 1:"):
        direct(oxigraph_server).query("SELEC * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        (500, StoreError, "disk on fire"),
        (503, StoreError, "503"),
        (404, StoreError, "no SPARQL endpoint"),
        (401, StoreError, "credentials"),
        (400, QuerySyntaxError, "disk on fire"),
    ],
)
def test_server_errors_become_typed_errors(status: int, error: type[Exception], match: str) -> None:
    behaviour = Behaviour(status=status, body=b"disk on fire", content_type="text/plain")
    with Probe(behaviour) as probe, pytest.raises(error, match=match):
        through(probe).query("ASK {}")


def test_a_server_that_does_not_answer_times_out() -> None:
    with Probe(Behaviour(delay_s=3.0)) as probe:
        store = RemoteStore(probe.url + "/query", timeout=0.3)
        with pytest.raises(QueryTimeout):
            store.query("ASK {}")


def test_urls_and_graph_names_are_checked() -> None:
    with pytest.raises(StoreError, match="not an http"):
        RemoteStore("file:///etc/passwd")
    with Probe() as probe:
        store = through(probe)
        with pytest.raises(InputError, match="not a valid graph IRI"):
            store.count("http://x/> } ; DROP ALL ; #")
        with pytest.raises(InputError, match="not a valid graph IRI"):
            store.query("ASK {}", default_graphs=["http://x/ y"], named_graphs=[])
        assert probe.seen == []
