"""The load generator of the HTTP section of :mod:`jaif_kg.bench.run`, and CPU accounting.

``wrk`` (:data:`WRK_THREADS` threads, :data:`WRK_CONNECTIONS` keep-alive connections) drives a
server for a fixed time after a short warm-up, with ``wrk_load.lua``: it sets the Accept
header, can vary the project IRI with every request, counts answers by status and prints wrk's
own latency distribution (p50, p99, max), read by :func:`jaif_kg.bench.soak.parse_wrk`. When wrk
is missing, the Python client of :mod:`jaif_kg.bench.http` (8 processes, ``http.client``) is the
labelled fallback (:data:`PYTHON_GENERATOR`); it shares the cores with the server and undercounts
fast servers.

While each measured run lasts, the CPU time (user + system) of the server's whole process tree
is read from ``/proc/<pid>/stat`` (proc(5)) every :data:`SAMPLE_S` (:class:`TreeMeter`: workers
that end during the run keep their last reading); the total over the requests answered is the
server's CPU per request. wrk's own CPU comes from ``wait4`` on it.
"""

from __future__ import annotations

import importlib.resources
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

from jaif_kg.bench import http
from jaif_kg.bench.soak import parse_wrk, proc_stat, process_tree, wrk_binary

WRK_THREADS = 2
WRK_CONNECTIONS = 8
#: A request unanswered this long counts as a socket timeout (rdflib-endpoint needs seconds).
WRK_TIMEOUT_S = 60
#: The marker of ``wrk_load.lua`` where a varied path takes the 7-digit project number.
NUMBER_MARK = "__N__"
#: The labels of the generators, as the report prints them.
WRK_GENERATOR = f"wrk {WRK_THREADS} threads x {WRK_CONNECTIONS} connections"
PYTHON_GENERATOR = f"Python fallback ({http.CLIENTS} http.client processes)"

