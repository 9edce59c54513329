"""``make soak``: a bounded soak test of ``jaif-kg serve`` under hostile load.

One run starts ``jaif-kg serve`` (embedded store) on a free loopback port and, for a bounded
time, puts three clients on it at once:

* **the cheap query**: ``wrk`` from ``127.0.0.1`` (2 threads, 32 connections) on an IRI lookup
  (or ``ASK {}``), counting every answer by status (``soak_status.lua``);
* **the hostile client**: Python threads from another loopback address, ``127.0.0.2`` (the
  server limits queries per client address, so the attacker must not share wrk's), sending slow
  and hostile queries round-robin: a three-way product counted, a SERVICE call, a product over
  the row cap, 10,000 nested braces, a ~0.9 MB prefixed name, a 128 MiB row built by CONCAT;
* **the /healthz poller**: one thread, one keep-alive connection, every 50 ms.

It records the resident memory of the server and of every process under it (the query workers
are forked: a zygote and the workers it forks) before, right after, and after a settle time;
prints a markdown table with a PASS or MISS per target; and always stops the server. It is a
measurement: the exit code is 0 whatever the verdicts, 1 only when something failed to run.

Every address is loopback and every loop is bounded in time and in count.

Example::

    python -m jaif_kg.bench.soak --quick --json soak.json
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import importlib.resources
import ipaddress
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from jaif_kg.bench.http import Server, free_port
from jaif_kg.bench.worker import percentile

#: Where the server listens, and the loopback address the cheap-query load (wrk) comes from.
SERVER_HOST = "127.0.0.1"
#: The hostile client's source address: another client for the server's per-address limit.
HOSTILE_HOST = "127.0.0.2"
#: Where Debian's wrk package installs it (used when ``wrk`` is not on PATH).
WRK_FALLBACK = Path("/usr/bin/wrk")
#: wrk's threads and connections.
WRK_THREADS = 2
WRK_CONNECTIONS = 32
#: A request wrk does not see answered within this time counts as a socket timeout.
WRK_TIMEOUT_S = 2
#: Interval of the /healthz poller.
POLL_INTERVAL_S = 0.05
#: The poller's own client timeout (a poll that takes longer counts as an error).
POLL_TIMEOUT_S = 5.0
#: Interval of the memory sampler while the load runs.
SAMPLE_INTERVAL_S = 0.5
#: The hostile client's per-request timeout; longer than any query the server lets run.
HOSTILE_TIMEOUT_S = 30.0
#: After an answer faster than this the attacker pauses as long: it tests query abuse, not a
#: flood of refused requests (a flood would measure the client machine's CPU, which it shares).
HOSTILE_PAUSE_S = 0.01
#: Caps on the loops, far above what a run can reach (a guard, not a limit in practice).
MAX_REQUESTS_PER_THREAD = 100_000
MAX_POLLS = 100_000
#: How long the server may take to answer /livez after it is started.
READY_TIMEOUT_S = 120.0
#: Targets: no error on the cheap query, /healthz always under this, RSS back within this.
HEALTHZ_TARGET_MS = 100.0
RSS_TARGET_FRACTION = 0.20
#: The hostile client's answers that mean "refused as designed".
EXPECTED_REFUSALS = frozenset({400, 413, 429, 503, 507})

KHM = "https://w3id.org/jaif-kg/id/country/KHM"
#: The cheap queries wrk can send.
CHEAP_QUERIES = {
    "lookup": f"SELECT * WHERE {{ <{KHM}> ?p ?o }}",
    "ask": "ASK {}",
}


def doublings(n: int) -> str:
    """A query whose one row holds ``"ab"`` doubled ``n`` times by CONCAT (``2**(n+1)`` bytes).

    >>> doublings(1)
    'SELECT ?x1 WHERE { BIND("ab" AS ?x0) BIND(CONCAT(?x0, ?x0) AS ?x1) }'
    """
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(n))
    return f'SELECT ?x{n} WHERE {{ BIND("ab" AS ?x0) {binds} }}'


#: The hostile client's queries, sent round-robin as POST forms (name: query text).
HOSTILE_QUERIES = {
    "slow-count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "service": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "over-cap-product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
    "nested-10000": "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
    # just under the default request-body limit (JAIF_MAX_BODY_BYTES), so the query is read
    "megabyte-name": "PREFIX : <http://e/> ASK { ?s ?p :" + "a." * 450_000 + "a }",
    "concat-128mib": doublings(26),
}


# --------------------------------------------------------------------------- processes and memory


@dataclass(frozen=True)
class Memory:
    """Resident memory of a process tree (the server and everything under it)."""

    rss_kb: int
    #: Proportional set size: shared pages divided among their sharers (None if unreadable).
    pss_kb: int | None
    processes: int

    @property
    def rss_mb(self) -> float:
        """Resident set size, summed over the processes, in MiB (shared pages counted in each)."""
        return self.rss_kb / 1024


def _proc_field(path: Path, name: str) -> int | None:
    """The ``kB`` value of ``name:`` in a /proc status-like file, or None."""
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return None


def _stat(pid: int | str) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` from the third on (state, parent, ...; proc(5)), or
    None when the process is gone or a zombie. The command name (field 2) may hold spaces and
    parentheses, so fields are split after its last closing parenthesis."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else fields


def start_time(pid: int) -> int | None:
    """The start time of ``pid`` (clock ticks since boot; tells a reused pid apart), or None
    when it has ended (a zombie has ended too: only its exit status is left)."""
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def _all_processes() -> dict[tuple[int, int], tuple[int, int]]:
    """Every process of the machine: (pid, start time) to (parent pid, CPU ticks so far).

    Fields 4, 14 + 15 and 22 of ``/proc/<pid>/stat`` (proc(5)); zombies are left out.
    """
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            f = _stat(entry.name)
            if f is not None:
                found[(int(entry.name), int(f[19]))] = (int(f[1]), int(f[11]) + int(f[12]))
    return found


def _tree(pid: int, procs: dict[tuple[int, int], tuple[int, int]]) -> list[int]:
    """``pid`` and its descendants among ``procs`` (breadth first; [] if ``pid`` is not there).

    >>> _tree(1, {(1, 0): (0, 0), (5, 0): (1, 0), (7, 0): (5, 0), (9, 0): (3, 0)})
    [1, 5, 7]
    """
    children: dict[int, list[int]] = {}
    for (p, _), (parent, _) in procs.items():
        children.setdefault(parent, []).append(p)
    tree = [pid] if any(p == pid for p, _ in procs) else []
    i = 0
    while i < len(tree):
        tree += children.get(tree[i], [])
        i += 1
    return tree


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants now ([] if it is gone)."""
    return _tree(pid, _all_processes())


