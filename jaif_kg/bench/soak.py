"""``make soak``: a bounded soak test of ``jaif-kg serve`` under hostile load (docs/SOAK.md).

``jaif-kg serve`` (embedded store, the ``JAIF_*`` environment, ``JAIF_QUERY_TIMEOUT`` 5 unless
set) starts on a free loopback port; for a bounded time, wrk (``soak_status.lua`` counts answers
by status) sends a cheap query from 127.0.0.1, a hostile client sends slow and hostile queries
from 127.0.0.2 (the server limits queries per client address) and /healthz is polled. The memory
of the server's process tree (server, zygote, query workers) is read before, during (peak), right
after and after a settle time; markdown tables end with a PASS or MISS per target; the server is
always stopped, and no process of its tree may outlive it. Exit code 0 whatever the verdicts, 1
when something failed to run. Only loopback addresses; every loop is bounded.

Example: ``python -m jaif_kg.bench.soak --quick --json soak.json``
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.resources
import ipaddress
import json
import os
import re
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

from jaif_kg.bench.http import Server, free_port, tool_path
from jaif_kg.bench.worker import percentile

#: Where the server listens and wrk connects from; the hostile client's own address.
SERVER_HOST = "127.0.0.1"
HOSTILE_HOST = "127.0.0.2"
#: Where Debian's wrk package installs it (used when ``wrk`` is not on PATH).
WRK_FALLBACK = Path("/usr/bin/wrk")
WRK_THREADS = 2
WRK_CONNECTIONS = 32
#: A request wrk does not see answered within this time counts as a socket timeout.
WRK_TIMEOUT_S = 2
POLL_INTERVAL_S = 0.05
POLL_TIMEOUT_S = 5.0
SAMPLE_INTERVAL_S = 0.5
#: The hostile client's threads: more than the server's per-client limit, so it is refused too.
HOSTILE_THREADS = 6
#: The hostile client's per-request timeout; longer than any query the server lets run.
HOSTILE_TIMEOUT_S = 30.0
#: After an answer faster than this the attacker pauses as long: it tests query abuse, not a
#: flood of refused requests (which would measure the CPU the client shares with the server).
HOSTILE_PAUSE_S = 0.01
#: The bound of every loop, far above what a run can reach.
MAX_LOOPS = 100_000
#: Targets: /healthz always under this, RSS back within this fraction after the settle time.
HEALTHZ_TARGET_MS = 100.0
RSS_TARGET_FRACTION = 0.20
#: The hostile client's answers that mean "refused as designed".
EXPECTED_REFUSALS = frozenset({400, 413, 429, 503, 507})

CHEAP_QUERY = "SELECT * WHERE { <https://w3id.org/jaif-kg/id/country/KHM> ?p ?o }"


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


@dataclass(frozen=True)
class Memory:
    """Memory of a process tree: RSS (shared pages counted in each process) and PSS (shared
    pages divided among their sharers; None if unreadable), in kB, summed over the processes."""

    rss_kb: int
    pss_kb: int | None
    processes: int


def proc_stat(pid: int | str) -> list[str] | None:
    """``/proc/<pid>/stat`` from its third field on (state, parent, ...; proc(5)), or None for
    a process gone or a zombie. Split after the last ``)``: the command name may hold spaces."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else fields


def start_time(pid: int) -> int | None:
    """The start time of ``pid`` (tells a reused pid apart), or None when it has ended."""
    fields = proc_stat(pid)
    return int(fields[19]) if fields else None


def _tree(pid: int, parents: dict[int, int]) -> list[int]:
    """``pid`` and its descendants, given every process's parent ([] if ``pid`` is not there).

    >>> _tree(1, {1: 0, 5: 1, 7: 5, 9: 3})
    [1, 5, 7]
    """
    tree = [pid] if pid in parents else []
    for p in tree:  # grows as it is read (breadth first); no pid is added twice
        tree += [c for c, parent in parents.items() if parent == p and c not in tree]
    return tree


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants now ([] if it is gone)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := proc_stat(entry.name)) is not None:
            parents[int(entry.name)] = int(fields[1])
    return _tree(pid, parents)


def status_kb(path: str, name: str) -> int | None:
    """The ``kB`` value of ``name:`` in a /proc status-like file, or None."""
    with contextlib.suppress(OSError):
        for line in Path(path).read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return None


def _peak(samples: Sequence[Memory]) -> Memory:
    """The largest of each figure over ``samples``.

    >>> _peak([Memory(10, 4, 2), Memory(8, None, 3)])
    Memory(rss_kb=10, pss_kb=4, processes=3)
    """
    pss = [m.pss_kb for m in samples if m.pss_kb is not None]
    return Memory(
        max(m.rss_kb for m in samples), max(pss, default=None), max(m.processes for m in samples)
    )


