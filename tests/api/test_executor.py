"""The worker pool on its own: event loops and threads come and go, workers die."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest
from fastapi.testclient import TestClient

from jaif_kg.api.app import create_app
from jaif_kg.errors import QuerySyntaxError, WorkerFailure
from jaif_kg.executor import Job, QueryExecutor

from .conftest import api_settings, shipped

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
