"""The two kinds of query worker once an allow-list is configured, probed from inside.

A job is pickled to its worker; a :class:`InWorker` unpickles as a call of :func:`_verdict`, so the
probe runs in the worker process itself, under its real filter, and comes back as a one-row
answer. Normal workers must still have no network socket; federation workers must still not
exec, and may connect to the allowed endpoints' ports only (Landlock).
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from jaif_kg.workers import sandbox
from jaif_kg.workers.pool import Job, QueryExecutor, WorkerLimits
from tests.api.conftest import api_settings, shipped


def _verdict(what: str, port: int) -> Job:
    """Runs in the worker while it unpickles its job: try ``what``, answer what happened."""
    try:
        if what == "inet":
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        elif what == "inet6":
            socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
        elif what == "exec":
            subprocess.run(["/bin/true"], check=True)
        elif what == "connect":
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                pass
        verdict = "allowed"
    except PermissionError:
        verdict = "refused"
    except OSError as exc:
        verdict = f"failed: {exc}"
    return Job(f'SELECT ?v WHERE {{ BIND("{verdict}" AS ?v) }}', "application/sparql-results+json")


class InWorker:
    """Pickles as a call of :func:`_verdict` (what the worker receives as its job)."""

    def __init__(self, what: str, port: int = 0) -> None:
        self.what, self.port = what, port

    def __reduce__(self) -> tuple[Any, ...]:
        return (_verdict, (self.what, self.port))


@pytest.fixture(scope="module")
def listeners() -> Iterator[tuple[int, int]]:
    """Two loopback TCP listeners: the allowed endpoint's port and another one."""
    allowed, other = socket.socket(), socket.socket()
    for sock in (allowed, other):
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
    yield allowed.getsockname()[1], other.getsockname()[1]
    allowed.close()
    other.close()


@pytest.fixture(scope="module")
def executor(listeners: tuple[int, int]) -> Iterator[QueryExecutor]:
    endpoint = f"http://127.0.0.1:{listeners[0]}/query"
    pool = QueryExecutor(
        shipped(api_settings()),
        workers=1,
        max_workers=1,
        limits=WorkerLimits(allow_service=(endpoint,)),
    )
    pool.start()
    yield pool
    pool.close()


def _ask(pool: QueryExecutor, what: str, port: int = 0) -> str:
    job: Any = InWorker(what, port)
    body, _ = asyncio.run(pool.run(job))
    return str(json.loads(body)["results"]["bindings"][0]["v"]["value"])


def test_the_probe_runs_in_an_unconfined_process() -> None:
    """The premise: outside the sandbox each probe is allowed."""
    assert not sandbox.confined()
    for what in ("inet", "inet6", "exec"):
        assert _verdict(what, 0).sparql.count("allowed") == 1, what


def test_a_normal_worker_still_cannot_open_a_network_socket(executor: QueryExecutor) -> None:
    assert executor.federation is not None  # the allow-list is configured
    assert _ask(executor, "inet") == "refused"
    assert _ask(executor, "inet6") == "refused"
    assert _ask(executor, "exec") == "refused"


def test_a_federation_worker_still_cannot_exec(executor: QueryExecutor) -> None:
    assert executor.federation is not None
    assert _ask(executor.federation, "inet") == "allowed"
    assert _ask(executor.federation, "exec") == "refused"


@pytest.mark.skipif(sandbox.landlock_abi() < 4, reason="no Landlock TCP rules on this kernel")
def test_a_federation_worker_connects_only_to_the_allowed_ports(
    executor: QueryExecutor, listeners: tuple[int, int]
) -> None:
    assert executor.federation is not None
    allowed, other = listeners
    assert _ask(executor.federation, "connect", allowed) == "allowed"
    assert _ask(executor.federation, "connect", other) == "refused"