#: Fields of /proc/<pid>/stat from the state on (proc(5) numbers 3...): utime, stime, cutime,
#: cstime. A child that ends and is reaped inside the tree moves its time into its parent's
#: cutime/cstime, so the sum over the tree does not drop when a query worker is replaced.
_CPU_FIELDS = slice(11, 15)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and all its live descendants (0.0 if it is gone),
    including the children each of them has reaped."""
    ticks = 0
    for one in process_tree(pid):
        fields = proc_stat(one)
        if fields is not None:
            ticks += sum(int(x) for x in fields[_CPU_FIELDS])
    return ticks / os.sysconf("SC_CLK_TCK")


#: Seconds between two readings of the server's process tree while a run lasts.
SAMPLE_S = 0.05


def _tree_readings(pid: int) -> dict[tuple[int, str], int]:
    """CPU ticks (own and reaped children's) of each live process of the tree, by pid and start
    time (a pid used again is another process)."""
    out: dict[tuple[int, str], int] = {}
    for one in process_tree(pid):
        fields = proc_stat(one)
        if fields is not None:
            out[(one, fields[19])] = sum(int(x) for x in fields[_CPU_FIELDS])
    return out


class TreeMeter:
    """CPU seconds a process tree spends while the block runs, read every :data:`SAMPLE_S`.

    A process that ends inside the tree is not always counted by its parent: the query workers'
    zygote ignores ``SIGCHLD``, so the kernel reaps its workers and their time goes nowhere. The
    meter keeps the last reading of every process it saw, so a worker replaced during the run
    counts up to its last reading (at most :data:`SAMPLE_S` of its work is missed), and one that
    existed before counts only what it spent since.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._first: dict[tuple[int, str], int] = {}
        self._last: dict[tuple[int, str], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.seconds = 0.0

    def _read(self) -> None:
        for key, ticks in _tree_readings(self.pid).items():
            self._first.setdefault(key, ticks)
            self._last[key] = ticks

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self._read()

    def __enter__(self) -> TreeMeter:
        self._read()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()
        ticks = sum(self._last[k] - self._first[k] for k in self._last)
        self.seconds = ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class LoadRun:
    """One measured run against one server and path."""

    generator: str
    requests: int
    seconds: float
    #: Answers by HTTP status (wrk; the Python fallback only counts errors).
    statuses: dict[str, int] = field(default_factory=dict)
    #: Non-200 answers plus socket errors.
    errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    #: CPU seconds of the server's process tree, and of the load generator, over the run.
    server_cpu_s: float = 0.0
    client_cpu_s: float | None = None

    @property
    def rps(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def cpu_us_per_request(self, seconds: float | None) -> float | None:
        """``seconds`` of CPU over the requests answered, in microseconds.

        >>> LoadRun("wrk", 1000, 2.0, server_cpu_s=0.5).cpu_us_per_request(0.5)
        500.0
        """
        if seconds is None or not self.requests:
            return None
        return seconds / self.requests * 1e6

    def as_result(self) -> dict[str, Any]:
        """The plain JSON data of the report (``rps`` and CPU per request spelled out)."""
        return {
            "generator": self.generator,
            "requests": self.requests,
            "seconds": self.seconds,
            "rps": self.rps,
            "statuses": self.statuses,
            "errors": self.errors,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "server_cpu_s": self.server_cpu_s,
            "server_cpu_us": self.cpu_us_per_request(self.server_cpu_s),
            "client_cpu_s": self.client_cpu_s,
            "client_cpu_us": self.cpu_us_per_request(self.client_cpu_s),
        }


def have_wrk() -> bool:
    """Whether wrk is installed."""
    try:
        wrk_binary()
    except FileNotFoundError:
        return False
    return True


def wrk_command(
    wrk: str, port: int, path: str, *, seconds: int, lua: str, accept: str, count: int = 0
) -> list[str]:
    """The wrk command line of one run on ``path`` of ``127.0.0.1:port`` (``count`` > 0: a
    varied path, see ``wrk_load.lua``; wrk's URL then names the first project).

    >>> wrk_command("wrk", 80, "/q?n=__N__", seconds=8, lua="l.lua", accept="text/csv", count=3)
    ... # doctest: +NORMALIZE_WHITESPACE
    ['wrk', '-t2', '-c8', '-d8s', '--timeout=60s', '-s', 'l.lua',
     'http://127.0.0.1:80/q?n=0000000', '--', 'text/csv', '/q?n=__N__', '3']
    """
    url = f"http://127.0.0.1:{port}{path.replace(NUMBER_MARK, '0' * 7)}"
    command = [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s"]
    command += [f"--timeout={WRK_TIMEOUT_S}s", "-s", lua, url, "--", accept, path]
    return command + ([str(count)] if count else [])


def _wrk(command: list[str], seconds: int) -> tuple[str, float]:
    """Run wrk; its output and its own CPU seconds (``wait4`` on it: this child alone).
    RuntimeError if it fails or does not end in time (it is then killed)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        killer = threading.Timer(seconds + WRK_TIMEOUT_S + 30, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, problem = out.read(), err.read().strip()
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}: {problem}")
    return text, usage.ru_utime + usage.ru_stime


def run_wrk(
    port: int,
    path: str,
    accept: str,
    server_pid: int,
    *,
    seconds: int,
    warmup: int,
    count: int = 0,
) -> LoadRun:
    """``warmup`` seconds of wrk on ``http://127.0.0.1:port{path}`` (not counted), then
    ``seconds`` measured, with the CPU of the server's tree read around the measured run.
    ``count`` > 0: ``path`` holds :data:`NUMBER_MARK`, replaced per request by a project number
    below ``count``.

    Raises:
        RuntimeError: wrk failed or printed no summary.
    """
    script = importlib.resources.files("jaif_kg.bench").joinpath("wrk_load.lua")
    with importlib.resources.as_file(script) as lua:

        def command(duration: int) -> list[str]:
            return wrk_command(
                wrk_binary(), port, path, seconds=duration, lua=str(lua), accept=accept, count=count
            )

        if warmup > 0:
            _wrk(command(warmup), warmup)
        with TreeMeter(server_pid) as meter:
            out, client_cpu = _wrk(command(seconds), seconds)
    return from_wrk(out, meter.seconds, client_cpu)


def from_wrk(output: str, server_cpu_s: float, client_cpu_s: float | None) -> LoadRun:
    """A :class:`LoadRun` from the output of wrk with ``wrk_load.lua``: errors are the answers
    other than 200 plus socket errors.

    >>> r = from_wrk("soak-status 200 8\\nsoak-status 503 2\\nsoak-summary 10 2000000 0 0 0 1 2\\n"
    ...              "soak-latency 900 5000 7000\\n", 0.01, None)
    >>> r.rps, r.errors, r.p99_ms, r.cpu_us_per_request(r.server_cpu_s)
    (5.0, 3, 5.0, 1000.0)

    Raises:
        RuntimeError: the output has no summary (wrk did not run the script to its end).
    """
    try:
        w = parse_wrk(output)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from exc
    non_200 = sum(n for status, n in w.statuses.items() if status != "200")
    return LoadRun(
        generator=WRK_GENERATOR,
        requests=w.requests,
        seconds=w.seconds,
        statuses=w.statuses,
        errors=non_200 + w.socket_errors,
        p50_ms=w.p50_ms,
        p99_ms=w.p99_ms,
        max_ms=w.max_ms,
        server_cpu_s=server_cpu_s,
        client_cpu_s=client_cpu_s,
    )


def run_python(
    port: int, path: str, accept: str, server_pid: int, *, seconds: int, count: int = 0
) -> LoadRun:
    """The fallback without wrk: :func:`jaif_kg.bench.http.hammer` with a request count from one
    probe (aiming at ``seconds``). A varied path (``count`` > 0) is sent with the first project
    (the Python client sends one path). The client's CPU is not measured."""
    fixed = path.replace(NUMBER_MARK, "0000000")
    headers = {"Accept": accept} if accept else {}
    requests = http.request_count(http.probe(port, fixed, headers), seconds)
    with TreeMeter(server_pid) as meter:
        result = http.hammer(port, fixed, requests, headers)
    server_cpu = meter.seconds
    label = PYTHON_GENERATOR + (", one IRI: it cannot vary it" if count else "")
    return LoadRun(
        generator=label,
        requests=result.requests,
        seconds=result.seconds,
        errors=result.errors,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        server_cpu_s=server_cpu,
    )


def measure(
    port: int,
    path: str,
    accept: str,
    server_pid: int,
    *,
    seconds: int,
    warmup: int,
    count: int = 0,
) -> LoadRun:
    """:func:`run_wrk` when wrk is installed, else :func:`run_python`."""
    if have_wrk():
        return run_wrk(port, path, accept, server_pid, seconds=seconds, warmup=warmup, count=count)
    return run_python(port, path, accept, server_pid, seconds=seconds, count=count)
