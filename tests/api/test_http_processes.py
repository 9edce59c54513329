"""Several HTTP processes serving one store: shared admission counts, replaced processes.

``jaif-kg serve`` with ``JAIF_HTTP_PROCESSES=2`` forks two HTTP processes on ``SO_REUSEPORT``
sockets of one port (:func:`jaif_kg.api.server.serve_processes`); the admission counts live in
a memory file they all map (:class:`jaif_kg.api.counts.SharedCounts`).
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from jaif_kg.api.counts import SharedCounts
from jaif_kg.api.server import process_share
from jaif_kg.settings import Settings
from tests.serving import children as _children
from tests.serving import start_serve, stop_serve

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork, /proc")

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _in_child(body: object) -> int:
    """Fork; run ``body()`` in the child, which then ends at once (no cleanup)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            body()  # type: ignore[operator]
        finally:
            os._exit(0)
    return pid


def test_counts_are_shared_between_processes() -> None:
    counts = SharedCounts(2)
    ready_r, ready_w = os.pipe()

    def child() -> None:
        counts.attach(1)
        assert counts.enter("10.0.0.1", 1, 10) is None
        os.write(ready_w, b"x")
        time.sleep(60)

    pid = _in_child(child)
    try:
        assert os.read(ready_r, 1) == b"x"
        counts.attach(0)
        # the other process holds the client's one slot: refused here too
        assert counts.enter("10.0.0.1", 1, 10) == "client"
        assert counts.held("10.0.0.1") == 1 and counts.total() == 1
        assert counts.enter("10.0.0.2", 1, 1) == "busy"  # the server-wide limit counts it too
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        counts.forget(1)  # what the supervisor does when a process ends
        assert counts.total() == 0
        assert counts.enter("10.0.0.1", 1, 10) is None
        counts.leave("10.0.0.1")
        assert counts.total() == 0 and counts.snapshot() == {}
    finally:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.close(ready_r)
        os.close(ready_w)


def _lock_holder(counts: SharedCounts) -> int:
    """Fork a process (row 1) that takes the counts' lock and keeps it; its pid, once held."""
    ready_r, ready_w = os.pipe()

    def holder() -> None:
        counts.attach(1)
        counts._lock()
        os.write(ready_w, b"x")
        time.sleep(60)

    pid = _in_child(holder)
    try:
        assert os.read(ready_r, 1) == b"x"
    finally:
        os.close(ready_r)
        os.close(ready_w)
    return pid


def test_a_process_killed_holding_the_lock_does_not_stop_the_others() -> None:
    """The lock is a POSIX record lock: the kernel releases it with its dead holder."""
    counts = SharedCounts(2)
    pid = _lock_holder(counts)
    done = concurrent.futures.ThreadPoolExecutor(1).submit(counts.enter, "10.0.0.3", 1, 10)
    with pytest.raises(concurrent.futures.TimeoutError):
        done.result(timeout=0.5)  # the other process holds the lock: enter waits for it
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert done.result(timeout=5) is None


def test_leaving_takes_no_lock_and_loses_no_count() -> None:
    """A process leaves while another holds the lock (each writes only its own row), and two
    processes entering and leaving for the same clients at once end with nothing counted."""
    counts = SharedCounts(3)
    counts.attach(0)
    assert counts.enter("10.0.0.7", 5, 10) is None
    pid = _lock_holder(counts)
    try:
        left = concurrent.futures.ThreadPoolExecutor(1).submit(counts.leave, "10.0.0.7")
        assert left.result(timeout=5) is None
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    counts.forget(1)

    def churn(process: int) -> Callable[[], None]:
        def run() -> None:
            counts.attach(process)
            for i in range(3000):
                who = f"10.3.0.{i % 7}"
                if counts.enter(who, 100, 1000) is None:
                    counts.leave(who)

        return run

    pids = [_in_child(churn(1)), _in_child(churn(2))]
    churn(0)()
    for child in pids:
        assert os.waitpid(child, 0)[1] == 0
    assert counts.total() == 0 and counts.snapshot() == {}
    assert all(counts.held(f"10.3.0.{i}") == 0 for i in range(7))


