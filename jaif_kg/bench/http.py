"""HTTP side of :mod:`jaif_kg.bench.run`: the servers compared and a bounded load generator.

Every server is a subprocess listening on a free port of 127.0.0.1 and is always stopped
(:class:`Server` is a context manager). The load generator sends a fixed number of requests
over 8 concurrent clients, each a separate process holding one keep-alive connection
(``http.client``), so that the client side is not limited by one interpreter lock; it records
every latency and the wall time of the whole batch.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from jaif_kg.bench.worker import percentile

#: Concurrent clients of the load generator.
CLIENTS = 8


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tool_path(name: str) -> str:
    """The path of a command-line tool: next to this interpreter (the venv), else on ``PATH``."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed (pip install -e '.[dev,bench]')")
    return found


class Server:
    """A server subprocess on ``127.0.0.1:port``, stopped on exit."""

    def __init__(
        self,
        name: str,
        command: list[str],
        port: int,
        ready_path: str,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        drop_env: tuple[str, ...] = (),
    ) -> None:
        """``drop_env``: prefixes of variables of this process's environment not passed on
        (``("JAIF_",)`` starts jaif-kg with its defaults whatever the caller's shell sets)."""
        self.name = name
        self.command = command
        self.port = port
        self.ready_path = ready_path
        self.env = env
        self.log = log
        self.drop_env = drop_env
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_s = 0.0

    def __enter__(self) -> Server:
        out = self.log.open("wb") if self.log else subprocess.DEVNULL
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith(self.drop_env)},
                **(self.env or {}),
            },
        )
        try:
            self.wait_ready(started)
        except BaseException:
            self.__exit__(None, None, None)  # a server that never answered is stopped too
            raise
        return self

    def wait_ready(self, started: float, timeout: float = 600.0) -> None:
        """Poll ``ready_path`` until it answers 200; the time is kept as :attr:`startup_s`."""
        assert self.process is not None
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.ready_path)
                if conn.getresponse().status == 200:
                    self.startup_s = time.perf_counter() - started
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"{self.name} did not answer within {timeout} s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def jaif_server(
    data_dir: Path, port: int, env: dict[str, str], log: Path, *, defaults: bool = False
) -> Server:
    """``jaif-kg serve`` on ``data_dir`` (the ontology and shapes of the checkout); with
    ``defaults``, no ``JAIF_*`` setting of this process's environment is passed on (only
    ``env``'s)."""
    return Server(
        "jaif-kg",
        [tool_path("jaif-kg"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        port,
        "/healthz",
        env={"JAIF_DATA_DIR": str(data_dir), **env},
        log=log,
        drop_env=("JAIF_",) if defaults else (),
    )


def oxigraph_server(files: list[Path], location: Path, port: int, log: Path) -> Server:
    """``oxigraph serve-read-only`` on a store loaded with ``files`` (loaded first, untimed)."""
    subprocess.run(
        [tool_path("oxigraph"), "load", "--location", str(location), "--file", *map(str, files)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(
        "oxigraph",
        [
            tool_path("oxigraph"),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        port,
        "/query?query=" + urllib.parse.quote("ASK {}"),
        log=log,
    )


def rdflib_endpoint_server(files: list[Path], port: int, log: Path) -> Server:
    """``rdflib-endpoint serve`` on ``files`` (rdflib in memory)."""
    return Server(
        "rdflib-endpoint",
        [
            tool_path("rdflib-endpoint"),
            "serve",
            *map(str, files),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        port,
        "/?query=" + urllib.parse.quote("ASK {}"),  # its command line serves SPARQL at /
        log=log,
    )


@dataclass
class LoadResult:
    """What one batch of requests measured."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Requests per second over the whole batch."""
        return self.requests / self.seconds if self.seconds else 0.0


def _client(args: tuple[int, str, int, dict[str, str]]) -> tuple[list[float], int]:
    port, path, count, headers = args
    latencies: list[float] = []
    errors = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    for _ in range(count):
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()
    return latencies, errors


def probe(port: int, path: str, headers: dict[str, str]) -> float:
    """Seconds one request takes (after one warm-up request)."""
    for _ in range(2):
        started = time.perf_counter()
        _client((port, path, 1, headers))
    return time.perf_counter() - started


def hammer(port: int, path: str, requests: int, headers: dict[str, str]) -> LoadResult:
    """Send ``requests`` GET requests to ``path`` from :data:`CLIENTS` concurrent clients."""
    share = [requests // CLIENTS + (1 if i < requests % CLIENTS else 0) for i in range(CLIENTS)]
    context = multiprocessing.get_context("fork")
    with context.Pool(CLIENTS) as pool:
        started = time.perf_counter()
        parts = pool.map(_client, [(port, path, n, headers) for n in share if n])
        seconds = time.perf_counter() - started
    latencies = [t for lat, _ in parts for t in lat]
    return LoadResult(
        requests=len(latencies),
        errors=sum(e for _, e in parts),
        seconds=seconds,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
    )


def request_count(seconds_each: float, budget: float, least: int = 16, most: int = 4000) -> int:
    """A fixed request count for a batch that should take about ``budget`` seconds.

    >>> request_count(0.001, 2.0)
    4000
    >>> request_count(1.0, 2.0)
    16
    """
    # 8 clients on 2 cores: about two requests run at a time when the server is CPU-bound
    return max(least, min(most, int(budget * 2 / max(seconds_each, 1e-6))))
