"""The worker pool on its own: event loops and threads come and go, workers die."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from jaif_kg.api.app import create_app
from jaif_kg.errors import (
    QueryRefused,
    QuerySyntaxError,
    ResultTooLarge,
    StoreError,
    WorkerFailure,
)
from jaif_kg.store import Store
from jaif_kg.workers import sandbox
from jaif_kg.workers.pool import WORKER_NICENESS, Job, QueryExecutor, _prepare, execute
from tests.api.conftest import api_settings, shipped

ASK = Job("ASK {}", "application/sparql-results+json")


def test_the_pool_outlives_the_thread_that_started_it() -> None:
    """Linux's parent-death signal follows the forking *thread*: the zygote must not use it."""
    executor = QueryExecutor(shipped(api_settings()), workers=1, max_workers=2)
    try:
        starter = threading.Thread(target=executor.start)
        starter.start()
        starter.join()
        for _ in range(3):  # each asyncio.run is a new event loop
            body, media_type = asyncio.run(executor.run(ASK))
            assert body == b'{"head":{},"boolean":true}'
            assert media_type == "application/sparql-results+json"
    finally:
        executor.close()


def test_an_app_without_lifespan_serves_from_successive_event_loops() -> None:
    app = create_app(api_settings(), shipped(api_settings()))
    client = TestClient(app)  # no `with`: a new thread and event loop per request
    try:
        for _ in range(4):
            response = client.get("/sparql", params={"query": "ASK {}"})
            assert response.status_code == 200 and response.json()["boolean"] is True
    finally:
        app.state.executor.close()


def test_a_dead_worker_is_reported_and_replaced() -> None:
    executor = QueryExecutor(shipped(api_settings()), workers=1, max_workers=1)

    async def scenario() -> None:
        await executor.run(ASK)
        (pid,) = executor.worker_pids
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerFailure, match=r"worker stopped .* \(killed or crashed\)"):
            await executor.run(ASK)
        assert pid not in executor.worker_pids
        body, _ = await executor.run(ASK)
        assert b"true" in body
        with pytest.raises(QuerySyntaxError):
            await executor.run(Job("ASK {", "application/sparql-results+json"))
        body, _ = await executor.run(ASK)  # a syntax error does not cost the worker
        assert b"true" in body

    try:
        executor.start()
        asyncio.run(scenario())
    finally:
        executor.close()