@dataclass
class WrkResult:
    """What wrk measured on the cheap query (latencies cover every answer, refusals too)."""

    requests: int = 0
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    non_2xx_3xx: int = 0
    #: Socket errors by kind: connect, read, write, timeout.
    socket: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(self.socket.values())

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
            result.socket = dict(zip(("connect", "read", "write", "timeout"), errs, strict=True))
        elif word == "soak-latency":
            result.p50_ms, result.p99_ms, result.max_ms = (n / 1000 for n in numbers)
        else:
            continue
        seen.add(word)
    if seen != {"soak-summary", "soak-latency"} | ({"soak-status"} if result.statuses else set()):
        raise ValueError(f"wrk's output has no soak summary:\n{output[-2000:]}")
    result.statuses = dict(sorted(result.statuses.items()))
    return result


def wrk_binary() -> str:
    """The path of ``wrk``; FileNotFoundError when it is not installed."""
    found = shutil.which("wrk") or (str(WRK_FALLBACK) if WRK_FALLBACK.exists() else None)
    if not found:
        raise FileNotFoundError("wrk is not installed (Debian: apt-get install wrk; or make soak)")
    return found


def run_wrk(url: str, duration: int) -> WrkResult:
    """``wrk -t2 -c32 -d{duration}s`` on ``url``; RuntimeError if it fails or prints no summary."""
    script = importlib.resources.files("jaif_kg.bench").joinpath("soak_status.lua")
    with importlib.resources.as_file(script) as lua:
        command = [wrk_binary(), f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration}s"]
        command += [f"--timeout={WRK_TIMEOUT_S}s", "--latency", "-s", str(lua), url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    try:
        return parse_wrk(done.stdout)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from exc


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
    #: Polls that took at least HEALTHZ_TARGET_MS.
    slow: int = 0


@dataclass
class HostileResult:
    """The hostile client's answers: per query, by status (or ``error:<exception>``)."""

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
        ok = {str(s) for s in EXPECTED_REFUSALS | {200}}
        return {k: v for k, v in self.totals.items() if k not in ok}


def _poll_health(url: str, stop: threading.Event, deadline: float, out: HealthResult) -> None:
    """Poll ``url`` every POLL_INTERVAL_S on one keep-alive connection until ``stop``."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    with httpx.Client(timeout=POLL_TIMEOUT_S) as client:
        while not stop.is_set() and time.monotonic() < deadline and len(latencies) < MAX_LOOPS:
            started = time.perf_counter()
            try:
                status = str(client.get(url).status_code)
            except httpx.HTTPError as exc:
                status = f"error:{type(exc).__name__}"
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
            stop.wait(max(0.0, POLL_INTERVAL_S - (time.perf_counter() - started)))
    out.polls, out.ok, out.degraded = len(latencies), statuses.pop("200", 0), statuses.pop("503", 0)
    out.other = dict(sorted(statuses.items()))
    out.p50_ms = percentile(latencies, 0.5)
    out.p99_ms = percentile(latencies, 0.99)
    out.worst_ms = max(latencies, default=0.0)
    out.slow = sum(1 for t in latencies if t >= HEALTHZ_TARGET_MS)


def answer_key(response: httpx.Response) -> str:
    """The status, with the server setting its message names, if any (which limit refused it).

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
        for i in range(first, first + MAX_LOOPS):
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


@dataclass
class Target:
    """One target, what was measured, and whether it was met."""

    name: str
    measured: str
    met: bool


@dataclass
class SoakResult:
    """Everything one soak run measured."""

    started_at: str
    duration_s: int
    settle_s: float
    #: The server's JAIF_* settings, inherited or defaulted.
    server_env: dict[str, str]
    server_pid: int = 0
    wrk: WrkResult = field(default_factory=WrkResult)
    hostile: HostileResult = field(default_factory=HostileResult)
    health: HealthResult = field(default_factory=HealthResult)
    memory_before: Memory | None = None
    memory_after: Memory | None = None
    memory_settled: Memory | None = None
    #: The largest RSS, PSS and process count read (every SAMPLE_INTERVAL_S) during the load.
    memory_peak: Memory | None = None
    #: Every process seen under the server (pid, start time), to check none outlives it.
    processes_seen: list[tuple[int, int]] = field(default_factory=list)
    #: Processes still alive after the server was stopped (then killed by the soak).
    left_behind: list[int] = field(default_factory=list)
    #: Lines of the server's log other than uvicorn's INFO, digits masked, with counts.
    server_log: dict[str, int] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def _sample(result: SoakResult) -> Memory:
    """VmRSS and Pss (from /proc) summed over the server's process tree now; each process is
    remembered (pid, start time) for the final check that none outlives the server."""
    rss, pss, counted, pss_known = 0, 0, 0, True
    for pid in process_tree(result.server_pid):
        started, one_rss = start_time(pid), status_kb(f"/proc/{pid}/status", "VmRSS")
        if started is None or one_rss is None:
            continue  # ended since the tree was listed
        if (pid, started) not in result.processes_seen:
            result.processes_seen.append((pid, started))
        one_pss = status_kb(f"/proc/{pid}/smaps_rollup", "Pss")
        rss, pss, counted = rss + one_rss, pss + (one_pss or 0), counted + 1
        pss_known = pss_known and one_pss is not None
    return Memory(rss, pss if pss_known else None, counted)


def _sampler(result: SoakResult, stop: threading.Event, out: list[Memory]) -> None:
    for _ in range(MAX_LOOPS):
        out.append(_sample(result))
        if stop.wait(SAMPLE_INTERVAL_S):
            return


def _read_log(path: Path) -> dict[str, int]:
    """The server log's notable lines (not uvicorn's INFO, not the banner), digits masked so
    that one message repeated for many workers counts once."""
    notes: Counter[str] = Counter()
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip() and not line.startswith(("INFO:", "jaif-kg: ")):
                notes[re.sub(r"\d+", "N", line.strip())[:200]] += 1
    return dict(notes.most_common(20))


def _stop(server: Server, result: SoakResult) -> None:
    """Stop the server; a process of its tree still alive 5 s later is listed in
    ``left_behind`` and killed (if its start time shows the pid was not reused)."""
    if result.server_pid:
        _sample(result)
    server.__exit__(None, None, None)
    alive = result.processes_seen
    for _ in range(50):
        alive = [(p, t) for p, t in result.processes_seen if start_time(p) == t]
        if not alive:
            return
        time.sleep(0.1)
    result.left_behind = [p for p, _ in alive]
    for pid, started in alive:
        if start_time(pid) == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def run(duration: int = 30, *, settle: float = 10.0) -> SoakResult:
    """Start the server, load it for ``duration`` seconds, measure, stop it; return the numbers.

    Raises:
        FileNotFoundError: wrk or jaif-kg is not installed.
        RuntimeError: the server did not start or answer, or wrk failed.
    """
    for host in (SERVER_HOST, HOSTILE_HOST):
        if not ipaddress.ip_address(host).is_loopback:  # never aim load off this machine
            raise ValueError(f"{host} is not a loopback address")
    wrk_binary()  # fail before starting anything
    inherited = {k: v for k, v in os.environ.items() if k.startswith("JAIF_")}
    settings = dict(sorted(({"JAIF_QUERY_TIMEOUT": "5"} | inherited).items()))
    result = SoakResult(
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=duration,
        settle_s=settle,
        server_env=settings,
    )
    with tempfile.TemporaryDirectory(prefix="jaif-soak-") as tmp:
        log = Path(tmp) / "server.log"
        port = free_port()
        command = [tool_path("jaif-kg"), "serve", "--host", SERVER_HOST, "--port", str(port)]
        server = Server("jaif-kg", command, port, "/livez", env=settings, log=log)
        try:
            server.__enter__()
            assert server.process is not None
            result.server_pid = server.process.pid
            _load(port, result, duration, settle)
        finally:
            _stop(server, result)
            result.server_log = _read_log(log)
    result.targets = targets(result)
    return result


def _load(port: int, result: SoakResult, duration: int, settle: float) -> None:
    base = f"http://{SERVER_HOST}:{port}"
    cheap_url = f"{base}/sparql?query={urllib.parse.quote(CHEAP_QUERY, safe='')}"
    warm = httpx.get(cheap_url, timeout=30)
    if warm.status_code != 200:
        raise RuntimeError(f"the cheap query answered {warm.status_code}: {warm.text[:200]}")
    result.memory_before = _sample(result)

    stop = threading.Event()
    deadline = time.monotonic() + duration
    hard_stop = deadline + HOSTILE_TIMEOUT_S + 30  # the bound of every thread if wrk hangs
    samples: list[Memory] = []
    hostile = [{name: Counter[str]() for name in HOSTILE_QUERIES} for _ in range(HOSTILE_THREADS)]
    watchers = [
        threading.Thread(
            target=_poll_health, args=(f"{base}/healthz", stop, hard_stop, result.health)
        ),
        threading.Thread(target=_sampler, args=(result, stop, samples)),
    ]
    attackers = [
        threading.Thread(target=_attack, args=(f"{base}/sparql", i, deadline, counts))
        for i, counts in enumerate(hostile)
    ]
    for t in watchers + attackers:
        t.start()
    try:
        result.wrk = run_wrk(cheap_url, duration)
    finally:
        for t in attackers:
            t.join(max(0.0, hard_stop - time.monotonic()))
        stop.set()
        for t in watchers:
            t.join(10)
    result.memory_after = _sample(result)
    result.memory_peak = _peak([*samples, result.memory_after])
    time.sleep(settle)
    result.memory_settled = _sample(result)

    for name in HOSTILE_QUERIES:  # each thread counted its own answers
        merged = sum((counts[name] for counts in hostile), Counter[str]())
        result.hostile.by_query[name] = dict(sorted(merged.items()))


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
    return f"{memory.rss_kb / 1024:.0f} MiB ({memory.processes} processes{pss})"


def targets(result: SoakResult) -> list[Target]:
    """The verdicts: no error on the cheap query, /healthz always under 100 ms, RSS back within
    20 % of its start after the settle time, the hostile client refused as designed."""
    w, h, hs = result.wrk, result.health, result.hostile
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
            _statuses(hs.unexpected) if hs.unexpected else "none other",
            bool(hs.totals) and not hs.unexpected,
        ),
    ]


