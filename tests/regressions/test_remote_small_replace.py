"""A small graph replacement on a remote store is one SPARQL Update request, never two.

Guards: with no Graph Store URL and fewer triples than ``remote_chunk_triples``, ``replace_graph``
used to pass every test even when sent as two requests (``DROP``, then ``INSERT DATA``): a server
failing the second request was left with an empty graph. The replacement must travel as one
update (``DROP SILENT GRAPH <g> ;\\n INSERT DATA { ... }``), which the server applies in one
transaction, so that a failure at any request leaves the old graph or the new one, never neither.

The server is a real ``oxigraph serve``, reached through the loopback probe that counts requests
and fails from the Nth on.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from jaif_kg.errors import StoreError
from jaif_kg.store.remote import PLAIN, RemoteStore
from tests.oxigraph_server import OxigraphServer
from tests.store.conftest import DATA
from tests.store.http_probe import Behaviour, Probe

G1 = "http://example.org/g1"
G2 = "http://example.org/g2"
TURTLE = "text/turtle"
NEW = (DATA / "replacement.ttl").read_bytes()  # 3 triples: far fewer than the chunk size


def _direct(server: OxigraphServer) -> RemoteStore:
    return RemoteStore(server.query_url, update_url=server.update_url)


def _through(probe: Probe) -> RemoteStore:
    # no graph_store_url: writes go through SPARQL Update; the default chunk size (50,000);
    # told it is a plain server, so that no ASK {} goes first to find out (requests are counted)
    return RemoteStore(probe.url + "/query", update_url=probe.url + "/update", dialect=PLAIN)


def _lines(store: RemoteStore, graph: str | None) -> list[str]:
    return sorted(store.dump("application/n-triples", graph).decode().splitlines())


def _expected(data: bytes) -> list[str]:
    triples = list(ox.parse(data, ox.RdfFormat.TURTLE))
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return sorted(text.splitlines())


def _old_state(server: OxigraphServer) -> RemoteStore:
    """The server holding g1 (3 triples), g2 and a default graph, before each replacement."""
    store = _direct(server)
    store.load((DATA / "graphs.trig").read_bytes(), "application/trig")
    store.load(b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .", TURTLE)
    return store


@pytest.mark.parametrize("graph", [G1, None], ids=["named-graph", "default-graph"])
def test_a_small_replacement_is_one_update_request(
    oxigraph_server: OxigraphServer, graph: str | None
) -> None:
    server = _old_state(oxigraph_server)
    g2_before = _lines(server, G2)
    with Probe(Behaviour(upstream=oxigraph_server.base_url)) as probe:
        store = _through(probe)
        store.replace_graph(NEW, TURTLE, graph)
        seen = list(probe.seen)
    assert [(s.method, s.path.split("?")[0]) for s in seen] == [("POST", "/update")], (
        "a small replacement must be exactly one request to the update endpoint"
    )
    body = seen[0].body.decode()
    target = "DEFAULT" if graph is None else f"GRAPH <{graph}>"
    assert body.startswith(f"DROP SILENT {target} ;")
    assert "INSERT DATA {" in body
    assert store.write_plan(3) == f"one SPARQL Update request to {probe.url}/update"
    assert _lines(server, graph) == _expected(NEW)
    assert _lines(server, G2) == g2_before  # the other graphs are untouched


@pytest.mark.parametrize("forwarded", [0, 1], ids=["first-request-fails", "second-request-fails"])
def test_a_replacement_failing_at_any_request_leaves_the_old_or_the_new_graph(
    oxigraph_server: OxigraphServer, forwarded: int
) -> None:
    """The server forwards ``forwarded`` requests, then answers 500 to every other one."""
    server = _old_state(oxigraph_server)
    old = _lines(server, G1)
    assert len(old) == 3
    behaviour = Behaviour(upstream=oxigraph_server.base_url, forward_limit=forwarded, status=500)
    failed = False
    with Probe(behaviour) as probe:
        try:
            _through(probe).replace_graph(NEW, TURTLE, G1)
        except StoreError as exc:
            assert "500" in str(exc)
            failed = True
    after = _lines(server, G1)
    assert after in (old, _expected(NEW)), (
        f"after a failed request the graph must be the old one or the new one, not {after}"
    )
    if failed:
        assert after == old
    else:  # the one request that carries the whole replacement went through
        assert forwarded == 1 and after == _expected(NEW)
    assert failed == (forwarded == 0)