def test_many_clients_never_fill_the_table() -> None:
    """Slots of clients that hold nothing are taken again: a table of 4 serves 100 clients."""
    counts = SharedCounts(1, slots=4)
    for i in range(100):
        who = f"10.1.0.{i}"
        assert counts.enter(who, 1, 4) is None
        counts.leave(who)
    for i in range(4):
        assert counts.enter(f"10.2.0.{i}", 1, 100) is None
    assert counts.enter("10.2.0.9", 1, 100) == "busy"  # four hold slots: no room, refused


@pytest.mark.parametrize(
    ("workers", "most", "processes", "each"),
    [(2, 8, 2, (1, 4)), (2, 8, 3, (1, 2)), (1, 1, 4, (1, 1)), (8, 16, 4, (2, 4))],
)
def test_the_query_workers_are_divided(
    workers: int, most: int, processes: int, each: tuple[int, int]
) -> None:
    share = process_share(Settings(query_workers=workers, query_workers_max=most), processes)
    assert (share.query_workers, share.query_workers_max) == each


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["memory", "disk"])
def two_processes(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[str], str, bool]]:
    """``jaif-kg serve`` with two HTTP processes, one query per client, no client queue; the
    store in memory (the processes are forked after loading) or on disk (forked from a process
    that never opened it; each opens it read-only)."""
    port = _free_port()
    store = {"JAIF_STORE_PATH": str(tmp_path / "store")} if request.param == "disk" else {}
    env = {
        **store,
        **os.environ,
        "JAIF_HTTP_PROCESSES": "2",
        "JAIF_CLIENT_QUERIES": "1",
        "JAIF_CLIENT_QUEUE": "0",
        "JAIF_QUERY_TIMEOUT": "3",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    proc, url = start_serve([], env, port=port)
    yield proc, url, request.param == "disk"
    stop_serve(proc)


def _slow(url: str) -> int:
    with httpx.Client(timeout=30) as client:  # a connection of its own
        return client.get(url + "/sparql", params={"query": SLOW_QUERY}).status_code


def _slow_or_cut(url: str) -> str:
    try:
        return str(_slow(url))
    except httpx.TransportError:
        return "cut"


def test_two_processes_serve_share_the_client_limit_and_are_replaced(
    two_processes: tuple[subprocess.Popen[str], str, bool],
) -> None:
    proc, url, disk = two_processes
    # on disk, the HTTP processes are the spawner's (forked before the store was opened)
    parent = _children(proc.pid)[0] if disk else proc.pid
    http = _children(parent)
    assert len(http) == 2, "two HTTP processes"
    # each HTTP process forked its workers' zygote: on disk too, before it opened the store,
    # not as a fresh interpreter (seconds of start-up)
    deadline = time.monotonic() + 30
    while not all(_children(pid) for pid in http):
        assert time.monotonic() < deadline, "an HTTP process has no zygote"
        time.sleep(0.05)
    for pid in http:
        for zygote in _children(pid):
            assert b"_zygote_entry" not in Path(f"/proc/{zygote}/cmdline").read_bytes()
    # Twelve slow queries of one client, each on its own connection (the kernel spreads them
    # over both processes): one runs (until the time limit, 503), the rest are refused at once.
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(lambda _: _slow(url), range(12)))
    assert statuses.count(429) == 11, statuses
    # HTTP processes that die (one of them running the client's query) are replaced, and the
    # server answers throughout
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(lambda: _slow_or_cut(url))
        time.sleep(1.0)  # admitted and running in one of the two
        for pid in http:
            os.kill(pid, signal.SIGKILL)
        assert running.result() == "cut"
    deadline = time.monotonic() + 30
    while len(now := _children(parent)) != 2 or set(http) & set(now):
        assert time.monotonic() < deadline, "the HTTP processes were not replaced"
        time.sleep(0.05)
    # (connections the kernel gives the new process wait in its socket's queue, which the
    # supervisor kept open, until it has started: delayed, not lost)
    for _ in range(20):
        answer = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60)
        assert answer.status_code == 200
    # the counts of the dead went with them: the client may run a query again
    assert _slow(url) == 503  # the slow query itself, stopped at the time limit
    # SIGINT stops the whole tree
    tree = _children(proc.pid)
    tree += [p for h in tree for p in _children(h)]
    tree += [p for h in tree for p in _children(h)]
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "2 HTTP processes" in output and "starting another" in output
    assert output.count("jaif-kg: query worker sandbox: seccomp") == 1, output
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() for p in tree):
        assert time.monotonic() < deadline, "processes outlived the server"
        time.sleep(0.05)
