"""The HTTP section's load generator (wrk with ``wrk_load.lua``), its CPU accounting from
/proc, and the report naming the generator of each figure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from jaif_kg.bench import load
from jaif_kg.bench import run as bench
from jaif_kg.bench.soak import process_tree

needs_wrk = pytest.mark.skipif(
    not load.have_wrk(), reason="wrk is not installed (Debian: apt-get install wrk)"
)


# -- wrk's output, as wrk_load.lua prints it ---------------------------------------------------

WRK_REPORT = "Running 1s test @ http://127.0.0.1:1/x\n  2 threads and 8 connections\n"


@pytest.mark.parametrize(
    ("lines", "requests", "errors", "statuses", "p50", "p99"),
    [
        (
            "soak-status 200 500\nsoak-summary 500 1000000 0 0 0 0 0\nsoak-latency 800 4000 9000",
            500,
            0,
            {"200": 500},
            0.8,
            4.0,
        ),
        # non-200 answers and socket errors are both errors; a 3xx is not a success here
        (
            "soak-status 200 90\nsoak-status 404 6\nsoak-status 302 4\n"
            "soak-summary 100 2000000 1 2 0 3 6\nsoak-latency 1500 90000 120000",
            100,
            16,
            {"200": 90, "302": 4, "404": 6},
            1.5,
            90.0,
        ),
        # nothing answered within the run (a slow server): no status line at all
        ("soak-summary 0 8000000 0 0 0 0 0\nsoak-latency 0 0 0", 0, 0, {}, 0.0, 0.0),
    ],
)
def test_wrk_output_is_read_into_a_load_run(
    lines: str, requests: int, errors: int, statuses: dict[str, int], p50: float, p99: float
) -> None:
    run = load.from_wrk(WRK_REPORT + lines + "\n", 1.0, 0.25)
    assert (run.requests, run.errors, run.statuses) == (requests, errors, statuses)
    assert (run.p50_ms, run.p99_ms) == (p50, p99)
    assert run.generator == load.WRK_GENERATOR
    result = run.as_result()
    if requests:
        assert result["server_cpu_us"] == pytest.approx(1e6 / requests)
        assert result["client_cpu_us"] == pytest.approx(0.25e6 / requests)
    else:
        assert result["rps"] == 0 and result["server_cpu_us"] is None


def test_wrk_output_without_the_script_lines_is_a_failure() -> None:
    with pytest.raises(RuntimeError, match="no soak summary"):
        load.from_wrk(WRK_REPORT + "Requests/sec: 100\n", 1.0, None)


# -- wrk and the Lua script against a real server ----------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """200 for an even project number in the path, 404 for an odd one; records what it saw."""

    paths: ClassVar[set[str]] = set()
    accepts: ClassVar[set[str]] = set()
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.paths.add(self.path)
            self.accepts.add(self.headers.get("Accept", ""))
        number = int(self.path.rsplit("-", 1)[1])
        body = b"ok"
        self.send_response(200 if number % 2 == 0 else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[ThreadingHTTPServer]:
    _Recorder.paths, _Recorder.accepts = set(), set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@needs_wrk
def test_wrk_varies_the_path_sends_accept_and_counts_statuses(
    recorder: ThreadingHTTPServer,
) -> None:
    port = recorder.server_address[1]
    run = load.run_wrk(port, "/p/synthetic-__N__", "text/x-test", 0, seconds=1, warmup=0, count=4)
    assert _Recorder.paths == {f"/p/synthetic-{i:07d}" for i in range(4)}
    assert _Recorder.accepts == {"text/x-test"}
    assert set(run.statuses) == {"200", "404"}
    assert run.errors == run.statuses["404"] > 0
    assert run.requests == sum(run.statuses.values())
    assert 0 < run.p50_ms <= run.p99_ms <= run.max_ms
    assert run.client_cpu_s is not None and run.client_cpu_s > 0


@needs_wrk
def test_wrk_with_a_fixed_path_sends_only_it(recorder: ThreadingHTTPServer) -> None:
    port = recorder.server_address[1]
    run = load.run_wrk(port, "/p/synthetic-0000002", "", 0, seconds=1, warmup=0)
    assert _Recorder.paths == {"/p/synthetic-0000002"}
    assert _Recorder.accepts == {""}  # no Accept header unless asked
    assert run.statuses == {"200": run.requests} and run.errors == 0


# -- CPU accounting from /proc -------------------------------------------------------------------

#: A process that burns about ``cpu`` s in a child it waits for (reaped: its time moves into
#: the parent's cutime), then, with a live child, starts one that burns without end and waits
#: until /proc shows it has used ``cpu`` s; then it idles until killed.
PARENT = """
import subprocess, sys, time
burn = "import time\\nend = time.process_time() + CPU\\nwhile time.process_time() < end: pass"
subprocess.run([sys.executable, "-c", burn], check=True)
print("burnt", flush=True)
if LIVE:
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    while True:
        fields = open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()
        if int(fields[11]) + int(fields[12]) >= TICKS:
            break
        time.sleep(0.02)
    print("live", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("with_live_child", [False, True])
def test_tree_cpu_counts_reaped_and_live_descendants(with_live_child: bool) -> None:
    cpu = 0.3
    ticks = int(cpu * os.sysconf("SC_CLK_TCK"))
    code = PARENT.replace("CPU", str(cpu)).replace("LIVE", str(with_live_child))
    code = code.replace("TICKS", str(ticks))
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    ) as parent:
        try:
            assert parent.stdout is not None
            assert parent.stdout.readline().strip() == "burnt"
            if with_live_child:
                assert parent.stdout.readline().strip() == "live"
            seconds = load.tree_cpu_seconds(parent.pid)
            own = load.tree_cpu_seconds(os.getpid())
        finally:
            # the children first: killing the parent alone would leave the live one running
            for pid in reversed(process_tree(parent.pid)):
                os.kill(pid, signal.SIGKILL)
            parent.wait()
    expected = cpu * (2 if with_live_child else 1)
    # the parent itself adds its start-up, the live child what it burnt since (under a second)
    assert expected - 0.05 <= seconds <= expected + 1.0
    assert own > seconds  # this process's tree holds the parent's tree