def test_the_pool_refuses_to_start_without_its_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without seccomp: the pool does not start unless the risk is accepted."""

    def unavailable() -> str:
        raise sandbox.SandboxUnavailable("no seccomp on this test machine")

    monkeypatch.setattr(sandbox, "confine", unavailable)  # the zygote is forked: it sees this
    required = QueryExecutor.from_settings(shipped(api_settings()), api_settings())
    with pytest.raises(StoreError, match=r"sandbox cannot be loaded: no seccomp.*JAIF_SANDBOX=off"):
        required.start()
    assert not required.started

    accepted = QueryExecutor.from_settings(shipped(api_settings()), api_settings(sandbox="off"))
    try:
        accepted.start()
        assert accepted.sandbox_status.startswith("none")
        body, _ = asyncio.run(accepted.run(ASK))
        assert b"true" in body
    finally:
        accepted.close()


class _Panic(BaseException):
    """What pyo3 raises for a Rust panic that unwinds into Python: not an ``Exception``."""


class _PanickingStore(Store):
    """A store whose engine panics on every query (a stand-in for a pyoxigraph bug; the panics
    Oxigraph 0.5 has on this data abort the process instead, see test_hostile.py)."""

    name = "panicking"
    persistent = False
    context_aware = True
    remote = False

    def named_graphs(self) -> list[str]:
        return []

    def query_serialized(self, *args: object, **kwargs: object) -> tuple[bytes, str]:
        raise _Panic("called `Option::unwrap()` on a `None` value\nsecond line")


def test_a_panic_is_answered_with_its_reason_and_the_worker_replaced() -> None:
    executor = QueryExecutor(_PanickingStore(), workers=1, max_workers=1)  # type: ignore[arg-type]

    async def scenario() -> None:
        (pid,) = executor.worker_pids
        with pytest.raises(WorkerFailure, match=r"internal error\): called `Option::unwrap\(\)`"):
            await executor.run(ASK)
        assert executor.replaced == 1 and executor.lost == 0  # answered, then replaced
        for _ in range(200):  # the replacement is forked in a thread
            if executor.worker_pids:
                break
            await asyncio.sleep(0.01)
        assert pid not in executor.worker_pids and len(executor.worker_pids) == 1

    try:
        executor.start()
        asyncio.run(scenario())
    finally:
        executor.close()


class _SpyStore:
    """Records every query text a backend is handed; runs none of its own checks."""

    name = "spy"
    persistent = False
    context_aware = True
    remote = False

    def __init__(self) -> None:
        self.seen: list[str] = []

    def named_graphs(self) -> list[str]:
        return []

    def query_serialized(self, sparql: str, *args: object, **kwargs: object) -> tuple[bytes, str]:
        self.seen.append(sparql)
        return b'{"head":{},"boolean":true}', "application/sparql-results+json"


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { servi\\u0063e <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "PREFIX : <http://e/> ASK { BIND(:a\\# AS ?q) SERVICE <http://127.0.0.1:9/> { } }",
    ],
)
def test_the_endpoint_layer_refuses_service_before_any_backend(text: str) -> None:
    spy = _SpyStore()
    job = Job(text, "application/sparql-results+json", prepare=True)
    with pytest.raises(QueryRefused):
        execute(spy, job)  # type: ignore[arg-type]
    assert spy.seen == []
    execute(spy, Job("ASK {}", "application/sparql-results+json", prepare=True))  # type: ignore[arg-type]
    assert spy.seen == ["ASK {}"]


def test_workers_yield_the_cpu_to_the_server() -> None:
    """Workers run at a lower CPU priority, so that the event loop is served first under load."""
    executor = QueryExecutor(shipped(api_settings()), workers=1, max_workers=1)
    try:
        executor.start()
        (pid,) = executor.worker_pids
        server = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) >= server + WORKER_NICENESS or (
            os.getpriority(os.PRIO_PROCESS, pid) == 19  # the ceiling
        )
    finally:
        executor.close()


def test_a_remembered_preparation_belongs_to_its_text_and_dataset() -> None:
    """The per-process memory of prepared queries is keyed by everything that shapes the
    rewrite: the same text under another dataset, base or row limit is prepared afresh."""
    store = shipped(api_settings())
    text = "SELECT ?s WHERE { ?s a <ontology#Project> } ORDER BY ?s"
    media = "text/tab-separated-values"
    base = Job(text, media, prepare=True, base_iri="https://w3id.org/jaif-kg/")
    # the first is remembered; each variant must not be answered from it
    found, _ = execute(store, base)
    assert found.count(b"\n") > 2
    relative, _ = execute(store, replace(base, base_iri="http://other.example/"))
    assert relative == b"?s\n"
    capped = replace(base, max_results=1)
    with pytest.raises(ResultTooLarge):
        execute(store, capped)
    # (the answer is counted too, so the rewrite itself is looked at)
    assert "LIMIT 2" in _prepare(capped, ())[0].text
    assert "LIMIT" not in _prepare(base, ())[0].text
    named_only, _ = execute(store, replace(base, default_graphs=("http://nowhere.example/g",)))
    assert named_only == b"?s\n"
    assert execute(store, base)[0] == found  # and the first is still answered as before


def test_a_refused_query_is_refused_every_time() -> None:
    """A refusal is never remembered as a preparation: the second try is refused too."""
    store = shipped(api_settings())
    job = Job("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "text/csv", prepare=True)
    for _ in range(2):
        with pytest.raises(QueryRefused):
            execute(store, job)
