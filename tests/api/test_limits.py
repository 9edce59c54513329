"""Time limit, result-size cap and body-size cap.

The time-limit test asserts ordering, not durations: while a deliberately slow query (a triple
cross join over the shipped graph, ~10^10 solutions) runs, ``ASK {}`` is answered; the slow query
then gets 503, and the worker process that ran it no longer exists (the work really stopped).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from jaif_kg.workers.pool import QueryExecutor

from .conftest import Live, api_settings, shipped

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def slow_live(live_factory: Callable[..., Live]) -> Live:
    return live_factory(api_settings(query_timeout=6.0, query_workers=2, query_workers_max=4))


def _busy(executor: QueryExecutor) -> set[int]:
    return set(executor._busy)


def test_a_slow_query_is_stopped_and_does_not_delay_others(slow_live: Live) -> None:
    executor: QueryExecutor = slow_live.app.state.executor
    killed_before = executor.killed
    outcome: dict[str, httpx.Response] = {}

    def run_slow() -> None:
        outcome["slow"] = httpx.get(slow_live.sparql, params={"query": SLOW}, timeout=60)

    slow = threading.Thread(target=run_slow)
    slow.start()
    while not _busy(executor) and slow.is_alive():
        time.sleep(0.005)
    busy = _busy(executor)
    assert busy, "the slow query never reached a worker"
    ask = httpx.get(slow_live.sparql, params={"query": "ASK {}"}, timeout=60)
    assert slow.is_alive(), "the slow query finished before the ASK: the test proves nothing"
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    slow.join(timeout=60)
    response = outcome["slow"]
    assert response.status_code == 503, response.text
    assert "did not finish within 6 s" in response.text
    assert response.headers.get("retry-after") == "1"
    assert executor.killed == killed_before + 1
    (pid,) = busy
    deadline = time.monotonic() + 10
    while _exists(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _exists(pid), "the worker that ran the slow query is still alive"
    assert pid not in executor.worker_pids
    # The pool was replenished and answers as before.
    again = httpx.get(slow_live.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert again.status_code == 200 and again.json()["boolean"] is True


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def capped_live(live_factory: Callable[..., Live]) -> Live:
    return live_factory(api_settings(max_results=5, max_body_bytes=2000))


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_too_many_rows_is_413(capped_live: Live, accept: str) -> None:
    for query in (
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 100000",
        "SELECT * WHERE { ?s ?p ?o } VALUES ?x { 1 }",
    ):
        response = httpx.get(
            capped_live.sparql, params={"query": query}, headers={"accept": accept}
        )
        assert response.status_code == 413, (query, response.text)
        assert "more than 5 rows" in response.text


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_results_at_the_cap_are_served(capped_live: Live, accept: str) -> None:
    response = httpx.get(
        capped_live.sparql,
        params={"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5"},
        headers={"accept": accept},
    )
    assert response.status_code == 200, response.text
    five = httpx.get(
        capped_live.sparql,
        params={"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"},
        headers={"accept": accept},
    )
    assert five.status_code == 413


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json"])
def test_too_many_triples_is_413(capped_live: Live, accept: str) -> None:
    big = httpx.get(
        capped_live.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"accept": accept},
    )
    assert big.status_code == 413, big.text
    assert "more than 5 triples" in big.text
    small = httpx.get(
        capped_live.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"},
        headers={"accept": accept},
    )
    assert small.status_code == 200, small.text


def test_a_large_body_is_413(capped_live: Live) -> None:
    query = "ASK {}" + " " * 3000
    response = httpx.post(
        capped_live.sparql,
        content=query.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 413
    assert "limit is 2000" in response.text

    def chunks():  # no Content-Length: the cap applies while reading
        yield b"ASK {}"
        for _ in range(10):
            yield b" " * 500

    chunked = httpx.post(
        capped_live.sparql, content=chunks(), headers={"content-type": "application/sparql-query"}
    )
    assert chunked.status_code == 413
    ok = httpx.post(
        capped_live.sparql, content=b"ASK {}", headers={"content-type": "application/sparql-query"}
    )
    assert ok.status_code == 200


def test_a_persistent_store_is_served_and_stopped_the_same_way(
    live_factory: Callable[..., Live], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On disk, each worker opens the store read-only (forked from a fresh interpreter)."""
    settings = api_settings(store_path=tmp_path_factory.mktemp("store"), query_timeout=2.0)
    store = shipped(settings)
    assert store.persistent
    disk = live_factory(settings, store)
    count = httpx.get(disk.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert count.status_code == 200
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == store.count()
    slow = httpx.get(disk.sparql, params={"query": SLOW}, timeout=60)
    assert slow.status_code == 503
    assert httpx.get(disk.sparql, params={"query": "ASK {}"}).json()["boolean"] is True