def test_tree_cpu_of_a_process_gone_is_zero() -> None:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()  # reaped: its pid names no process now
    assert load.tree_cpu_seconds(done.pid) == 0.0


# -- the report names the generator of each figure ------------------------------------------------


def _entry(rps: float, generator: str | None) -> dict[str, object]:
    entry: dict[str, object] = {
        "rps": rps,
        "requests": int(rps * 8),
        "seconds": 8.0,
        "errors": 0,
        "statuses": {"200": int(rps * 8)},
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "server_cpu_us": 400.0,
        "client_cpu_us": 30.0,
    }
    if generator is not None:
        entry["generator"] = generator
    return entry


def _results(generator: str | None, lookup: dict[str, float]) -> dict[str, object]:
    http = {
        "triples": 1000,
        "startup": {"jaif-kg": 1.0},
        "seconds": 8,
        "warmup": 2,
        "projects": 20,
        "sparql": {
            label: {server: _entry(rps, generator) for server, rps in lookup.items()}
            for label in ("IRI lookup", bench.VARIED_LABEL)
        },
        "named": {},
    }
    return {"argv": [], "seed": 1, "budget": 1, "elapsed_s": 60, "sizes": [], "http": http}


@pytest.mark.parametrize(
    ("generator", "shown"),
    [
        (load.WRK_GENERATOR, "wrk 2 threads x 8 connections"),
        (load.PYTHON_GENERATOR, "Python fallback (8 http.client processes)"),
        (None, "recorded before generators were named)"),  # results of an older run
    ],
)
def test_report_names_the_generator_of_each_figure(generator: str | None, shown: str) -> None:
    rps = {"jaif-kg": 3000.0, "oxigraph": 6000.0, "rdflib-endpoint": 500.0}
    text = bench.render(_results(generator, rps))
    rows = [line for line in text.splitlines() if line.startswith("| IRI lookup")]
    measured = [r for r in rows if " serve" in r.split("|")[2]]
    assert len(measured) == 6  # two lookups x three servers
    assert all(r.rstrip(" |").endswith(shown) for r in measured), measured
    assert "| 400 | 30 |" in measured[0]  # CPU µs per request: server, generator
    target = "| /sparql IRI lookup: >= 0.6x oxigraph serve (req/s) | 0.50x ("
    verdicts = [line for line in text.splitlines() if line.startswith(target)]
    assert len(verdicts) == 1 and f"{shown}) | not met |" in verdicts[0], verdicts


@pytest.mark.parametrize(
    ("jaif", "verdict_oxigraph", "verdict_rdflib"),
    [(3000.0, "not met", "met"), (3600.0, "met", "met"), (2000.0, "not met", "not met")],
)
def test_http_targets_follow_the_ratios(
    jaif: float, verdict_oxigraph: str, verdict_rdflib: str
) -> None:
    rps = {"jaif-kg": jaif, "oxigraph": 6000.0, "rdflib-endpoint": 500.0}
    text = bench.render(_results(load.WRK_GENERATOR, rps))
    oxi = f"| /sparql {bench.VARIED_LABEL}: >= 0.6x oxigraph serve (req/s) | {jaif / 6000:.2f}x"
    rdf = f"| /sparql {bench.VARIED_LABEL}: >= 5x rdflib-endpoint (req/s) | {jaif / 500:.1f}x"
    assert f"{oxi} ({load.WRK_GENERATOR}) | {verdict_oxigraph} |" in text
    assert f"{rdf} ({load.WRK_GENERATOR}) | {verdict_rdflib} |" in text
    # the join and the GROUP BY were not measured: their rows say so rather than vanish
    assert "| /sparql GROUP BY: >= 1x oxigraph serve (req/s) | not measured | not met |" in text


#: A parent that ignores SIGCHLD (as the query workers' zygote does: the kernel reaps its
#: children, whose time then goes to nobody), starts a child that burns CPU and ends, then waits.
IGNORING = """
import os, signal, sys, time
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
print("ready", flush=True)
sys.stdin.readline()
if os.fork() == 0:
    end = time.process_time() + CPU
    while time.process_time() < end:
        pass
    os._exit(0)
time.sleep(60)
"""


def test_the_meter_counts_a_worker_that_ends_during_the_run() -> None:
    cpu = 0.4
    code = IGNORING.replace("CPU", str(cpu))
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as parent:
        try:
            assert parent.stdout is not None and parent.stdin is not None
            assert parent.stdout.readline().strip() == "ready"
            before = load.tree_cpu_seconds(parent.pid)
            with load.TreeMeter(parent.pid) as meter:
                parent.stdin.write("go\n")
                parent.stdin.flush()
                deadline = time.monotonic() + 30
                while len(process_tree(parent.pid)) < 2 and time.monotonic() < deadline:
                    time.sleep(0.01)  # the child started...
                while len(process_tree(parent.pid)) > 1 and time.monotonic() < deadline:
                    time.sleep(0.01)  # ...and ended, reaped by the kernel
            after = load.tree_cpu_seconds(parent.pid)
        finally:
            parent.kill()
            parent.wait()
    assert after - before < cpu / 2  # the tree alone lost the child's time
    assert cpu - 2 * load.SAMPLE_S - 0.05 <= meter.seconds <= cpu + 0.5
