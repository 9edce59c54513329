"""``jaif-kg serve``: load the graph, validate it, start the query workers, run uvicorn.

Start-up order matters: the store is loaded and validated first, then the query worker pool is
started (it forks while the process has a single thread), and only then does uvicorn start.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pyoxigraph as ox

from jaif_kg import __version__
from jaif_kg.errors import InputError
from jaif_kg.rdf.files import ParsedFile
from jaif_kg.rdf.graph import shapes_paths, shipped_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.shacl import ValidationReport, engine_id, render_text, summary_line, validate
from jaif_kg.shacl.dataset import graphs_from_options, validate_dataset
from jaif_kg.store import Store, load_shipped, meta_graph, open_store, shipped_graph
from jaif_kg.store.graphs import recorded_triples
from jaif_kg.store.loading import fingerprint, fingerprints_remembered, settle_fingerprints
from jaif_kg.workers.pool import QueryExecutor, Zygote, fork_zygote, worker_limits

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from jaif_kg.api.counts import Counts


def parse_graph_option(value: str) -> tuple[str, Path]:
    """Read one ``IRI=FILE`` value (the file's triples into the graph IRI).

    Raises:
        InputError: no ``=``, an empty side, or an IRI that is not absolute.
    """
    iri, path = parse_graph_argument(value)
    if iri is None:
        raise InputError(f"--graph wants IRI=FILE, got {value!r}")
    return iri, path


def parse_graph_argument(value: str) -> tuple[str | None, Path]:
    """Read one ``--graph`` value: ``IRI=FILE`` (the file's triples into the graph IRI), or
    ``FILE``, a TriG/N-Quads file whose named graphs keep their names.

    >>> parse_graph_argument("http://example.org/g=data/extra.ttl")
    ('http://example.org/g', PosixPath('data/extra.ttl'))

    Raises:
        InputError: an empty side, an IRI that is not absolute, or no ``=`` and no such file.
    """
    iri, sep, path = value.rpartition("=")
    if not sep and Path(value).is_file():
        return None, Path(value)
    if not sep or not iri or not path:
        raise InputError(
            f"--graph wants IRI=FILE, or the FILE of a TriG/N-Quads dataset whose graph names "
            f"are kept; got {value!r} (no such file)"
        )
    if ":" not in iri:
        raise InputError(f"--graph {value!r}: {iri!r} is not an absolute IRI")
    return iri, Path(path)


@dataclass
class StartupReport:
    """What start-up did and how long each step took (seconds)."""

    triples: int = 0
    named_graphs: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    validate_seconds: float = 0.0
    workers_seconds: float = 0.0
    validation: ValidationReport | None = None


def build_store(
    settings: Settings,
    graphs: Sequence[tuple[str | None, Path]] = (),
    report: StartupReport | None = None,
) -> Store:
    """Open the store and load the shipped graph (``{base}graph/jaif``) and ``graphs`` (graphs of
    their own, :func:`jaif_kg.store.load_shipped`).

    A remote store is not loaded (its data is pushed with ``jaif-kg load``). Files are read
    under ``settings.base_iri`` (rebased when it is not the default base).

    Raises:
        InputError: a file is missing or malformed (file and line).
    """
    report = report or StartupReport()
    started = time.perf_counter()
    store = open_store(settings)
    loaded = load_shipped(store, settings, graphs)
    # a persistent store reloads only what changed, and a server's is not loaded: count them
    # (the metadata graph's records are not data: left out of the count)
    meta = meta_graph(settings.base_iri)
    if loaded is not None:
        report.triples = loaded
    else:
        recorded = recorded_triples(store, settings.base_iri) if store.persistent else None
        report.triples = store.count() - store.count(meta) if recorded is None else recorded
    shipped = shipped_graph(settings.base_iri)
    hidden = {shipped, meta}
    report.named_graphs.extend(g for g in store.named_graphs() if g not in hidden)
    report.load_seconds = time.perf_counter() - started
    return store


def validation_key(settings: Settings, engine: str) -> str:
    """SHA-256 over the shipped files, the shapes, the base IRI and the engine that validated
    them (``fast`` or ``pyshacl``; pySHACL's version counts only for pySHACL)."""
    digest = hashlib.sha256(f"jaif-kg {__version__} {engine_id(engine)}\n".encode())
    if settings.base_iri != DEFAULT_BASE:  # the default base keeps the keys cached before
        digest.update(f"base {settings.base_iri}\n".encode())
    # the shipped files by their fingerprint (computed once per process: the store's
    # synchronisation asked for it already), the shapes by their bytes
    digest.update(f"data {fingerprint(shipped_paths(settings), base=settings.base_iri)}\n".encode())
    for path in shapes_paths(settings):
        digest.update(f"{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _verdict_file(key: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "jaif-kg" / f"conforms-{key}"


def check_server_graph(
    settings: Settings, store: Store, report: StartupReport | None = None
) -> tuple[bool, str, ValidationReport | None]:
    """Validate what a server holds in the shipped graph (read back with one ``CONSTRUCT``),
    never the local files: ``serve --store URL`` reports on the data it serves.

    A server without the graph ``{base}graph/jaif`` is validated on its own default graph (a
    graph pushed there by an earlier jaif-kg); an empty one does not conform.

    Raises:
        StoreError: the server cannot be read.
    """
    started = time.perf_counter()
    graph: str | None = shipped_graph(settings.base_iri)
    where = f"<{graph}> on {store.where()}"
    if graph not in store.named_graphs():
        graph, where = None, f"the default graph of {store.where()}"
    data = store.dump("application/n-triples", graph)
    quads = list(ox.parse(data, ox.RdfFormat.N_TRIPLES))
    if report is not None:
        report.validate_seconds = time.perf_counter() - started
    if not quads:
        return False, f"the server holds no triples in {where}: nothing was validated", None
    parsed = ParsedFile(Path(store.where()), data, quads)
    result = validate([parsed], shapes_paths(settings), (), engine="auto", base=settings.base_iri)
    if report is not None:
        report.validate_seconds = time.perf_counter() - started
        report.validation = result
    summary = f"{summary_line(result)} (validated {len(quads):,} triples of {where})"
    return result.conforms_at("Violation"), summary, result


def check_dataset(
    settings: Settings,
    graphs: Sequence[tuple[str | None, Path]],
    graph_shapes: Sequence[tuple[str, Path]],
    report: StartupReport | None = None,
) -> tuple[bool, str, ValidationReport | None]:
    """Validate the shipped graph and the ``--graph IRI=FILE`` graphs served beside it: the
    project's shapes on the project's part of every graph, each graph's own ``--graph-shapes``
    on that graph (:func:`jaif_kg.shacl.dataset.validate_dataset`). Never cached: the verdict
    cache knows only the shipped files.

    Raises:
        InputError: ``--graph-shapes`` for a graph that no ``--graph IRI=FILE`` names (a TriG
            file's own graphs cannot take shapes by name), or unreadable files.
    """
    started = time.perf_counter()
    named = [(iri, path) for iri, path in graphs if iri is not None]
    try:
        data_graphs = graphs_from_options(named, graph_shapes)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    paths = shipped_paths(settings)
    result = validate_dataset(
        paths[1:], data_graphs, shapes_paths(settings), paths[:1], base=settings.base_iri
    )
    if report is not None:
        report.validate_seconds = time.perf_counter() - started
        report.validation = result
    summary = f"{summary_line(result)} (the shipped graph and {len(data_graphs)} loaded graphs)"
    return result.conforms_at("Violation"), summary, result


def check_graph(
    settings: Settings, report: StartupReport | None = None, *, use_cache: bool = True
) -> tuple[bool, str, ValidationReport | None]:
    """Validate the shipped graph (ontology and data) against the SHACL shapes.

    pySHACL needs about two seconds on the shipped graph (its ``sh:sparql`` constraints run
    on rdflib), so a *conforming* verdict is remembered per content hash of the files (in
    ``$XDG_CACHE_HOME/jaif-kg``): a restart on unchanged files skips the run. Anything else is
    validated afresh, so a violation is always reported in full.

    Returns:
        Whether the graph conforms at violation level, the summary line, and the full report
        (``None`` when the verdict came from the cache).
    """
    started = time.perf_counter()
    # The engine that "auto" runs is decided by what the key already hashes (the files and
    # jaif-kg's version), so a verdict is looked up under each engine's key (deciding costs more
    # than looking), and stored under the key of the engine that ran.
    for engine in ("fast", "pyshacl") if use_cache else ():
        marker = _verdict_file(validation_key(settings, engine))
        if marker.is_file():
            summary = marker.read_text(encoding="utf-8").strip()
            if report is not None:
                report.validate_seconds = time.perf_counter() - started
            return True, summary + " (cached verdict for these files)", None
    paths = shipped_paths(settings)
    # the fast engine (SPARQL on Oxigraph) when it supports the shapes: about 0.3 s, not 2 s
    result = validate(
        paths[1:], shapes_paths(settings), paths[:1], engine="auto", base=settings.base_iri
    )
    conforms = result.conforms_at("Violation")
    if conforms and use_cache:
        marker = _verdict_file(validation_key(settings, result.engine))
        with contextlib.suppress(OSError):  # a read-only home only costs the next start-up time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(summary_line(result) + "\n", encoding="utf-8")
    if report is not None:
        report.validate_seconds = time.perf_counter() - started
        report.validation = result
    return conforms, summary_line(result), result


def uvicorn_config(app: FastAPI, settings: Settings, **kwargs: Any) -> uvicorn.Config:
    """The uvicorn configuration of ``app`` (``jaif-kg serve`` and the tests' live servers).

    uvicorn runs its httptools protocol with the request-head limit
    (``settings.max_header_bytes``, 431) and the read timeout (``settings.read_timeout``, 408)
    of :class:`jaif_kg.api.connection.LimitedHttpToolsProtocol`; ``kwargs`` go to
    ``uvicorn.Config`` (host, port, log level...).
    """
    import uvicorn

    from jaif_kg.api.connection import limited_protocol

    protocol = limited_protocol(
        max_head_bytes=settings.max_header_bytes, read_timeout=settings.read_timeout
    )
    # X-Forwarded-For is believed only from the proxies named in settings: otherwise any client
    # on the machine could pose as many clients and pass the per-client query limit.
    proxies = settings.trusted_proxies
    kwargs.setdefault("proxy_headers", bool(proxies))
    if proxies:
        kwargs.setdefault("forwarded_allow_ips", proxies)
    return uvicorn.Config(app, http=protocol, **kwargs)


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    graphs: Sequence[tuple[str | None, Path]] = (),
    graph_shapes: Sequence[tuple[str, Path]] = (),
    allow_invalid: bool = False,
    access_log: bool = False,
    use_cache: bool = True,
    out: TextIO = sys.stderr,
) -> int:
    """Load, validate and serve until interrupted; return the exit code.

    The ``--graph IRI=FILE`` graphs are validated with the shipped graph, each with its
    ``graph_shapes`` too (:func:`check_dataset`).

    Returns 1 without serving when the graphs have violations (the report is printed),
    unless ``allow_invalid``; 1 too when uvicorn could not start (the port is taken).
    """
    import uvicorn

    from jaif_kg.api.app import create_app

    report = StartupReport()
    processes = http_processes(settings)
    spawner = None
    if processes > 1 and on_disk(settings):
        # before the store is opened: the HTTP processes of an on-disk store are forked from a
        # process that never opened RocksDB (whose threads and global state forking breaks)
        spawner = Spawner(settings, processes, host, port, access_log)
    try:
        with fingerprints_remembered():  # the files are read once for both questions
            store = build_store(settings, graphs, report)
            if store.remote:
                conforms, summary, validation = check_server_graph(settings, store, report)
            elif any(iri is not None for iri, _ in graphs) or graph_shapes:
                conforms, summary, validation = check_dataset(
                    settings, graphs, graph_shapes, report
                )
            else:
                conforms, summary, validation = check_graph(settings, report, use_cache=use_cache)
    except BaseException:
        if spawner is not None:
            spawner.cancel()
        raise
    settle_fingerprints()  # files changed just before this start: the restart need not hash
    if not conforms:
        if validation is not None:
            print(render_text(validation), file=out)
        if not allow_invalid:
            why = "the graph has violations" if validation is not None else summary
            print(
                f"jaif-kg serve: {why}; not serving (--allow-invalid serves it anyway)",
                file=out,
            )
            if spawner is not None:
                spawner.cancel()
            return 1
    if spawner is not None:
        opener = store.read_only_opener()
        assert opener is not None
        return spawner.go(opener, report, summary, out)
    if processes > 1:
        return serve_processes(
            settings,
            store,
            processes,
            report,
            summary,
            host=host,
            port=port,
            access_log=access_log,
            out=out,
        )
    app = create_app(settings, store)
    started = time.perf_counter()
    app.state.executor.start()
    # What start-up built (the store's Python side, validation, the app) lives as long as the
    # server: keep it out of the garbage collector's full passes, which otherwise stall the
    # event loop for tens of milliseconds now and then.
    gc.collect()
    gc.freeze()
    report.workers_seconds = time.perf_counter() - started
    _ready_line(report, summary, f"{app.state.executor.min_workers} query workers", host, port, out)
    print(sandbox_line(app.state.executor), file=out)
    config = uvicorn_config(
        app,
        settings,
        host=host,
        port=port,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: Ctrl-C is a clean stop
        server.run()
    return 0 if server.started else 1


def sandbox_line(executor: QueryExecutor) -> str:
    """The start-up line that says what confines the queries."""
    line = f"jaif-kg: query worker sandbox: {executor.sandbox_status}"
    if executor.inline:
        line += (
            "; lookups (one triple pattern, answers up to 64 KiB) are answered by the HTTP "
            "process itself (JAIF_INLINE_LOOKUPS)"
        )
    return line


def _ready_line(
    report: StartupReport, summary: str, workers: str, host: str, port: int, out: TextIO
) -> None:
    print(
        f"jaif-kg: {report.triples:,} triples loaded in {report.load_seconds:.2f} s"
        f"{', named graphs: ' + ', '.join(report.named_graphs) if report.named_graphs else ''}; "
        f"{summary} in {report.validate_seconds:.2f} s; "
        f"{workers} in {report.workers_seconds:.2f} s; "
        f"serving http://{host}:{port}/ (SPARQL endpoint: /sparql)",
        file=out,
        flush=True,
    )


def http_processes(settings: Settings) -> int:
    """HTTP processes to serve with: ``JAIF_HTTP_PROCESSES``, else one per CPU core this
    process may run on (its affinity mask, which containers and ``taskset`` narrow)."""
    if settings.http_processes:
        return settings.http_processes
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


#: An HTTP process that ends this many times within :data:`RESTART_WINDOW_S` seconds stops the
#: server (something is wrong with every start, not with one request).
MAX_RESTARTS = 5
RESTART_WINDOW_S = 30.0


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets listening on ``host:port`` together (``SO_REUSEPORT``): the kernel
    spreads the connections over them, one per HTTP process.

    Raises:
        InputError: the address cannot be listened on.
    """
    family, kind, protocol, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    out: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, protocol)
            out.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            sock.listen(2048)
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in out:
            sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return out


def process_share(settings: Settings, processes: int) -> Settings:
    """The settings of one of ``processes`` HTTP processes: the query workers divided between
    them (at least one each), so that the server as a whole keeps ``JAIF_QUERY_WORKERS_MAX``."""
    most = max(1, settings.query_workers_max // processes)
    at_rest = min(most, max(1, -(-settings.query_workers // processes)))
    return settings.model_copy(update={"query_workers": at_rest, "query_workers_max": most})


def on_disk(settings: Settings) -> bool:
    """Whether ``settings`` select an on-disk Oxigraph store."""
    return settings.store == "oxigraph" and settings.store_path is not None


def serve_processes(
    settings: Settings,
    store: Store,
    processes: int,
    report: StartupReport,
    summary: str,
    *,
    host: str,
    port: int,
    access_log: bool,
    out: TextIO,
) -> int:
    """Serve ``store`` (in memory, or a server's) with ``processes`` HTTP processes forked from
    this one, which supervises them (:class:`Supervisor`). Returns the exit code."""
    supervisor = Supervisor(settings, processes, host, port, access_log)
    started = time.perf_counter()
    supervisor.start_all(store, None)
    report.workers_seconds = time.perf_counter() - started
    _ready_line(report, summary, supervisor.describe(), host, port, out)
    return supervisor.supervise(out)


class Supervisor:
    """The HTTP processes of one server, and the process that starts and replaces them.

    Each process listens on its own ``SO_REUSEPORT`` socket of the same port, serves the store
    (in memory: the one loaded here, shared copy-on-write; on disk: its own read-only handle,
    from ``opener``) and runs its share of the query workers (:func:`process_share`); the
    admission counts are shared (:class:`jaif_kg.api.counts.SharedCounts`), so per-client
    limits and the queue hold across them. A process that ends is replaced (its counts
    forgotten; the connections the kernel queued on its socket wait for the new one), unless
    processes keep ending (:data:`MAX_RESTARTS`); SIGTERM or SIGINT stop them all.

    Raises (when made):
        InputError: the port cannot be listened on.
    """

    def __init__(
        self, settings: Settings, processes: int, host: str, port: int, access_log: bool
    ) -> None:
        from jaif_kg.api.counts import SharedCounts

        self.processes = processes
        self.sockets = listening_sockets(host, port, processes)
        self.counts = SharedCounts(processes)
        self.share = process_share(settings, processes)
        self.access_log = access_log
        self.children: dict[int, int] = {}
        self.stopping = False
        self.announced = False
        self._store: Store | None = None
        self._opener: Callable[[], Store] | None = None

    def describe(self) -> str:
        """What the start-up line says of the processes."""
        return (
            f"{self.processes} HTTP processes (JAIF_HTTP_PROCESSES), each with "
            f"{self.share.query_workers} to {self.share.query_workers_max} query workers"
        )

    def start_all(self, store: Store | None, opener: Callable[[], Store] | None) -> None:
        """Fork every HTTP process, serving ``store``, or a store each opens with ``opener``."""
        self._store, self._opener = store, opener
        for index in range(self.processes):
            self.start(index)

    def start(self, index: int) -> None:
        """Fork HTTP process ``index`` (the first one forked says what confines the queries)."""
        announce, self.announced = not self.announced, True
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which ends with os._exit
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                self.counts.attach(index)
                for i, sock in enumerate(self.sockets):
                    if i != index:
                        sock.close()
                zygote = None
                if self._opener is not None:
                    # first thing, while this process holds no database: a fork is cheaper
                    # than the fresh interpreter a pool started later needs
                    zygote = fork_zygote(self._opener, worker_limits(self.share))
                    store = self._opener()
                else:
                    assert self._store is not None
                    store = self._store
                code = _http_process(
                    self.share,
                    store,
                    self.counts,
                    self.share.query_workers_max * self.processes,
                    self.sockets[index],
                    self.access_log,
                    zygote,
                    announce,
                )
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        self.children[pid] = index

    def stop(self, signum: int = signal.SIGTERM, _frame: object = None) -> None:
        """Stop every HTTP process (a signal handler too)."""
        self.stopping = True
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def supervise(self, out: TextIO) -> int:
        """Wait for the processes, replacing those that end, until stopped; the exit code."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        ends: list[float] = []
        failed = False
        try:
            while self.children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                index = self.children.pop(pid, -1)
                if index < 0:
                    continue
                self.counts.forget(index)
                if self.stopping:
                    continue
                now = time.monotonic()
                ends[:] = [t for t in ends if now - t < RESTART_WINDOW_S] + [now]
                why = os.waitstatus_to_exitcode(status)
                if len(ends) > MAX_RESTARTS:
                    print(
                        f"jaif-kg serve: HTTP processes ended {len(ends)} times within "
                        f"{RESTART_WINDOW_S:g} s (the last with {why}); stopping",
                        file=out,
                        flush=True,
                    )
                    failed = True
                    self.stop()
                    continue
                print(
                    f"jaif-kg serve: HTTP process {index} (pid {pid}) ended with {why}; "
                    "starting another",
                    file=out,
                    flush=True,
                )
                self.start(index)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for sock in self.sockets:
                sock.close()
        return 1 if failed else 0


class Spawner:
    """A process forked before an on-disk store is opened, which later forks and supervises
    the HTTP processes (:class:`Supervisor`): they open the store read-only themselves.

    RocksDB runs threads and keeps process-wide state; a process forked from one that opened a
    database must not open one itself. This process is forked while the server holds no
    database, waits until the store is loaded and validated (:meth:`go`) or not served
    (:meth:`cancel`), and is the supervisor from then on; the server waits for it.
    """

    def __init__(
        self, settings: Settings, processes: int, host: str, port: int, access_log: bool
    ) -> None:
        self.supervisor = Supervisor(settings, processes, host, port, access_log)
        self.host, self.port = host, port
        read, self._write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the spawner, which ends with os._exit
            os.close(self._write)
            code = 1
            try:
                code = self._wait_and_serve(read)
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(read)
        for sock in self.supervisor.sockets:
            sock.close()  # the spawner holds them

    def _wait_and_serve(self, read: int) -> int:  # pragma: no cover - in the spawner
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides; it sends SIGTERM
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        os.close(read)
        if not chunks:
            return 0  # cancelled: nothing to serve
        opener: Callable[[], Store] = pickle.loads(b"".join(chunks))
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        self.supervisor.start_all(None, opener)
        return self.supervisor.supervise(sys.stderr)

    def cancel(self) -> None:
        """Nothing will be served: the spawner ends."""
        os.close(self._write)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def go(
        self, opener: Callable[[], Store], report: StartupReport, summary: str, out: TextIO
    ) -> int:
        """Start serving with stores opened by ``opener``; wait until the spawner ends (SIGTERM
        and SIGINT are passed on to it); its exit code."""
        started = time.perf_counter()
        os.write(self._write, pickle.dumps(opener))
        os.close(self._write)
        report.workers_seconds = time.perf_counter() - started
        _ready_line(report, summary, self.supervisor.describe(), self.host, self.port, out)

        def pass_on(signum: int, _frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)

        previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while True:
                try:
                    _, status = os.waitpid(self.pid, 0)
                    return max(0, os.waitstatus_to_exitcode(status))
                except ChildProcessError:
                    return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _http_process(
    settings: Settings,
    store: Store,
    counts: Counts,
    running_limit: int,
    sock: socket.socket,
    access_log: bool,
    zygote: Zygote | None = None,
    announce: bool = False,
) -> int:
    """One HTTP process of :func:`serve_processes`: its app, its query workers (their zygote
    forked ahead when given), uvicorn on ``sock``. Returns its exit code."""
    import uvicorn

    from jaif_kg.api.app import create_app

    app = create_app(settings, store, counts=counts, running_limit=running_limit, zygote=zygote)
    app.state.executor.start()
    if announce:
        print(sandbox_line(app.state.executor), file=sys.stderr, flush=True)
    gc.collect()
    gc.freeze()
    config = uvicorn_config(
        app,
        settings,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    return 0 if server.started else 1
