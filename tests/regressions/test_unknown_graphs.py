"""A backend is only ever handed graph IRIs that it holds.

Guards: dropping the ``known_graphs`` filter in ``jaif_kg.workers.pool.execute`` passed the suite.
``default-graph-uri`` / ``named-graph-uri`` values and ``FROM`` / ``FROM NAMED`` IRIs are chosen
by the client; an IRI the store does not hold is an empty graph (SPARQL 1.1 Protocol §2.1.4) and
must not reach the backend, which might dereference it (rdflib loads unknown graphs from the web,
a remote SPARQL server may too). The spy below records what the backend receives.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from jaif_kg.workers.pool import Job, execute

A = "http://example.org/graph/a"
B = "http://example.org/graph/b"
C = "http://example.org/graph/c"
HELD = frozenset({A, B, C})
STRANGER = "http://127.0.0.1:9/data.ttl"
FILE = "file:///etc/passwd"
SPARQL_JSON = "application/sparql-results+json"


class SpyStore:
    """Holds three named graphs; records the dataset of every query it is handed."""

    name = "spy"
    persistent = False
    context_aware = True
    remote = False

    def __init__(self) -> None:
        self.received: list[tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = []
        self.texts: list[str] = []

    def named_graphs(self) -> list[str]:
        return sorted(HELD)

    def query_serialized(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        graph_media_type: str | None = None,
        max_bytes: int | None = None,
    ) -> tuple[bytes, str]:
        self.texts.append(sparql)
        self.received.append(
            (
                None if default_graphs is None else tuple(default_graphs),
                None if named_graphs is None else tuple(named_graphs),
            )
        )
        return b'{"head":{"vars":["s"]},"results":{"bindings":[]}}', SPARQL_JSON


def _run(
    spy: SpyStore,
    text: str,
    default_graphs: tuple[str, ...] | None,
    named_graphs: tuple[str, ...] | None,
    *,
    prepare: bool = True,
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    job = Job(
        text,
        SPARQL_JSON,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        prepare=prepare,
    )
    execute(spy, job, known_graphs=frozenset(spy.named_graphs()))  # type: ignore[arg-type]
    assert len(spy.received) == 1
    return spy.received[0]


def _only_held(received: tuple[tuple[str, ...] | None, tuple[str, ...] | None]) -> None:
    for graphs in received:
        assert graphs is None or set(graphs) <= HELD, f"the backend was handed {graphs}"


@pytest.mark.parametrize("prepare", [True, False], ids=["endpoint", "prepared-job"])
def test_protocol_graphs_the_store_does_not_hold_never_reach_it(prepare: bool) -> None:
    spy = SpyStore()
    received = _run(
        spy,
        "SELECT ?s WHERE { ?s ?p ?o }",
        (A, STRANGER, B),
        (FILE, C, "http://example.org/graph/unknown"),
        prepare=prepare,
    )
    _only_held(received)
    assert received == ((A, B), (C,))  # the held ones are kept, in the client's order


def test_only_unknown_graphs_give_an_empty_dataset_not_the_whole_store() -> None:
    spy = SpyStore()
    received = _run(spy, "SELECT ?s WHERE { ?s ?p ?o }", (STRANGER,), (FILE,))
    assert received == ((), ())  # () is "no graph"; None would be "the store's own dataset"


def test_from_clauses_naming_unknown_graphs_never_reach_it() -> None:
    spy = SpyStore()
    text = f"SELECT ?s FROM <{STRANGER}> FROM <{A}> FROM NAMED <{FILE}> WHERE {{ ?s ?p ?o }}"
    received = _run(spy, text, None, None)
    _only_held(received)
    assert received == ((A,), ())
    assert STRANGER not in spy.texts[0] and FILE not in spy.texts[0]


def test_a_named_graph_only_dataset_keeps_the_known_ones() -> None:
    spy = SpyStore()
    received = _run(spy, "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", None, (STRANGER, B))
    _only_held(received)
    assert received == ((), (B,))
