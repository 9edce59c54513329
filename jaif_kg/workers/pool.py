"""Query execution with a time limit that really stops the work, and a cap on result size.

pyoxigraph (like rdflib) cannot cancel a running query, and a Python thread cannot be stopped, so
queries run in a small pool of **worker processes**; a worker whose query passes its time limit
is killed (``SIGKILL``) and replaced, and the request gets :class:`~jaif_kg.errors.QueryTimeout`
(HTTP 503). While one worker is busy with a slow query the others keep answering, and the pool
grows on demand (up to ``max_workers``) so that a short query does not wait behind long ones.

How workers get the store:

* **In memory** (the default): right after start-up the server forks a *zygote* process that
  inherits the loaded store; every worker is forked from the zygote, so it shares the store's
  memory copy-on-write: no reload, a new worker is ready in milliseconds. The zygote is
  single-threaded, which keeps ``fork`` safe even when the server itself runs threads.
* **On disk** (a persistent store): the zygote is a fresh interpreter that holds no open
  database; each worker forked from it opens the store read-only itself.

Workers talk to the server over a Unix socket pair: a length-prefixed pickled :class:`Job` in,
a small header plus the serialised result out. The cost per query (measured, see
``docs/ENDPOINT.md``) is a few tens of microseconds.

Federation (``serve --allow-service URL``): a query whose ``SERVICE`` endpoints are all allowed
is answered by a normal worker with "needs federation" (the check runs in the worker, under the
time limit, as every check does), and the server sends it again, within the same deadline, to a
second, small pool of **federation workers**, forked from a zygote of their own whose kernel
filter lets them open IPv4/IPv6 sockets to the allowed ports only
(:func:`jaif_kg.workers.sandbox.confine`). The normal workers keep the filter without network
sockets; the federation pool exists only when an allow-list is configured.

The same :func:`execute` runs a job in process (the worker's body; also usable without a pool).
This module needs ``fork`` (Linux, macOS).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import gc
import io
import json
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import pyoxigraph as ox

from jaif_kg.errors import (
    InputError,
    JaifError,
    OutOfMemory,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooComplex,
    ResultTooLarge,
    StoreError,
    WorkerFailure,
)
from jaif_kg.rdf.formats import rdf_format, results_format
from jaif_kg.sparql.lookup import answer_json, parse_lookup
from jaif_kg.sparql.prepare import PreparedQuery, prepare_query, syntax_error
from jaif_kg.sparql.protocol import NotAcceptable, UpdateRefused, form_kind
from jaif_kg.sparql.results import json_value
from jaif_kg.sparql.safety import (
    SERVICE_MESSAGE,
    endpoint_port,
    may_use_service,
    permit_services,
    service_endpoints,
)
from jaif_kg.store import Store
from jaif_kg.workers import sandbox

log = logging.getLogger("jaif_kg.workers.pool")

#: Media type of the named-query API's plain rows: a JSON array of objects.
ROWS_MEDIA_TYPE = "application/json"
_SPARQL_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Job:
    """One query to run.

    Attributes:
        sparql: the query text (checked and rewritten in the worker when ``prepare`` is set, see
            :func:`jaif_kg.sparql.prepare.prepare_query`).
        media_type: the format to write a SELECT/ASK answer in (a SPARQL results type, or
            :data:`ROWS_MEDIA_TYPE` for plain JSON rows); also the format of a CONSTRUCT/DESCRIBE
            answer when ``graph_media_type`` is not given. ``None``: not acceptable.
        default_graphs: IRIs whose merge is the default graph (``None``: the store's); with
            ``prepare``, the protocol's ``default-graph-uri`` values.
        named_graphs: IRIs of the visible named graphs (``None``: all of them); with ``prepare``,
            the protocol's ``named-graph-uri`` values.
        max_results: when set, a result of more rows (or triples) raises ResultTooLarge.
        original: the text the client sent, when ``sparql`` is a rewrite of it (syntax errors
            are reported against it).
        graph_media_type: the RDF format for a CONSTRUCT/DESCRIBE answer (``None``: not
            acceptable, unless ``media_type`` is an RDF type).
        prepare: run the endpoint's checks and rewrites (:func:`prepare_query`) in the worker,
            under the time limit, before the query.
        base_iri: what relative IRIs resolve against (with ``prepare``).
        not_acceptable: the 406 message for a form whose media type is ``None``.
    """

    sparql: str
    media_type: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_results: int | None = None
    original: str | None = None
    graph_media_type: str | None = None
    prepare: bool = False
    base_iri: str | None = None
    not_acceptable: str = ""


class NeedsFederation(QueryRefused):
    """The query calls allowed SPARQL services: it must run in a federation worker."""


#: Most federation workers alive at once (one is kept at rest).
FEDERATION_WORKERS_MAX = 2
#: Deepest nesting of groups, brackets and parentheses a query may have. Oxigraph's parser and
#: evaluator recurse per level; thousands of levels overflow the worker's stack.
MAX_DEPTH = 200
#: How much lower than the server's the query workers' CPU priority is (``nice``).
WORKER_NICENESS = 10
#: Most operands of one UNION chain (Oxigraph evaluates a chain as nested binary unions).
MAX_UNION = 2000


def _check_shape(depth: int, unions: int) -> None:
    """Refuse, before the engine sees it, a query nested too deeply or with a too-long UNION
    chain (``depth`` and ``unions`` come from the lexer's one pass, :func:`prepare_query`).

    >>> _check_shape(3, 2)
    >>> _check_shape(MAX_DEPTH + 1, 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryTooComplex: the query is nested more than 200 levels deep ...
    """
    if depth > MAX_DEPTH:
        raise QueryTooComplex(
            f"the query is nested more than {MAX_DEPTH} levels deep (groups, brackets and "
            "parentheses together); flatten it"
        )
    if unions >= MAX_UNION:
        raise QueryTooComplex(
            f"the query has {unions} UNION operators; at most {MAX_UNION - 1} are accepted: "
            "use VALUES or split the query"
        )


# --------------------------------------------------------------------------- in-process execution


def _count_rows(body: bytes, media_type: str) -> int:
    """Rows in a serialised SELECT result (exact for every results format).

    >>> _count_rows(b'?x\\n1\\n2\\n', "text/tab-separated-values")
    2
    >>> _count_rows(b'x\\r\\n"a\\nb"\\r\\n', "text/csv")
    1
    """
    name = results_format(media_type).name
    if name == "tsv":  # TSV escapes line breaks inside terms: one line per row
        return max(0, body.count(b"\n") - 1)
    if name == "xml":  # "<" is escaped inside values, so these tags are exact
        return body.count(b"<result>") + body.count(b"<result/>")
    if name == "csv":
        return max(0, sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1)
    parsed = json.loads(body)
    return len(parsed.get("results", {}).get("bindings", []))


def _count_triples(body: bytes, media_type: str) -> int:
    return sum(1 for _ in ox.parse(body, rdf_format(media_type).oxigraph))


def rows_json(sparql_json: bytes) -> bytes:
    """Turn SPARQL JSON results into a plain JSON array of objects (``true``/``false`` for ASK).

    Every variable is a key (``null`` when unbound); values as
    :func:`jaif_kg.sparql.results.json_value` (the CLI's JSON rows use the same).

    >>> rows_json(b'{"head":{"vars":["x"]},'
    ...           b'"results":{"bindings":[{"x":{"type":"literal","value":"a"}}]}}')
    b'[{"x":"a"}]'
    >>> rows_json(b'{"head":{},"boolean":true}')
    b'true'
    """
    parsed = json.loads(sparql_json)
    if "boolean" in parsed:
        out: Any = bool(parsed["boolean"])
    else:
        names = parsed["head"].get("vars", [])
        out = [
            {name: json_value(binding.get(name)) for name in names}
            for binding in parsed["results"]["bindings"]
        ]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


#: Prepared queries remembered per process (:func:`_prepare`), and the longest text remembered:
#: at most about 4 MB of query text.
PREPARED_MAX = 1024
PREPARED_MAX_CHARS = 4096
_prepared: dict[tuple[Any, ...], tuple[PreparedQuery, bool]] = {}


def _prepare(job: Job, allow_service: tuple[str, ...]) -> tuple[PreparedQuery, bool]:
    """:func:`prepare_query` and the SERVICE check of ``job`` (whether it calls allowed
    services), remembered per query text and dataset: both are pure functions of them, and a
    cheap query repeated (an IRI lookup) costs less in the engine than in the lexer.

    Only what passed is remembered (a refusal is computed again: it costs the sender, not the
    others), texts up to :data:`PREPARED_MAX_CHARS`, at most :data:`PREPARED_MAX` of them (the
    oldest go first).

    Raises:
        As :func:`prepare_query` and :func:`jaif_kg.sparql.safety.service_endpoints`.
    """
    key = (
        job.sparql,
        job.default_graphs,
        job.named_graphs,
        job.base_iri,
        job.max_results,
        allow_service,
    )
    found = _prepared.get(key)
    if found is not None:
        return found
    prepared = prepare_query(
        job.sparql,
        default_graphs=job.default_graphs or (),
        named_graphs=job.named_graphs or (),
        base_iri=job.base_iri,
        max_results=job.max_results,
    )
    services = bool(service_endpoints(job.sparql, allowed=allow_service))
    if len(job.sparql) <= PREPARED_MAX_CHARS:
        if len(_prepared) >= PREPARED_MAX:
            del _prepared[next(iter(_prepared))]
        _prepared[key] = (prepared, services)
    return prepared, services


def execute(
    store: Store,
    job: Job,
    known_graphs: frozenset[str] | None = None,
    *,
    max_bytes: int | None = None,
    allow_service: tuple[str, ...] = (),
    federation: bool = False,
) -> tuple[bytes, str]:
    """Run ``job`` on ``store`` in this process; return the body and its media type.

    A ``SERVICE`` is refused unless its endpoint is one of ``allow_service`` (normalised URLs,
    :func:`jaif_kg.sparql.safety.normalise_endpoint`); a query whose every ``SERVICE`` is allowed
    raises :class:`NeedsFederation` unless ``federation`` says this process may reach them.

    Graph IRIs of the dataset that the store does not hold are dropped (an unknown graph is
    empty, SPARQL 1.1 Protocol §2.1.4), so no backend is ever handed an IRI it might fetch. The
    answer is counted on the way out, whatever the query's form: more than ``job.max_results``
    rows or triples, or more than ``max_bytes`` bytes, is :class:`ResultTooLarge`.

    Raises:
        jaif_kg.errors.QuerySyntaxError: the query does not parse.
        jaif_kg.errors.QueryRefused: SERVICE, an update, a query nested too deeply.
        jaif_kg.errors.ResultTooLarge: more than ``job.max_results`` rows or triples, or
            ``max_bytes`` bytes.
    """
    sparql, original = job.sparql, job.original
    default_graphs, named_graphs = job.default_graphs, job.named_graphs
    media_type, graph_media_type = job.media_type, job.graph_media_type
    if job.prepare:
        prepared, services = _prepare(job, allow_service)
        _check_shape(prepared.depth, prepared.unions)
        # The structural SERVICE check (a real parse; what it cannot read is refused), at the
        # endpoint's own layer; the backend repeats it (cached), and in a confined worker the
        # kernel refuses any connection whatever the parse said (in a federation worker: any TCP
        # connection to a port no allowed endpoint uses).
        if services and not federation:
            raise NeedsFederation(
                "this query calls other SPARQL services: it runs in a federation worker"
            )
        original, sparql = sparql, prepared.text
        default_graphs, named_graphs = prepared.default_graphs, prepared.named_graphs
        if prepared.form is not None:
            graph = form_kind(prepared.form) == "graph"
            wanted = graph_media_type if graph else media_type
            if wanted is None:
                raise NotAcceptable(job.not_acceptable or "no acceptable format")
            media_type = graph_media_type = wanted
    if media_type is None:
        media_type = graph_media_type
    if media_type is None:
        raise NotAcceptable(job.not_acceptable or "no acceptable format")
    if known_graphs is not None:
        if default_graphs is not None:
            default_graphs = tuple(g for g in default_graphs if g in known_graphs)
        if named_graphs is not None:
            named_graphs = tuple(g for g in named_graphs if g in known_graphs)
    rows = media_type == ROWS_MEDIA_TYPE
    try:
        body, media_type = store.query_serialized(
            sparql,
            _SPARQL_JSON if rows else media_type,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            graph_media_type=graph_media_type,
            max_bytes=max_bytes,
        )
    except QuerySyntaxError:
        if original is not None and original != sparql:
            # report it against the text the client sent, not the rewritten one (whose added
            # LIMIT or BASE would move the error's position and change its wording)
            error = syntax_error(original)
            if error is not None:
                raise QuerySyntaxError(str(error)) from None
        raise
    except StoreError as exc:
        if sandbox.confined() and may_use_service(sparql) and not federation:
            # the engine tried to open a connection and the kernel refused it
            raise QueryRefused(SERVICE_MESSAGE) from exc
        raise
    cap = job.max_results
    if cap is not None and len(body) > cap:  # every row or triple takes at least one byte
        is_graph = not media_type.startswith("application/sparql-results") and media_type not in (
            "text/csv",
            "text/tab-separated-values",
        )
        count = _count_triples(body, media_type) if is_graph else _count_rows(body, media_type)
        if count > cap:
            what = "triples" if is_graph else "rows"
            raise ResultTooLarge(
                f"the result has more than {cap} {what} (the server's limit, JAIF_MAX_RESULTS): "
                "add a LIMIT, or page with LIMIT and OFFSET"
            )
    if rows:
        return rows_json(body), ROWS_MEDIA_TYPE
    return body, media_type


# --------------------------------------------------------------------------- wire format

_REQ = struct.Struct(">I")
_RESP = struct.Struct(">BIQ")  # status, meta length, body length
_OK, _SYNTAX, _TOO_LARGE, _REFUSED, _INPUT, _FAILED, _UPDATE, _NOT_ACCEPTABLE, _MEMORY = range(9)
_ENGINE, _TOO_COMPLEX, _FEDERATE = 9, 10, 11
#: Set on the status byte when the worker exits after this answer (it grew too large, or its
#: engine panicked): the server replaces it.
_RETIRING = 0x80
_ERRORS: dict[int, type[JaifError]] = {
    _FEDERATE: NeedsFederation,
    _SYNTAX: QuerySyntaxError,
    _TOO_LARGE: ResultTooLarge,
    _TOO_COMPLEX: QueryTooComplex,
    _UPDATE: UpdateRefused,
    _REFUSED: QueryRefused,
    _NOT_ACCEPTABLE: NotAcceptable,
    _INPUT: InputError,
    _MEMORY: OutOfMemory,
    _ENGINE: WorkerFailure,
    _FAILED: StoreError,
}


def _status_of(exc: BaseException) -> int:
    for status, cls in _ERRORS.items():
        if isinstance(exc, cls):
            return status
    return _FAILED


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise EOFError
        got += k
    return bytes(buf)


@dataclass(frozen=True)
class WorkerLimits:
    """What confines each query worker.

    Attributes:
        sandbox: load the kernel sandbox (:func:`jaif_kg.workers.sandbox.confine`) in the zygote.
        memory_mb: address space a worker may add to what it had when forked (0: no limit).
        recycle_mb: a worker whose resident memory grew more than this is replaced (0: never).
        max_bytes: largest serialised answer (``None``: no limit).
        allow_service: normalised endpoint URLs a ``SERVICE`` may call (empty: none).
        federation: the workers may reach those endpoints (the federation pool's workers).
    """

    sandbox: bool = True
    memory_mb: int = 1024
    recycle_mb: int = 256
    max_bytes: int | None = 64 * 1024 * 1024
    allow_service: tuple[str, ...] = ()
    federation: bool = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _worker_loop(
    sock: socket.socket, store: Store, known: frozenset[str] | None, limits: WorkerLimits
) -> NoReturn:
    """Serve jobs on ``sock`` until the server closes it, or until this worker retires."""
    baseline = sandbox.resident_bytes()
    try:
        while True:
            try:
                (size,) = _REQ.unpack(_recv_exact(sock, _REQ.size))
                job: Job = pickle.loads(_recv_exact(sock, size))
            except EOFError:
                break
            with contextlib.suppress(OSError):  # fd 2 is this worker's own crash log
                os.ftruncate(2, 0)
                os.lseek(2, 0, os.SEEK_SET)
            retire = False
            try:
                body, media_type = execute(
                    store,
                    job,
                    known,
                    max_bytes=limits.max_bytes,
                    allow_service=limits.allow_service,
                    federation=limits.federation,
                )
                status, meta = _OK, media_type
            except MemoryError:
                status, meta, body = _MEMORY, _memory_message(limits), b""
                retire = True
            except Exception as exc:  # every failure goes back to the server, typed
                status, meta, body = _status_of(exc), _first_line(exc), b""
            except BaseException as exc:  # pyo3's PanicException: the engine's own bug
                if isinstance(exc, SystemExit | KeyboardInterrupt):
                    raise
                status, body = _ENGINE, b""
                meta = "the query engine failed on this query (an internal error): " + _first_line(
                    exc
                )
                retire = True
            if limits.recycle_mb and (
                sandbox.resident_bytes() - baseline > limits.recycle_mb * 1024 * 1024
            ):
                retire = True
            raw = meta.encode("utf-8", "replace")
            flag = _RETIRING if retire else 0
            sock.sendall(_RESP.pack(status | flag, len(raw), len(body)) + raw + body)
            if retire:
                break
    finally:
        os._exit(0)


def _memory_message(limits: WorkerLimits) -> str:
    return (
        f"the query needed more memory than a query worker may use ({limits.memory_mb} MiB, "
        "the server's limit JAIF_WORKER_MEMORY_MB); add a LIMIT or simplify it"
    )


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _send_message(sock: socket.socket, text: str) -> None:
    raw = text.encode("utf-8", "replace")
    sock.sendall(_REQ.pack(len(raw)) + raw)


def _zygote_main(
    ctl: socket.socket,
    store: Store | None,
    opener: Callable[[], Store] | None,
    known: frozenset[str] | None,
    limits: WorkerLimits,
) -> NoReturn:
    """Load the sandbox, say whether it is active, then fork a worker each time the server asks
    and send back its pid, its socket and its crash log (a memory file it writes stderr to).

    The zygote ends when the server closes the control socket (or dies: the socket then reads
    as closed). It does not ask for a parent-death signal: Linux sends that when the *thread*
    that forked it ends, and the server may start the pool from a short-lived thread. Workers
    do ask for it (the zygote is single-threaded), so they die with the zygote.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Queries yield the CPU to the server process: under load the event loop (and /healthz)
    # must not wait behind a worker's time slice.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed workers
    try:
        ports = None
        if limits.federation:
            # the backends' own SERVICE checks read this process's list (inherited by workers)
            permit_services(limits.allow_service)
            ports = frozenset(endpoint_port(url) for url in limits.allow_service)
        if limits.sandbox:
            try:
                layer = sandbox.confine() if ports is None else sandbox.confine(connect_ports=ports)
                _send_message(ctl, "ok " + layer)
            except sandbox.SandboxUnavailable as exc:
                _send_message(ctl, f"no {exc}")
        else:
            _send_message(ctl, "off the kernel sandbox is turned off (JAIF_SANDBOX=off)")
        while True:
            try:
                if not ctl.recv(1):
                    break
            except OSError:
                break
            ours, theirs = socket.socketpair()
            crash_log = os.memfd_create("jaif-kg-worker-stderr")
            pid = os.fork()
            if pid == 0:
                ctl.close()
                ours.close()
                os.dup2(crash_log, 2)
                os.close(crash_log)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _die_with_parent()
                local = store
                local_known = known
                if opener is not None:
                    local = opener()
                    local_known = frozenset(local.named_graphs())
                assert local is not None
                with contextlib.suppress(OSError, ValueError):
                    sandbox.limit_memory(limits.memory_mb)
                _worker_loop(theirs, local, local_known, limits)
            theirs.close()
            socket.send_fds(ctl, [struct.pack(">i", pid)], [ours.fileno(), crash_log])
            ours.close()
            os.close(crash_log)
    finally:
        os._exit(0)


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (ValueError, OSError):
        return 65536


def worker_limits(settings: Any) -> WorkerLimits:
    """The query workers' limits from :class:`jaif_kg.settings.Settings`."""
    return WorkerLimits(
        sandbox=settings.sandbox == "required",
        memory_mb=settings.worker_memory_mb,
        recycle_mb=settings.worker_recycle_mb,
        max_bytes=settings.max_result_bytes,
        allow_service=tuple(settings.allow_service),
    )


@dataclass(frozen=True)
class Zygote:
    """A zygote forked ahead of its pool (:func:`fork_zygote`): the pool's end of the control
    socket and the zygote's pid."""

    ctl: socket.socket
    pid: int


def fork_zygote(opener: Callable[[], Store], limits: WorkerLimits) -> Zygote:
    """Fork the zygote of an on-disk store's pool now, for a :class:`QueryExecutor` made later
    (``zygote=``); its workers open the store with ``opener``.

    Only a process that has not opened a RocksDB database may call this (an HTTP process of
    ``jaif-kg serve``, forked from a process that never opened one, does so first thing): a
    database's threads and process-wide state do not survive a fork, which is why a pool
    started later runs its zygote as a fresh interpreter (0.3 to 0.5 s of start-up and imports
    that this fork does not pay).
    """
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the zygote, which ends with the server's socket
        _become_zygote(theirs, None, opener, None, limits)
    theirs.close()
    return Zygote(ours, pid)


def _become_zygote(
    ctl: socket.socket,
    store: Store | None,
    opener: Callable[[], Store] | None,
    known: frozenset[str] | None,
    limits: WorkerLimits,
) -> NoReturn:
    """In a process just forked to be a zygote: :func:`_zygote_main`, once inherited objects are
    kept from the collector (a collected socket would close a descriptor number the zygote
    reuses) and inherited descriptors are closed (the server's connections and listening
    sockets, other servers' sockets in tests), so that no peer waits on a copy held here."""
    gc.freeze()
    keep = ctl.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())
    _zygote_main(ctl, store, opener, known, limits)


def _zygote_entry() -> None:
    """Entry point of a zygote started as a fresh interpreter (persistent stores): the control
    socket's descriptor is ``argv[1]``; the first message is the pickled store opener and limits."""
    ctl = socket.socket(fileno=int(sys.argv[1]))
    (size,) = _REQ.unpack(_recv_exact(ctl, _REQ.size))
    opener, limits = pickle.loads(_recv_exact(ctl, size))
    _zygote_main(ctl, None, opener, None, limits)


# --------------------------------------------------------------------------- the pool


class _WorkerLost(Exception):
    pass


class _Channel(asyncio.Protocol):
    """The server's end of a worker's socket in one event loop: answers are read as they arrive
    (one reader registration for the worker's life, not one per query)."""

    def __init__(self) -> None:
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.buf = bytearray()
        self.need = _RESP.size
        self.waiter: asyncio.Future[tuple[int, str, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.need == _RESP.size and len(self.buf) >= _RESP.size:
            _status, mlen, blen = _RESP.unpack_from(self.buf)
            self.need = _RESP.size + mlen + blen
        if len(self.buf) >= self.need:
            status, mlen, _blen = _RESP.unpack_from(self.buf)
            meta = bytes(self.buf[_RESP.size : _RESP.size + mlen]).decode("utf-8")
            body = bytes(self.buf[_RESP.size + mlen : self.need])
            self.buf = bytearray()
            self.need = _RESP.size
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result((status, meta, body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(_WorkerLost())

    def close(self) -> None:
        if self.transport is not None:
            with contextlib.suppress(RuntimeError):  # its event loop is closed: nothing to do
                self.transport.abort()


@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    crash_log: int = -1
    idle_since: float = 0.0
    channel: _Channel | None = None
    loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
        self.sock.close()
        if self.crash_log >= 0:
            with contextlib.suppress(OSError):
                os.close(self.crash_log)
            self.crash_log = -1

    def last_words(self) -> str:
        """What the worker wrote to stderr while answering its last query (its crash log)."""
        if self.crash_log < 0:
            return ""
        try:
            return os.pread(self.crash_log, 64 * 1024, 0).decode("utf-8", "replace")
        except OSError:
            return ""


def _crash_error(words: str, limits: WorkerLimits) -> JaifError:
    """The typed error for a worker that died without answering, from what it wrote last.

    >>> str(_crash_error("memory allocation of 1024 bytes failed\\n", WorkerLimits()))[:48]
    'the query needed more memory than a query worker'
    >>> type(_crash_error("thread 'main' has overflowed its stack\\n", WorkerLimits())).__name__
    'WorkerFailure'
    """
    if "memory allocation of" in words or "MemoryError" in words:
        return OutOfMemory(_memory_message(limits))
    if "overflowed its stack" in words or "stack overflow" in words.lower():
        return WorkerFailure(
            "the query engine ran out of stack (the query is too deeply nested or too long); "
            "simplify it"
        )
    lines = [line.strip() for line in words.splitlines() if line.strip()]
    if any("panicked at" in line for line in lines):
        after = lines[next(i for i, line in enumerate(lines) if "panicked at" in line) + 1 :]
        detail = after[0] if after else "no message"
        return WorkerFailure(
            f"the query engine failed on this query (an internal error of the engine: "
            f"{detail[:300]}); the worker was replaced"
        )
    last = lines[-1] if lines else ""
    return WorkerFailure(
        "the query worker stopped while running the query"
        + (f" ({last[:300]})" if last else " without a message (killed or crashed)")
        + "; it was replaced"
    )


#: The largest answer a lookup may have to be written by the HTTP process itself
#: (:meth:`QueryExecutor.run`); a lookup with a larger one goes to a worker.
INLINE_MAX_BYTES = 64 * 1024


class QueryExecutor:
    """A pool of worker processes that run queries under a time limit.

    A *lookup* (:func:`jaif_kg.sparql.lookup.parse_lookup`: a SELECT of one triple pattern,
    decided on a complete parse) on an embedded Oxigraph store is answered in the calling process
    when its answer fits :data:`INLINE_MAX_BYTES`: its evaluation reads one index entry per row
    of the answer, so the byte cap bounds its work (about a millisecond), and the engine is
    given the text the parser wrote, never the client's. Any other outcome (a larger answer, an
    error) hands the query to a worker, which answers it with its own limits and messages.

    Args:
        store: the loaded store. In memory, workers share a copy-on-write snapshot taken when
            the pool starts; persistent stores are reopened read-only by each worker.
        timeout: default seconds a query may take (including the wait for a free worker).
        workers: workers kept alive (the pool's size at rest).
        max_workers: most workers alive at once (the pool grows when all are busy, and workers
            beyond ``workers`` stop after ``idle_seconds`` without a query).
        limits: the sandbox, memory limit, recycling threshold and answer size of each worker.

    Raises (from :meth:`start`):
        jaif_kg.errors.StoreError: ``limits.sandbox`` is set and the kernel sandbox cannot be
            loaded.
    """

    def __init__(
        self,
        store: Store,
        *,
        timeout: float = 10.0,
        workers: int = 2,
        max_workers: int = 8,
        limits: WorkerLimits | None = None,
        idle_seconds: float = 5.0,
        inline: bool = True,
        zygote: Zygote | None = None,
    ) -> None:
        self.store = store
        self._forked_ahead = zygote
        #: Whether lookups are answered in this process (see the class's description).
        self.inline = inline and store.raw is not None and not store.remote
        #: Lookups answered in this process (for tests and metrics).
        self.inline_answers = 0
        self.idle_seconds = idle_seconds
        self._reaper: asyncio.TimerHandle | None = None
        self._reaper_loop: asyncio.AbstractEventLoop | None = None
        self.timeout = timeout
        self.min_workers = max(1, workers)
        self.max_workers = max(self.min_workers, max_workers)
        self.limits = limits or WorkerLimits()
        self._ctl: socket.socket | None = None
        self._zygote_pid: int | None = None
        self._zygote_proc: Any = None
        self._ctl_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[int] = set()
        self._alive: dict[int, _Worker] = {}
        self._spawning = 0
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._finalizer: weakref.finalize[Any, Any] | None = None
        #: Workers killed because their query ran out of time (for tests and metrics).
        self.killed = 0
        #: Workers replaced after a crash, a panic, running out of memory or growing too large.
        self.replaced = 0
        #: Of those, workers that died without answering (a crash; a panic is answered).
        self.lost = 0
        #: Which kernel sandbox confines the workers (set by :meth:`start`).
        self.sandbox_status = "not started"
        self._remote_note = False
        #: The pool of federation workers (started with this one when ``limits.allow_service``
        #: lists endpoints).
        self.federation: QueryExecutor | None = None

    @classmethod
    def from_settings(
        cls, store: Store, settings: Any, zygote: Zygote | None = None
    ) -> QueryExecutor:
        """A pool configured by :class:`jaif_kg.settings.Settings` (with a zygote forked
        ahead: :func:`fork_zygote`)."""
        return cls(
            store,
            timeout=settings.query_timeout,
            workers=settings.query_workers,
            max_workers=settings.query_workers_max,
            idle_seconds=settings.worker_idle_seconds,
            inline=settings.inline_lookups,
            limits=worker_limits(settings),
            zygote=zygote,
        )

    # -- life cycle

    @property
    def started(self) -> bool:
        """Whether the zygote is running."""
        return self._ctl is not None

    @property
    def free_workers(self) -> int:
        """How many queries could start now without waiting (idle workers plus room to grow)."""
        room = self.max_workers - len(self._alive) - self._spawning
        idle = sum(1 for w in self._idle if w.pid in self._alive)
        return max(0, room) + idle

    @property
    def waiting(self) -> int:
        """Queries waiting for a worker."""
        return sum(1 for f in self._waiters if not f.done())

    def start(self) -> None:
        """Start the zygote and the first workers (idempotent). Call before serving threads run.

        Raises:
            jaif_kg.errors.StoreError: the sandbox is required and cannot be loaded.
        """
        if self._ctl is not None:
            return
        if self.store.remote and self.limits.allow_service:
            raise StoreError(
                "SERVICE cannot be allowed (--allow-service, JAIF_ALLOW_SERVICE) with a remote "
                "store: the SPARQL server would call the services itself, outside the query "
                "workers' sandbox"
            )
        if self.store.remote and self.limits.sandbox:
            # The workers must reach the SPARQL server: no network sandbox is possible. The
            # structural check (strict: what it cannot read is refused) guards SERVICE there.
            self.limits = replace(self.limits, sandbox=False)
            self._remote_note = True
        opener = self.store.read_only_opener()
        ahead, self._forked_ahead = self._forked_ahead, None
        if ahead is not None:  # forked before this process opened its store (fork_zygote)
            ours, self._zygote_pid = ahead.ctl, ahead.pid
        elif opener is None:
            ours, theirs = socket.socketpair()
            known = frozenset(self.store.named_graphs())
            pid = os.fork()
            if pid == 0:  # the zygote
                _become_zygote(theirs, self.store, None, known, self.limits)
            self._zygote_pid = pid
            theirs.close()
        else:
            # A fresh interpreter: it holds no open database (the server's RocksDB threads are
            # not safe to fork); each worker forked from it opens the store read-only.
            ours, theirs = socket.socketpair()
            fd = theirs.fileno()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from jaif_kg.workers.pool import _zygote_entry as z; z()",
                    str(fd),
                ],
                pass_fds=[fd],
            )
            payload = pickle.dumps((opener, self.limits))
            ours.sendall(_REQ.pack(len(payload)) + payload)
            self._zygote_proc = proc
            self._zygote_pid = proc.pid
            theirs.close()
        self._ctl = ours
        self._finalizer = weakref.finalize(self, _shutdown, ours, self._zygote_pid, self._alive)
        try:
            (size,) = _REQ.unpack(_recv_exact(ours, _REQ.size))
            verdict, _, detail = _recv_exact(ours, size).decode("utf-8").partition(" ")
        except (EOFError, OSError) as exc:
            self.close()
            raise StoreError(f"the query worker pool did not start: {exc}") from exc
        if verdict == "no" and self.limits.sandbox:
            self.close()
            raise StoreError(
                f"the query workers' kernel sandbox cannot be loaded: {detail}. Install "
                "libseccomp (Debian: apt-get install libseccomp2), or accept the risk with "
                "JAIF_SANDBOX=off (SERVICE is then refused by the query check alone)"
            )
        self.sandbox_status = detail if verdict == "ok" else f"none: {detail}"
        if self._remote_note:
            self.sandbox_status = (
                "none: the store is a remote SPARQL server, which the workers must reach; "
                "SERVICE is refused by the structural check, which refuses what it cannot read"
            )
        for _ in range(self.min_workers):
            self._idle.append(self._spawn())
        if self.limits.allow_service and not self.limits.federation:
            self.federation = QueryExecutor(
                self.store,
                timeout=self.timeout,
                workers=1,
                max_workers=min(FEDERATION_WORKERS_MAX, self.max_workers),
                limits=replace(self.limits, federation=True),
                idle_seconds=self.idle_seconds,
            )
            try:
                self.federation.start()
            except StoreError:
                self.close()
                raise
            self.sandbox_status += (
                f"; SERVICE allowed to {' '.join(self.limits.allow_service)} from "
                f"federation workers only: {self.federation.sandbox_status}"
            )

    def close(self) -> None:
        """Kill every worker and the zygote (and the federation pool's)."""
        if self.federation is not None:
            self.federation.close()
            self.federation = None
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        if self._finalizer is not None:
            self._finalizer()
        self._ctl = None
        self._idle.clear()
        self._busy.clear()
        self._zygote_proc = None

    def _spawn(self) -> _Worker:
        with self._ctl_lock:
            if self._ctl is None:
                raise StoreError("the query executor is closed")
            self._ctl.sendall(b"F")
            msg, fds, _flags, _addr = socket.recv_fds(self._ctl, 4, 2)
        if len(msg) != 4 or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise StoreError("the query worker pool could not start a worker")
        (pid,) = struct.unpack(">i", msg)
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(False)
        worker = _Worker(pid, sock, fds[1])
        self._alive[pid] = worker
        return worker

    def _discard(self, worker: _Worker) -> None:
        self._alive.pop(worker.pid, None)
        self._busy.discard(worker.pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.close()

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the live workers."""
        return sorted(self._alive)

    # -- scheduling

    async def _acquire(self, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        while self._idle:
            worker = self._idle.pop()
            if worker.pid in self._alive:
                return worker
        if len(self._alive) + self._spawning < self.max_workers:
            self._spawning += 1
            try:
                return await loop.run_in_executor(None, self._spawn)
            finally:
                self._spawning -= 1
        fut: asyncio.Future[_Worker] = loop.create_future()
        self._waiters.append(fut)
        done, _ = await asyncio.wait({fut}, timeout=max(0.0, deadline - loop.time()))
        if fut in done:
            return fut.result()
        fut.cancel()
        with contextlib.suppress(ValueError):
            self._waiters.remove(fut)
        raise QueryTimeout(
            f"every query worker stayed busy for the whole time limit ({self.max_workers} "
            "workers); try again later"
        )

    def _release(self, worker: _Worker) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(worker)
                return
        worker.idle_since = time.monotonic()
        self._idle.append(worker)
        if len(self._alive) > self.min_workers:
            # The pool grew for a burst: workers beyond its size at rest that stay idle for
            # idle_seconds are stopped (their memory goes back to the machine), so a steady load
            # keeps its workers and the pool returns to its size when the load ends.
            self._schedule_reap(self.idle_seconds)

    def _schedule_reap(self, delay: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no running loop: reaped at the next release
            return
        if self._reaper is not None and self._reaper_loop is loop:
            return
        self._reaper_loop = loop
        self._reaper = loop.call_later(delay, self._reap)

    def _reap(self) -> None:
        """Stop idle workers beyond ``min_workers`` that have been idle for ``idle_seconds``."""
        self._reaper = None
        now = time.monotonic()
        for worker in sorted(self._idle, key=lambda w: w.idle_since):
            if len(self._alive) <= self.min_workers:
                break
            if now - worker.idle_since >= self.idle_seconds:
                self._idle.remove(worker)
                self._discard(worker)
        if len(self._alive) > self.min_workers:
            self._schedule_reap(self.idle_seconds / 2)

    def _replenish(self) -> None:
        """Keep ``min_workers`` alive after a kill. The fork happens in a thread: under load a
        fork of the zygote can take tens of milliseconds, which the event loop must not wait."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (close, tests): fork here
            while len(self._alive) < self.min_workers and self._ctl is not None:
                try:
                    self._release(self._spawn())
                except (OSError, StoreError):
                    return
            return
        missing = self.min_workers - len(self._alive) - self._spawning
        for _ in range(max(0, missing)):
            self._spawning += 1
            loop.run_in_executor(None, self._spawn).add_done_callback(self._spawned)

    def _spawned(self, future: asyncio.Future[_Worker]) -> None:
        self._spawning -= 1
        if not future.cancelled() and future.exception() is None and self._ctl is not None:
            self._release(future.result())

    async def _call(self, worker: _Worker, job: Job, deadline: float) -> tuple[int, str, bytes]:
        """Send ``job`` to ``worker`` and wait for its answer until ``deadline`` (the loop's
        clock): a timer, not a task per query (``asyncio.wait_for`` costs a task and its
        scheduling on every request).

        Raises:
            TimeoutError: no answer by ``deadline``.
            _WorkerLost: the worker's socket closed.
        """
        loop = asyncio.get_running_loop()
        if worker.channel is None or worker.loop is not loop:
            if worker.channel is not None:  # another event loop (tests): a new handle
                worker.channel.close()
            _transport, worker.channel = await loop.create_unix_connection(
                _Channel, sock=worker.sock.dup()
            )
            worker.loop = loop
        channel = worker.channel
        assert channel.transport is not None
        if channel.transport.is_closing():
            raise _WorkerLost
        waiter: asyncio.Future[tuple[int, str, bytes]] = loop.create_future()
        channel.waiter = waiter
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        channel.transport.write(_REQ.pack(len(payload)) + payload)
        timer = loop.call_at(deadline, _expire, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()

    def _retire(self, worker: _Worker) -> None:
        self._discard(worker)
        self.replaced += 1
        self._replenish()

    async def run(self, job: Job, timeout: float | None = None) -> tuple[bytes, str]:
        """Run ``job`` in a worker; return the body and its media type.

        Raises:
            jaif_kg.errors.QueryTimeout: the query (or the wait for a worker) took longer than
                ``timeout`` seconds; its worker was killed.
            jaif_kg.errors.OutOfMemory: the query needed more than the worker's memory limit.
            jaif_kg.errors.WorkerFailure: the engine failed or the worker died; it was replaced.
            jaif_kg.errors.QuerySyntaxError, jaif_kg.errors.ResultTooLarge: as :func:`execute`.
        """
        if self.inline:
            answer = self._inline(job)
            if answer is not None:
                return answer
        if self._ctl is None:
            self.start()
        limit = self.timeout if timeout is None else timeout
        deadline = asyncio.get_running_loop().time() + limit
        try:
            return await self._run(job, deadline, limit)
        except NeedsFederation:
            if self.federation is None:
                raise QueryRefused(SERVICE_MESSAGE) from None
            # the same deadline: the time limit counts from the request, whichever worker runs it
            return await self.federation._run(job, deadline, limit)

    def _inline(self, job: Job) -> tuple[bytes, str] | None:
        """The answer to ``job`` written here when it is a lookup over the store's own dataset
        with an answer of at most :data:`INLINE_MAX_BYTES`; ``None``: a worker must answer."""
        if not isinstance(job, Job) or not job.media_type:  # (a test's own request to a worker)
            return None
        if job.prepare:  # the protocol's default-graph-uri and named-graph-uri, if any
            chosen = bool(job.default_graphs) or bool(job.named_graphs)
        else:
            chosen = job.default_graphs is not None or job.named_graphs is not None
        if chosen:
            return None
        lookup = parse_lookup(job.sparql)
        if lookup is None:
            return None
        cap = INLINE_MAX_BYTES
        if self.limits.max_bytes is not None:
            cap = min(cap, self.limits.max_bytes)
        if job.media_type == _SPARQL_JSON:
            raw, graphs = self.store.raw, self.store.default_graph_nodes()
            if raw is not None and graphs is not None:
                body = answer_json(lookup, raw, graphs, max_bytes=cap, max_rows=job.max_results)
                if body is not None:
                    self.inline_answers += 1
                    return body, _SPARQL_JSON
        try:
            answer = execute(
                self.store,
                Job(lookup.text, job.media_type, max_results=job.max_results),
                max_bytes=cap,
            )
        except JaifError:  # too large for here, or an error: the worker's answer and message
            return None
        self.inline_answers += 1
        return answer

    async def _run(self, job: Job, deadline: float, limit: float) -> tuple[bytes, str]:
        worker = await self._acquire(deadline)
        self._busy.add(worker.pid)
        try:
            status, meta, body = await self._call(worker, job, deadline)
        except TimeoutError:
            self._discard(worker)
            self.killed += 1
            self._replenish()
            raise QueryTimeout(
                f"the query did not finish within {limit:g} s and was stopped (the server's "
                "limit, JAIF_QUERY_TIMEOUT); simplify it or add a LIMIT"
            ) from None
        except (_WorkerLost, OSError):
            error = _crash_error(worker.last_words(), self.limits)
            self.lost += 1
            self._retire(worker)
            log.warning("query worker %d replaced: %s", worker.pid, error)
            raise error from None
        except asyncio.CancelledError:
            self._discard(worker)
            self._replenish()
            raise
        if status & _RETIRING:
            status &= ~_RETIRING
            self._retire(worker)
            if status != _OK:
                log.warning("query worker %d replaced: %s", worker.pid, meta)
        else:
            self._busy.discard(worker.pid)
            self._release(worker)
        if status != _OK:
            raise _ERRORS[status](meta)
        return body, meta


def _expire(waiter: asyncio.Future[Any]) -> None:
    """The time limit of a query: its answer will not be waited for any longer."""
    if not waiter.done():
        waiter.set_exception(TimeoutError())


def _shutdown(ctl: socket.socket, zygote_pid: int | None, alive: dict[int, _Worker]) -> None:
    for pid, worker in list(alive.items()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        worker.close()
    alive.clear()
    with contextlib.suppress(OSError):
        ctl.close()
    if zygote_pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(zygote_pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(zygote_pid, 0)