def render(result: SoakResult) -> str:
    """The markdown report: the measurements, the hostile client per query, the targets."""
    w, h, hs, peak = result.wrk, result.health, result.hostile, result.memory_peak
    rows = {
        "cheap query": f"`{CHEAP_QUERY}`, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
        f"-d{result.duration_s}s from {SERVER_HOST}",
        "wrk requests/s": f"{w.rps:,.0f} ({w.requests:,} requests in {w.seconds:.1f} s)",
        "wrk errors": f"{w.errors:,}: {w.non_2xx_3xx:,} non-2xx/3xx; socket: "
        + ", ".join(f"{kind} {n}" for kind, n in w.socket.items()),
        "wrk answers by status": _statuses(w.statuses),
        "cheap query latency p50 / p99 / max": f"{w.p50_ms:.2f} / {w.p99_ms:.2f} / "
        f"{w.max_ms:.2f} ms (all answers, refusals included)",
        "hostile client answers": f"{_statuses(hs.totals)} ({HOSTILE_THREADS} threads from "
        f"{HOSTILE_HOST})",
        "/healthz polls": f"{h.polls:,}: ok {h.ok:,}, degraded (503) {h.degraded:,}"
        + (f", other {_statuses(h.other)}" if h.other else ""),
        "/healthz latency p50 / p99 / worst": f"{h.p50_ms:.1f} / {h.p99_ms:.1f} / "
        f"{h.worst_ms:.1f} ms",
        "memory before": _mb(result.memory_before),
        "memory right after": _mb(result.memory_after),
        "memory after settle": f"{_mb(result.memory_settled)}, after {result.settle_s:g} s of rest",
        "memory peak during load": f"{_mb(peak)}, each the largest read (every "
        f"{SAMPLE_INTERVAL_S:g} s)",
    }
    lines = [
        f"Soak of `jaif-kg serve` (embedded store), {result.started_at}, "
        f"{result.duration_s} s of load; server settings: "
        + ", ".join(f"{k}={v}" for k, v in result.server_env.items()),
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in rows.items()),
        "",
        "| hostile query | answers |",
        "|---|---|",
        *(f"| {name} | {_statuses(c)} |" for name, c in hs.by_query.items()),
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {t.name} | {t.measured} | {'PASS' if t.met else 'MISS'} |" for t in result.targets),
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