def measure_memory(pid: int, tree: Sequence[int] | None = None) -> Memory:
    """Resident memory of ``pid`` and its descendants (VmRSS and Pss, from /proc).

    Args:
        pid: the root of the tree.
        tree: the processes, when the caller has just listed them (else listed here).
    """
    rss = 0
    pss: int | None = 0
    counted = 0
    for p in process_tree(pid) if tree is None else tree:
        one_rss = _proc_field(Path(f"/proc/{p}/status"), "VmRSS")
        one_pss = _proc_field(Path(f"/proc/{p}/smaps_rollup"), "Pss")
        if one_rss is None or (one_pss is None and start_time(p) is None):
            continue  # ended since the tree was listed (a worker killed or retired)
        rss += one_rss
        counted += 1
        pss = None if one_pss is None or pss is None else pss + one_pss
    return Memory(rss, pss, counted)


# --------------------------------------------------------------------------- wrk


@dataclass
class WrkResult:
    """What wrk measured on the cheap query (latencies cover every answer, refusals too)."""

    requests: int = 0
    seconds: float = 0.0
    #: Answers by HTTP status.
    statuses: dict[str, int] = field(default_factory=dict)
    non_2xx_3xx: int = 0
    connect_errors: int = 0
    read_errors: int = 0
    write_errors: int = 0
    timeouts: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    #: wrk's own report, as printed.
    report: str = ""

    @property
    def rps(self) -> float:
        """Requests per second (all answers)."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        """Connect, read, write errors and timeouts together."""
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    @property
    def errors(self) -> int:
        """Answers that were not 2xx or 3xx, plus socket errors."""
        return self.non_2xx_3xx + self.socket_errors


def parse_wrk(output: str) -> WrkResult:
    """Read the ``soak-*`` lines that ``soak_status.lua`` prints after wrk's report.

    >>> r = parse_wrk("Running...\\nsoak-status 200 90\\nsoak-status 429 10\\n"
    ...     "soak-summary 100 2000000 0 1 0 2 10\\nsoak-latency 1500 9000 20000\\n")
    >>> r.statuses, r.rps, r.errors, r.p50_ms, r.p99_ms
    ({'200': 90, '429': 10}, 50.0, 13, 1.5, 9.0)

    Raises:
        ValueError: the lines are missing (wrk did not run the script to its end).
    """
    result = WrkResult()
    seen = set()
    for line in output.splitlines():
        word, _, rest = line.partition(" ")
        numbers = [int(x) for x in rest.split()] if word.startswith("soak-") else []
        if word == "soak-status":
            result.statuses[str(numbers[0])] = numbers[1]
        elif word == "soak-summary":
            (requests, duration_us, *errs, result.non_2xx_3xx) = numbers
            result.requests, result.seconds = requests, duration_us / 1e6
            result.connect_errors, result.read_errors, result.write_errors, result.timeouts = errs
        elif word == "soak-latency":
            result.p50_ms, result.p99_ms, result.max_ms = (n / 1000 for n in numbers)
        else:
            continue
        seen.add(word)
    if seen != {"soak-summary", "soak-latency"} | ({"soak-status"} if result.statuses else set()):
        raise ValueError(f"wrk's output has no soak summary:\n{output[-2000:]}")
    result.statuses = dict(sorted(result.statuses.items()))
    result.report = "\n".join(ln for ln in output.splitlines() if not ln.startswith("soak-"))
    return result


def wrk_binary() -> str:
    """The path of ``wrk`` (Debian's package puts it in /usr/bin).

    Raises:
        FileNotFoundError: wrk is not installed.
    """
    found = shutil.which("wrk") or (str(WRK_FALLBACK) if WRK_FALLBACK.exists() else None)
    if not found:
        raise FileNotFoundError("wrk is not installed (Debian: apt-get install wrk; or make soak)")
    return found


def run_wrk(url: str, duration: int) -> WrkResult:
    """``wrk -t2 -c32 -d{duration}s --latency`` on ``url``, statuses counted by the Lua script.

    Raises:
        FileNotFoundError: wrk is not installed.
        RuntimeError: wrk failed or printed no summary.
    """
    script = importlib.resources.files("jaif_kg.bench").joinpath("soak_status.lua")
    with importlib.resources.as_file(script) as lua:
        command = [
            wrk_binary(),
            f"-t{WRK_THREADS}",
            f"-c{WRK_CONNECTIONS}",
            f"-d{duration}s",
            f"--timeout={WRK_TIMEOUT_S}s",
            "--latency",
            "-s",
            str(lua),
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    try:
        return parse_wrk(done.stdout)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from exc


# --------------------------------------------------------------------------- the Python clients


@dataclass
class HealthResult:
    """What the /healthz poller saw."""

    polls: int = 0
    ok: int = 0
    degraded: int = 0
    #: Other answers by status, and client errors by exception name.
    other: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    worst_ms: float = 0.0
    #: How many polls took at least the target (HEALTHZ_TARGET_MS).
    slow: int = 0


@dataclass
class HostileResult:
    """The hostile client's answers: per query, by status (or ``error:<exception>``)."""

    threads: int = 0
    by_query: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        """Answers by status (the setting named left out) over all queries."""
        total: Counter[str] = Counter()
        for counts in self.by_query.values():
            for key, n in counts.items():
                total[key.split()[0]] += n
        return dict(sorted(total.items()))

    @property
    def unexpected(self) -> dict[str, int]:
        """Answers other than a refusal by design or a 200: connection errors, 500s..."""
        return {
            k: v
            for k, v in self.totals.items()
            if not (k.isdigit() and (int(k) in EXPECTED_REFUSALS or k == "200"))
        }


def _poll_health(url: str, stop: threading.Event, deadline: float, out: HealthResult) -> None:
    """Poll ``url`` every POLL_INTERVAL_S on one keep-alive connection until ``stop``."""
    latencies: list[float] = []
    other: Counter[str] = Counter()
    with httpx.Client(timeout=POLL_TIMEOUT_S) as client:
        while not stop.is_set() and time.monotonic() < deadline and len(latencies) < MAX_POLLS:
            started = time.perf_counter()
            try:
                status = str(client.get(url).status_code)
            except httpx.HTTPError as exc:
                status = f"error:{type(exc).__name__}"
            latencies.append((time.perf_counter() - started) * 1000)
            if status == "200":
                out.ok += 1
            elif status == "503":
                out.degraded += 1
            else:
                other[status] += 1
            stop.wait(max(0.0, POLL_INTERVAL_S - (time.perf_counter() - started)))
    out.polls = len(latencies)
    out.other = dict(sorted(other.items()))
    out.p50_ms = percentile(latencies, 0.5)
    out.p99_ms = percentile(latencies, 0.99)
    out.worst_ms = max(latencies, default=0.0)
    out.slow = sum(1 for t in latencies if t >= HEALTHZ_TARGET_MS)


def answer_key(response: httpx.Response) -> str:
    """The status, with the server setting its message names when there is one (which limit
    refused it: ``503 JAIF_QUERY_TIMEOUT`` is not ``503 JAIF_QUEUE_LIMIT``).

    >>> answer_key(httpx.Response(429, text="... (the limit is 4, JAIF_CLIENT_QUERIES); wait"))
    '429 JAIF_CLIENT_QUERIES'
    >>> answer_key(httpx.Response(400, text="SERVICE is not supported"))
    '400'
    """
    found = re.search(r"JAIF_[A-Z_]+", response.text[:2000])
    return f"{response.status_code} {found.group()}" if found else str(response.status_code)


def _attack(url: str, first: int, deadline: float, out: dict[str, Counter[str]]) -> None:
    """Send the hostile queries round-robin (starting at ``first``) from HOSTILE_HOST."""
    names = list(HOSTILE_QUERIES)
    bodies = {n: urllib.parse.urlencode({"query": q}).encode() for n, q in HOSTILE_QUERIES.items()}
    headers = {"content-type": "application/x-www-form-urlencoded"}
    transport = httpx.HTTPTransport(local_address=HOSTILE_HOST)
    with httpx.Client(transport=transport, timeout=HOSTILE_TIMEOUT_S) as client:
        for i in range(first, first + MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            name = names[i % len(names)]
            started = time.perf_counter()
            try:
                status = answer_key(client.post(url, content=bodies[name], headers=headers))
            except httpx.HTTPError as exc:
                status = f"error:{type(exc).__name__}"
            out[name][status] += 1
            if time.perf_counter() - started < HOSTILE_PAUSE_S:
                time.sleep(HOSTILE_PAUSE_S)


def _machine_counters() -> tuple[int, int]:
    """Clock ticks all CPUs spent not idle, and processes created, since boot (``/proc/stat``)."""
    busy = forks = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/stat").read_text(encoding="ascii").splitlines():
            if line.startswith("cpu "):
                cpu = [int(x) for x in line.split()[1:]]
                busy = sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait
            elif line.startswith("processes "):
                forks = int(line.split()[1])
    return busy, forks


@dataclass
class CpuUse:
    """Where the CPU went while the load ran, in CPU seconds per second of wall time.

    Processes are read every SAMPLE_INTERVAL_S, so the CPU of a process after its last reading
    (a worker killed at the time limit, a short-lived one) is missed: ``workers`` and ``others``
    are lower bounds, and what nobody was seen using is ``unattributed``.
    """

    wall_s: float = 0.0
    #: Every CPU of the machine together (2.0 = both of two cores busy all the time).
    machine: float = 0.0
    #: The server process: uvicorn's event loop, HTTP parsing, admission.
    server: float = 0.0
    #: The query workers and their zygote.
    workers: float = 0.0
    #: wrk, and this process (the hostile client, the /healthz poller, the sampler): exact.
    wrk: float = 0.0
    clients: float = 0.0
    #: Everything else on the machine (other users' work, kernel threads).
    others: float = 0.0
    #: Processes (and threads) created on the whole machine while the load ran.
    forks: int = 0
    #: Distinct query worker processes seen under the server (read every SAMPLE_INTERVAL_S).
    workers_seen: int = 0

    @property
    def unattributed(self) -> float:
        """Busy CPU that no reading accounts for (mostly workers that ended between readings).

        >>> CpuUse(machine=2.0, server=0.5, workers=1.0, wrk=0.2, clients=0.1).unattributed
        0.2
        """
        seen = self.server + self.workers + self.wrk + self.clients + self.others
        return round(max(0.0, self.machine - seen), 2)


class _Sampler:
    """Reads the machine's processes: the server tree's memory, CPU per process, pids seen."""

    def __init__(self, pid: int, result: SoakResult) -> None:
        self.pid = pid
        self.result = result
        self.samples: list[tuple[float, Memory]] = []
        #: CPU ticks per (pid, start time) at its first and its last reading, and its role.
        self.first: dict[tuple[int, int], int] = {}
        self.last: dict[tuple[int, int], int] = {}
        self.role: dict[tuple[int, int], str] = {}
        self.started = time.monotonic()
        self.machine, self.forks = _machine_counters()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.lock = threading.RLock()  # the sampling thread and the main thread both sample

    def sample(self) -> Memory:
        """Read the processes once (the tree's memory is kept as a sample); return that memory."""
        with self.lock:
            return self._sample()

    def _sample(self) -> Memory:
        procs = _all_processes()
        tree = _tree(self.pid, procs)
        in_tree, me = set(tree), os.getpid()
        for key, (parent, ticks) in procs.items():
            p = key[0]
            if p == self.pid:
                role = "server"
            elif p in in_tree:
                role = "workers"
                _remember(self.result, p)
            elif p == me or parent == me:
                continue  # this process and wrk: measured exactly by getrusage
            else:
                role = "others"
            # a process first read after the first sample began within the window: all counts
            self.first.setdefault(key, ticks if not self.samples else 0)
            self.last[key] = ticks
            self.role[key] = role
        memory = measure_memory(self.pid, tree)
        self.samples.append((time.monotonic() - self.started, memory))
        return memory

    def run(self, stop: threading.Event) -> None:
        """Sample every SAMPLE_INTERVAL_S until ``stop``."""
        while not stop.wait(SAMPLE_INTERVAL_S) and len(self.samples) < MAX_POLLS:
            self.sample()

    def cpu(self, wrk_s: float, clients_s: float) -> CpuUse:
        """CPU use from the first sample to now, per second of wall time (a fresh sample)."""
        with self.lock:
            self._sample()
            wall = time.monotonic() - self.started
            used: dict[str, float] = {"server": 0.0, "workers": 0.0, "others": 0.0}
            for key, ticks in self.last.items():
                used[self.role[key]] += (ticks - self.first[key]) / self.tick
        busy, forks = _machine_counters()
        per = 1 / wall if wall else 0.0
        return CpuUse(
            wall_s=round(wall, 2),
            machine=round((busy - self.machine) / self.tick * per, 2),
            server=round(used["server"] * per, 2),
            workers=round(used["workers"] * per, 2),
            wrk=round(wrk_s * per, 2),
            clients=round(clients_s * per, 2),
            others=round(used["others"] * per, 2),
            forks=forks - self.forks,
            workers_seen=sum(1 for role in self.role.values() if role == "workers"),
        )


# --------------------------------------------------------------------------- the run


@dataclass
class Target:
    """One target, what was measured, and whether it was met."""

    name: str
    measured: str
    #: None: not applicable to this run (no hostile client).
    met: bool | None


@dataclass
class SoakResult:
    """Everything one soak run measured."""

    started_at: str
    duration_s: int
    settle_s: float
    cheap_query: str
    #: Settings given to the server through the environment (JAIF_*), inherited or added.
    server_env: dict[str, str]
    server_pid: int = 0
    wrk: WrkResult = field(default_factory=WrkResult)
    hostile: HostileResult = field(default_factory=HostileResult)
    health: HealthResult = field(default_factory=HealthResult)
    memory_before: Memory | None = None
    memory_after: Memory | None = None
    memory_settled: Memory | None = None
    memory_peak_rss_kb: int = 0
    memory_peak_pss_kb: int = 0
    memory_peak_processes: int = 0
    #: (seconds since the load began, RSS MiB, PSS MiB, processes), every SAMPLE_INTERVAL_S.
    memory_samples: list[tuple[float, float, float, int]] = field(default_factory=list)
    cpu: CpuUse = field(default_factory=CpuUse)
    #: Every process seen under the server (pid, start time), to check none outlives it.
    processes_seen: list[tuple[int, int]] = field(default_factory=list)
    #: Processes still alive after the server was stopped (then killed by the soak).
    left_behind: list[int] = field(default_factory=list)
    #: Lines of the server's log other than uvicorn's INFO, digits masked, with counts.
    server_log: dict[str, int] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def _wait_ready(server: Server, started: float, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll /livez until it answers 200 (/healthz when the server has no /livez)."""
    assert server.process is not None
    paths = ["/livez", "/healthz"]
    while time.perf_counter() - started < timeout:
        if server.process.poll() is not None:
            raise RuntimeError(f"jaif-kg serve exited with {server.process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(SERVER_HOST, server.port, timeout=5)
            try:
                conn.request("GET", paths[0])
                status = conn.getresponse().status
            finally:
                conn.close()
            if status == 200:
                server.startup_s = time.perf_counter() - started
                return
            if status == 404 and len(paths) > 1:
                paths.pop(0)
        time.sleep(0.05)
    raise TimeoutError(f"jaif-kg serve did not answer within {timeout:g} s")


class _SoakServer(Server):
    """``jaif-kg serve`` as :class:`~jaif_kg.bench.http.Server` runs it, ready on /livez."""

    def wait_ready(self, started: float, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait for /livez (fallback /healthz) to answer 200."""
        _wait_ready(self, started, timeout)


def _jaif_kg() -> str:
    here = Path(sys.executable).parent / "jaif-kg"
    found = str(here) if here.exists() else shutil.which("jaif-kg")
    if not found:
        raise FileNotFoundError("jaif-kg is not installed (make install)")
    return found


def _read_log(path: Path) -> dict[str, int]:
    """The server log's notable lines (not uvicorn's INFO, not the start-up banner), digits
    masked so that one message repeated for many workers counts as one line."""
    notes: Counter[str] = Counter()
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.strip() or line.startswith(("INFO:", "jaif-kg: ")):
                continue
            notes[re.sub(r"\d+", "N", line.strip())[:200]] += 1
    return dict(notes.most_common(20))


def _stop(server: Server, result: SoakResult) -> None:
    """Stop the server and make sure nothing under it outlives it.

    A process still alive 5 s after the server ended is listed in ``left_behind`` and killed
    (by pid, checked against its start time so that a reused pid is never hit).
    """
    if server.process is not None:
        for pid in process_tree(server.process.pid):
            _remember(result, pid)
    server.__exit__(None, None, None)
    deadline = time.monotonic() + 5
    alive = result.processes_seen
    while time.monotonic() < deadline:
        alive = [(p, t) for p, t in result.processes_seen if start_time(p) == t]
        if not alive:
            return
        time.sleep(0.1)
    result.left_behind = [p for p, _ in alive]
    for pid, started in alive:
        if start_time(pid) == started:  # still that process, not a reused pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _remember(result: SoakResult, pid: int) -> None:
    started = start_time(pid)
    if started is not None and (pid, started) not in result.processes_seen:
        result.processes_seen.append((pid, started))


def _check_loopback(*hosts: str) -> None:
    for host in hosts:
        if not ipaddress.ip_address(host).is_loopback:  # never aim load off this machine
            raise ValueError(f"{host} is not a loopback address")


def run(
    duration: int = 30,
    *,
    settle: float = 5.0,
    cheap: str = "lookup",
    hostile_threads: int = 6,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> SoakResult:
    """Start the server, load it for ``duration`` seconds, measure, stop it; return the numbers.

    Args:
        duration: seconds of load (wrk's ``-d``; the hostile client stops sending then).
        settle: seconds of rest before the last memory reading.
        cheap: the cheap query wrk sends, a key of :data:`CHEAP_QUERIES`.
        hostile_threads: concurrent requests of the hostile client (over the server's
            per-client limit, so that it is refused too).
        env: ``JAIF_*`` settings for the server, on top of the inherited environment.
        log: file for the server's output (default: a temporary file, removed after).

    Raises:
        FileNotFoundError: wrk or jaif-kg is not installed.
        RuntimeError: the server did not start or answer, or wrk failed.
    """
    _check_loopback(SERVER_HOST, HOSTILE_HOST)
    wrk_binary()  # fail before starting anything
    settings = {"JAIF_QUERY_TIMEOUT": "5", **(env or {})}
    server_env = {k: v for k, v in os.environ.items() if k.startswith("JAIF_")} | settings
    result = SoakResult(
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=duration,
        settle_s=settle,
        cheap_query=CHEAP_QUERIES[cheap],
        server_env=dict(sorted(server_env.items())),
        hostile=HostileResult(threads=hostile_threads),
    )
    with tempfile.TemporaryDirectory(prefix="jaif-soak-") as tmp:
        log = log or Path(tmp) / "server.log"
        port = free_port()
        server = _SoakServer(
            "jaif-kg",
            [_jaif_kg(), "serve", "--host", SERVER_HOST, "--port", str(port)],
            port,
            "/livez",
            env=settings,
            log=log,
        )
        try:
            with contextlib.ExitStack() as stack:
                stack.callback(_stop, server, result)
                server.__enter__()  # stopped by _stop, whatever happens from here
                assert server.process is not None
                result.server_pid = server.process.pid
                _load(server, result, duration, settle)
        finally:
            result.server_log = _read_log(log)
    result.targets = targets(result)
    return result


def _load(server: Server, result: SoakResult, duration: int, settle: float) -> None:
    base = f"http://{SERVER_HOST}:{server.port}"
    sparql = f"{base}/sparql"
    cheap_url = f"{sparql}?query={urllib.parse.quote(result.cheap_query, safe='')}"
    pid = result.server_pid
    warm = httpx.get(cheap_url, timeout=30)
    if warm.status_code != 200:
        raise RuntimeError(f"the cheap query answered {warm.status_code}: {warm.text[:200]}")
    result.memory_before = measure_memory(pid)
    for p in process_tree(pid):
        _remember(result, p)

    stop = threading.Event()
    deadline = time.monotonic() + duration
    hard_stop = deadline + HOSTILE_TIMEOUT_S + 30  # the pollers' bound if wrk hangs
    hostile: list[dict[str, Counter[str]]] = []
    sampler = _Sampler(pid, result)
    sampler.sample()
    own = resource.getrusage(resource.RUSAGE_SELF)
    threads = [
        threading.Thread(
            target=_poll_health, args=(f"{base}/healthz", stop, hard_stop, result.health)
        ),
        threading.Thread(target=sampler.run, args=(stop,)),
    ]
    for i in range(result.hostile.threads):
        counts: dict[str, Counter[str]] = {name: Counter() for name in HOSTILE_QUERIES}
        hostile.append(counts)
        threads.append(threading.Thread(target=_attack, args=(sparql, i, deadline, counts)))
    for t in threads:
        t.start()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk's CPU, once it is waited for
    try:
        result.wrk = run_wrk(cheap_url, duration)
        # CPU over the load itself: from its start to wrk's end
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        after_own = resource.getrusage(resource.RUSAGE_SELF)
        result.cpu = sampler.cpu(
            after_children.ru_utime
            + after_children.ru_stime
            - children.ru_utime
            - children.ru_stime,
            after_own.ru_utime + after_own.ru_stime - own.ru_utime - own.ru_stime,
        )
    finally:
        for t in threads[2:]:
            t.join(max(0.0, hard_stop - time.monotonic()))
        stop.set()
        for t in threads[:2]:
            t.join(10)
    result.memory_after = sampler.sample()
    time.sleep(settle)
    result.memory_settled = measure_memory(pid)

    for counts in hostile:
        for name, by_status in counts.items():
            merged = result.hostile.by_query.setdefault(name, {})
            for status, n in by_status.items():
                merged[status] = merged.get(status, 0) + n
    result.hostile.by_query = {
        n: dict(sorted(c.items())) for n, c in result.hostile.by_query.items()
    }
    samples = sampler.samples
    result.memory_samples = [
        (round(t, 2), round(m.rss_mb, 1), round((m.pss_kb or 0) / 1024, 1), m.processes)
        for t, m in samples
    ]
    result.memory_peak_rss_kb = max((m.rss_kb for _, m in samples), default=0)
    result.memory_peak_pss_kb = max((m.pss_kb or 0 for _, m in samples), default=0)
    result.memory_peak_processes = max((m.processes for _, m in samples), default=0)


# --------------------------------------------------------------------------- verdicts and report


def _statuses(counts: dict[str, int]) -> str:
    """``'200: 5, 429: 1,203'`` (or ``'none'``).

    >>> _statuses({"200": 5, "429": 1203})
    '200: 5, 429: 1,203'
    """
    return ", ".join(f"{k}: {v:,}" for k, v in counts.items()) or "none"


def _mb(memory: Memory | None) -> str:
    if memory is None:
        return "n/a"
    pss = f", PSS {memory.pss_kb / 1024:.0f} MiB" if memory.pss_kb is not None else ""
    return f"{memory.rss_mb:.0f} MiB ({memory.processes} processes{pss})"


def targets(result: SoakResult) -> list[Target]:
    """The verdicts: no error on the cheap query, /healthz always under 100 ms, memory back
    within 20 % of its start after the settle time, and the hostile client refused, never cut."""
    w, h = result.wrk, result.health
    before, settled = result.memory_before, result.memory_settled
    grown = (settled.rss_kb - before.rss_kb) / before.rss_kb if before and settled else None
    return [
        Target(
            "0 errors on the cheap query",
            f"{w.errors:,} of {w.requests:,} ({w.non_2xx_3xx:,} non-2xx/3xx, "
            f"{w.socket_errors:,} socket errors)",
            w.requests > 0 and w.errors == 0,
        ),
        Target(
            f"/healthz < {HEALTHZ_TARGET_MS:g} ms throughout",
            f"worst {h.worst_ms:.1f} ms; {h.slow:,} of {h.polls:,} polls at or over",
            h.polls > 0 and h.worst_ms < HEALTHZ_TARGET_MS and not h.other,
        ),
        Target(
            f"RSS back within {RSS_TARGET_FRACTION:.0%} of its start after {result.settle_s:g} s",
            "n/a" if grown is None else f"{grown:+.1%}",
            grown is not None and abs(grown) <= RSS_TARGET_FRACTION,
        ),
        Target(
            "hostile client: refused as designed, no connection error or other status",
            _statuses(result.hostile.unexpected) if result.hostile.unexpected else "none other",
            None if not result.hostile.threads else not result.hostile.unexpected,
        ),
    ]


#: The first column of every row of the main table (tests check that each is printed).
ROWS = (
    "cheap query",
    "wrk requests/s",
    "wrk errors",
    "wrk answers by status",
    "cheap query latency p50 / p99 / max",
    "hostile client answers",
    "/healthz polls",
    "/healthz latency p50 / p99 / worst",
    "memory before",
    "memory right after",
    "memory after settle",
    "memory peak during load",
    "CPU during load (CPU s per s)",
    "processes started during load",
)


def render(result: SoakResult) -> str:
    """The markdown report: the measurements, the hostile client per query, the targets."""
    w, h, hs, c = result.wrk, result.health, result.hostile, result.cpu
    values = [
        f"`{result.cheap_query}`, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
        f"-d{result.duration_s}s from {SERVER_HOST}",
        f"{w.rps:,.0f} ({w.requests:,} requests in {w.seconds:.1f} s)",
        f"{w.errors:,}: {w.non_2xx_3xx:,} non-2xx/3xx; socket: connect {w.connect_errors}, "
        f"read {w.read_errors}, write {w.write_errors}, timeout {w.timeouts}",
        _statuses(w.statuses),
        f"{w.p50_ms:.2f} / {w.p99_ms:.2f} / {w.max_ms:.2f} ms (all answers, refusals included)",
        f"{_statuses(hs.totals)} ({hs.threads} threads from {HOSTILE_HOST})",
        f"{h.polls:,}: ok {h.ok:,}, degraded (503) {h.degraded:,}"
        + (f", other {_statuses(h.other)}" if h.other else ""),
        f"{h.p50_ms:.1f} / {h.p99_ms:.1f} / {h.worst_ms:.1f} ms",
        _mb(result.memory_before),
        _mb(result.memory_after),
        f"{_mb(result.memory_settled)}, after {result.settle_s:g} s of rest",
        f"{result.memory_peak_rss_kb / 1024:.0f} MiB RSS, "
        f"{result.memory_peak_pss_kb / 1024:.0f} MiB PSS, "
        f"{result.memory_peak_processes} processes at most",
        f"machine {c.machine:.2f} of {os.cpu_count()} cores: server process {c.server:.2f}, "
        f"query workers >= {c.workers:.2f}, wrk {c.wrk:.2f}, Python clients {c.clients:.2f}, "
        f"other processes >= {c.others:.2f}, unattributed {c.unattributed:.2f}",
        f"{c.forks:,} on the whole machine ({c.forks / c.wall_s if c.wall_s else 0:,.0f}/s); "
        f"{c.workers_seen:,} distinct processes under the server seen "
        f"(read every {SAMPLE_INTERVAL_S:g} s: short-lived ones are missed)",
    ]
    lines = [
        f"Soak of `jaif-kg serve` (embedded store), {result.started_at}, "
        f"{result.duration_s} s of load; server settings: "
        + (", ".join(f"{k}={v}" for k, v in result.server_env.items()) or "defaults"),
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in zip(ROWS, values, strict=True)),
        "",
        "| hostile query | answers |",
        "|---|---|",
        *(f"| {name} | {_statuses(c)} |" for name, c in hs.by_query.items()),
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {t.name} | {t.measured} | {_verdict(t.met)} |" for t in result.targets),
    ]
    if result.server_log:
        lines += ["", "Server log (other than INFO; digits shown as N):", ""]
        lines += [f"- {n:,} x `{line}`" for line, n in result.server_log.items()]
    if result.left_behind:
        lines += [
            "",
            f"Processes left behind after the server stopped (killed): {result.left_behind}",
        ]
    return "\n".join(lines)


def _verdict(met: bool | None) -> str:
    """PASS, MISS, or n/a.

    >>> _verdict(True), _verdict(False), _verdict(None)
    ('PASS', 'MISS', 'n/a')
    """
    return "n/a" if met is None else "PASS" if met else "MISS"


def to_json(result: SoakResult) -> dict[str, object]:
    """The result as plain JSON data, with the derived figures (req/s, totals) spelled out."""
    data = dataclasses.asdict(result)
    data["wrk"] |= {"rps": result.wrk.rps, "errors": result.wrk.errors}
    data["hostile"] |= {"totals": result.hostile.totals, "unexpected": result.hostile.unexpected}
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jaif_kg.bench.soak``: run, print the table, write JSON; 1 if it could not run."""
    p = argparse.ArgumentParser(
        prog="python -m jaif_kg.bench.soak",
        description="A bounded soak test of jaif-kg serve under hostile load (make soak).",
    )
    p.add_argument("--duration", type=int, default=30, help="seconds of load (default 30)")
    p.add_argument("--quick", action="store_true", help="10 s of load")
    p.add_argument("--settle", type=float, default=5.0, help="seconds before the last reading")
    p.add_argument("--cheap", choices=sorted(CHEAP_QUERIES), default="lookup")
    p.add_argument(
        "--hostile-threads", type=int, default=6, help="0: no hostile client (a baseline)"
    )
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="JAIF_NAME=VALUE",
        help="a server setting (repeatable); JAIF_QUERY_TIMEOUT defaults to 5",
    )
    p.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = p.parse_args(argv)
    duration = 10 if args.quick else args.duration
    env = {}
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep or not name.startswith("JAIF_"):
            p.error(f"--env wants JAIF_NAME=VALUE, got {item!r}")
        env[name] = value
    if duration < 1 or not 0 <= args.settle <= 600 or not 0 <= args.hostile_threads <= 64:
        p.error("--duration >= 1, 0 <= --settle <= 600, 0 <= --hostile-threads <= 64")
    try:
        result = run(
            duration,
            settle=args.settle,
            cheap=args.cheap,
            hostile_threads=args.hostile_threads,
            env=env,
        )
    except (OSError, RuntimeError, subprocess.SubprocessError, httpx.HTTPError) as exc:
        print(f"soak: could not run: {exc}", file=sys.stderr)
        return 1
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(to_json(result), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
