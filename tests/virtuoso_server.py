"""pytest fixtures that run a real Virtuoso Open-Source 7 server on free loopback ports.

The server is Debian's ``virtuoso-opensource`` (``/usr/bin/virtuoso-t``, ``isql-vt``), installed
by ``make test`` when missing and run as root. Without it the tests that need it skip, saying how
to install it; under ``JAIF_REQUIRE_SUITES=1`` (CI) they fail instead.

Each server gets its own folder with its own ``virtuoso.ini`` (:data:`INI`): the database, the
SQL port and the HTTP port (both on 127.0.0.1), small buffers so that it starts in seconds, and
``ResultSetMaxRows`` raised so that no answer is cut short. After start-up a user with the
``SPARQL_UPDATE`` role (:data:`USER`/:data:`PASSWORD`) is created with ``isql-vt`` for the
authenticated endpoints ``/sparql-auth`` and ``/sparql-graph-crud-auth`` (HTTP Digest).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from jaif_kg.store.remote import VIRTUOSO_GRAPHS, RemoteStore
from tests.oxigraph_server import free_port
from tests.require import require

#: How long a server may take to answer its first request before the fixture gives up.
START_TIMEOUT_S = 60.0
#: The user jaif-kg writes as (role SPARQL_UPDATE), and its password.
USER, PASSWORD = "jaif", "jaif-secret"

#: Graphs Virtuoso keeps for itself, which emptying the server leaves alone.
OWN_GRAPHS = sorted(VIRTUOSO_GRAPHS)

#: The settings that matter; ``{dir}``, the ports and ``{max_rows}`` are filled in.
INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 2000
MaxDirtyBuffers = 1200
ThreadsPerQuery = 2
MaxSortedTopRows = 1000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


def virtuoso_binaries() -> tuple[str, str]:
    """``virtuoso-t`` and ``isql-vt``; skip (fail under ``JAIF_REQUIRE_SUITES=1``) without."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        missing = "virtuoso-t" if server is None else "isql-vt"
        require(
            f"Virtuoso Open-Source 7 is missing ({missing} is not on PATH): "
            "apt-get install virtuoso-opensource (as root; `make test` does it)"
        )
    assert server is not None and isql is not None
    return server, isql


class VirtuosoServer:
    """One ``virtuoso-t`` process in its own folder, and its endpoints."""

    def __init__(self, folder: Path, max_rows: int = 1_000_000) -> None:
        self.folder = folder
        self.max_rows = max_rows
        self.sql_port = free_port()
        self.http_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.http_port}"
        #: anonymous, read-only
        self.query_url = f"{self.base_url}/sparql"
        #: Digest-authenticated, queries and updates
        self.auth_url = f"{self.base_url}/sparql-auth"
        #: Digest-authenticated Graph Store Protocol
        self.store_url = f"{self.base_url}/sparql-graph-crud-auth"
        self._process: subprocess.Popen[bytes] | None = None
        self._user_created = False

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> VirtuosoServer:
        """Write the ini, start the server, wait until it answers, create the writing user."""
        server, _ = virtuoso_binaries()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            INI.format(
                dir=self.folder,
                sql_port=self.sql_port,
                http_port=self.http_port,
                max_rows=self.max_rows,
            ),
            encoding="utf-8",
        )
        self._process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while True:
            if self._process.poll() is not None:
                log = (self.folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"virtuoso-t exited with {self._process.returncode}: {log}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"virtuoso-t did not answer on {self.base_url}")
            time.sleep(0.2)
        if not self._user_created:  # the database keeps it across a restart
            self.isql(
                f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}'); GRANT SPARQL_UPDATE TO \"{USER}\";"
            )
            self._user_created = True
        return self

    def isql(self, sql: str) -> str:
        """Run SQL as ``dba`` through ``isql-vt`` on the SQL port; fail on an error."""
        _, isql = virtuoso_binaries()
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            pytest.fail(f"isql-vt failed on {sql!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        """Stop the server process (and wait for it)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def store(self, *, graph_store: bool = False) -> RemoteStore:
        """A store that reads and writes through the authenticated endpoints."""
        return RemoteStore(
            self.auth_url,
            graph_store_url=self.store_url if graph_store else None,
            user=USER,
            password=PASSWORD,
        )

    def reset(self) -> None:
        """Delete every triple but those of Virtuoso's own graphs, in SQL (not through the
        store under test; ``DROP ALL`` drops nothing on Virtuoso)."""
        own = ", ".join(f"iri_to_id('{g}')" for g in OWN_GRAPHS)
        self.isql(f"DELETE FROM DB.DBA.RDF_QUAD WHERE G NOT IN ({own});")


def start_virtuoso(folder: Path, max_rows: int = 1_000_000) -> VirtuosoServer:
    """Start a server of one's own in ``folder``, answering at most ``max_rows`` rows (stop it
    when done)."""
    return VirtuosoServer(folder, max_rows).start()


@pytest.fixture(scope="session")
def _virtuoso_session() -> Iterator[VirtuosoServer]:
    virtuoso_binaries()
    with tempfile.TemporaryDirectory(prefix="jaif-virtuoso-") as folder:
        server = start_virtuoso(Path(folder))
        yield server
        server.stop()


@pytest.fixture
def virtuoso_server(_virtuoso_session: VirtuosoServer) -> VirtuosoServer:
    """The session's Virtuoso server, emptied at the start of the test."""
    if not _virtuoso_session.running:  # a test stopped it: bring it back
        _virtuoso_session.start()
    _virtuoso_session.reset()
    return _virtuoso_session