def to_json(result: SoakResult) -> dict[str, object]:
    """The result as plain JSON data, with the derived figures (req/s, totals) spelled out."""
    data = dataclasses.asdict(result)
    data["wrk"] |= {"rps": result.wrk.rps, "errors": result.wrk.errors}
    data["hostile"] |= {"totals": result.hostile.totals, "unexpected": result.hostile.unexpected}
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jaif_kg.bench.soak``: run, print the tables, write JSON; 1 if it cannot run."""
    p = argparse.ArgumentParser(
        prog="python -m jaif_kg.bench.soak",
        description="A bounded soak test of jaif-kg serve under hostile load (make soak).",
    )
    p.add_argument("--duration", type=int, default=30, help="seconds of load (default 30)")
    p.add_argument("--quick", action="store_true", help="10 s of load")
    p.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="seconds of rest before the last reading (the pool stops burst workers after "
        "JAIF_WORKER_IDLE_SECONDS, 5 by default)",
    )
    p.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = p.parse_args(argv)
    duration = 10 if args.quick else args.duration
    if duration < 1 or not 0 <= args.settle <= 600:
        p.error("--duration must be >= 1 and --settle within 0..600")
    try:
        result = run(duration, settle=args.settle)
    except (OSError, RuntimeError, ValueError, subprocess.SubprocessError, httpx.HTTPError) as exc:
        print(f"soak: could not run: {exc}", file=sys.stderr)
        return 1
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(to_json(result), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
