"""pytest fixtures that run a real Oxigraph server (``oxigraph serve``) on a free loopback port.

The server comes from the PyPI package ``oxigraph`` (a dev dependency): its ``oxigraph`` program
sits next to the Python interpreter of the virtualenv. Use ``oxigraph_server`` (one in-memory
server for the whole session, emptied before each test that asks for it) or call
:func:`start_oxigraph` for a server of your own (on disk with ``location=``; ``stop()`` and
``start()`` it to test what happens when the server goes away).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

#: How long a server may take to answer its first request before the fixture gives up.
START_TIMEOUT_S = 30.0


def oxigraph_binary() -> str:
    """The ``oxigraph`` server program of this virtualenv (or on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.fail("the Oxigraph server is missing: pip install -e '.[dev]' (package oxigraph)")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OxigraphServer:
    """One ``oxigraph serve`` process and its endpoints."""

    def __init__(self, location: Path | None = None, port: int | None = None) -> None:
        self.location = location
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.base_url}/query"
        self.update_url = f"{self.base_url}/update"
        self.store_url = f"{self.base_url}/store"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> OxigraphServer:
        """Start the server (same port and folder as before) and wait until it answers."""
        command = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while True:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode() if self._process.stderr else ""
                pytest.fail(f"oxigraph serve exited with {self._process.returncode}: {err}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"oxigraph serve did not answer on {self.base_url}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server process (and wait for it)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr:
            self._process.stderr.close()
        self._process = None

    def update(self, text: str) -> None:
        """Run a SPARQL update on the server."""
        request = urllib.request.Request(
            self.update_url,
            data=text.encode(),
            headers={"Content-Type": "application/sparql-update"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def nquads(self) -> str:
        """The whole dataset as N-Quads, straight from the server."""
        request = urllib.request.Request(self.store_url, headers={"Accept": "application/n-quads"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text: str = response.read().decode()
            return text

    def reset(self) -> None:
        """Empty the server (``DROP ALL``)."""
        self.update("DROP ALL")


def start_oxigraph(location: Path | None = None) -> OxigraphServer:
    """Start a server of one's own (stop it when done)."""
    return OxigraphServer(location).start()


@pytest.fixture(scope="session")
def _oxigraph_session() -> Iterator[OxigraphServer]:
    server = start_oxigraph()
    yield server
    server.stop()


@pytest.fixture
def oxigraph_server(_oxigraph_session: OxigraphServer) -> OxigraphServer:
    """The session's in-memory Oxigraph server, empty at the start of the test."""
    if not _oxigraph_session.running:  # a test stopped it: bring it back
        _oxigraph_session.start()
    _oxigraph_session.reset()
    return _oxigraph_session
