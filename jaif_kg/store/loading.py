"""RDF files into a store: the one path from the files (read by :mod:`jaif_kg.rdf.files`) to any
backend.

* :func:`load_files` adds files to a graph;
* :func:`sync_graph` makes a graph hold exactly some files, reloading a persistent store only when
  they changed;
* :func:`read_triples` merges them into one graph to send (:func:`jaif_kg.store.shipped.push`).

A persistent store (``--store-path DIR``) remembers what it was loaded from: after a successful
load, the SHA-256 fingerprint of the source files (their names and bytes, in order) is written to
``DIR/jaif-kg-sources.json``, one entry per graph. :func:`sync_graph` compares the fingerprint of
the files with the recorded one and reloads the graph only when they differ, so a restart on
unchanged data opens the store and serves at once, and a changed file (or an added or removed one)
reloads that graph. The entry is deleted before a reload starts and written after it ends, so a
reload interrupted half-way is redone at the next start. Delete the file (or the folder) to force
a reload. A graph recorded there as loaded from a ``--graph`` file that a later start does not
name is dropped, with its record (:func:`drop_stale_graph_files`).

Every function takes the deployment's ``base`` (``settings.base_iri``): under another base than
the default, the files are read rebased (:mod:`jaif_kg.rdf.rebasing`) and the base is part of the
fingerprint, so a persistent store loaded under one base is reloaded when served under another.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.errors import InputError, StoreError
from jaif_kg.rdf.files import (
    PARSER_LIMIT,
    document_iri,
    first_long_line,
    input_format,
    parse_file,
    parser_limit_hit,
    parsing,
    read_input,
    unique_paths,
)
from jaif_kg.rdf.formats import N3, RdfFormat
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.store.base import Store
from jaif_kg.store.graphs import (
    GraphRecord,
    check_graph_name,
    forget_graph,
    graph_records,
    record_graph,
    sha256_hex,
)
from jaif_kg.store.oxigraph import OxigraphStore, graph_node

#: The file, inside a persistent store's folder, that records what each graph was loaded from.
SOURCES_FILE = "jaif-kg-sources.json"
#: Bumped when the way files become triples changes, so that stores made before reload.
LOADER_VERSION = "1"
NTRIPLES = "application/n-triples"


# -- reading ----------------------------------------------------------------------------------


def _digest(base: str = DEFAULT_BASE) -> hashlib._Hash:
    digest = hashlib.sha256(f"jaif-kg sources v{LOADER_VERSION}\n".encode())
    if base != DEFAULT_BASE:  # the default base leaves the fingerprints of existing stores alone
        digest.update(f"base {base}\n".encode())
    return digest


def _add_file(digest: hashlib._Hash, path: Path, data: bytes) -> None:
    digest.update(f"{path.name}\n{len(data)}\n".encode())
    digest.update(data)


#: How much of a file :func:`_add_path` reads at a time.
_CHUNK = 1 << 20


def _add_path(digest: hashlib._Hash, path: Path) -> None:
    """:func:`_add_file` reading the file a chunk at a time (the same digest): a file of 10^7
    triples is not held in memory to be hashed.

    Raises:
        InputError: the file is missing, unreadable, or changed while it was read.
    """
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):  # a pipe or a device: its size is no length
                _add_file(digest, path, handle.read())
                return
            digest.update(f"{path.name}\n{status.st_size}\n".encode())
            read = 0
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                read += len(chunk)
    except OSError:
        read_input(path)  # raises the InputError that names the file and the reason
        raise
    if read != status.st_size:
        raise InputError("the file changed while it was read", path=str(path))


def fingerprint(paths: Sequence[Path], *, base: str = DEFAULT_BASE) -> str:
    """SHA-256 over the files' names and contents, in the order given, and the base they are read
    under (64 hex digits).

    >>> fingerprint([]) == fingerprint([]) and len(fingerprint([])) == 64
    True
    >>> fingerprint([]) != fingerprint([], base="http://example.org/kg/")
    True
    """
    memo = _remembered[-1] if _remembered else None
    key = (base, *(_identity(path) for path in paths)) if memo is not None else ()
    if memo is not None and key in memo:
        return memo[key]
    digest = _digest(base)
    for path in paths:
        _add_path(digest, path)
    found = digest.hexdigest()
    if memo is not None:
        memo[key] = found
    return found


#: Fingerprints remembered inside :func:`fingerprints_remembered` blocks (innermost last).
_remembered: list[dict[tuple[object, ...], str]] = []


@contextlib.contextmanager
def fingerprints_remembered() -> Iterator[None]:
    """Within the block, a fingerprint of files whose names, sizes, modification times and
    inodes are unchanged is computed once: ``jaif-kg serve`` asks twice while it starts (is the
    store up to date? is the validation verdict cached?), and reading 10^6 triples' worth of
    files takes a quarter second. Outside, every call reads the files."""
    _remembered.append({})
    try:
        yield
    finally:
        _remembered.pop()


#: The file, inside a persistent store's folder, that remembers the fingerprints of files by
#: their identity (:func:`stored_fingerprint`).
STATS_FILE = "jaif-kg-file-stats.json"
#: A file changed less than this long (ns) before its fingerprint was taken is hashed again at
#: the next start: a write within the same tick of the file system's clock keeps its times.
SETTLED_NS = 2_000_000_000
#: Most entries kept in :data:`STATS_FILE` (one per set of files: a graph, the shapes...).
STATS_KEPT = 32


def _stat(path: Path) -> list[int] | None:
    """Size, modification and change times (ns), inode and device of a regular file."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def stored_fingerprint(
    folder: Path | None,
    paths: Sequence[Path],
    *,
    base: str = DEFAULT_BASE,
    settled_ns: int | None = None,
) -> str:
    """:func:`fingerprint`, remembered in ``folder`` (a persistent store's) by the files' sizes,
    modification and change times, inodes and devices: a restart on unchanged files does not
    read them (10^7 triples: 1.6 GB, seconds of SHA-256).

    A file's change time (``ctime``) is set by the kernel on every write and cannot be set by a
    program, so equal identities mean unchanged files, with one exception this closes: a file
    written within the file system's clock tick of being hashed could change again without its
    times moving. A fingerprint is trusted only for files that had not changed for
    ``settled_ns`` (default :data:`SETTLED_NS`) when it was taken; the others are hashed at
    every start until they settle. Without ``folder``, or when its file cannot be read or
    written, the files are hashed.
    """
    if folder is None:
        return fingerprint(paths, base=base)
    settled_ns = SETTLED_NS if settled_ns is None else settled_ns
    identities = [_stat(path) for path in paths]
    key = json.dumps([base, [str(path) for path in paths], identities])
    memo_file = folder / STATS_FILE
    try:
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
        entries = memo if isinstance(memo, dict) else {}
    except (OSError, ValueError):
        entries = {}
    entry = entries.get(key)
    if (
        isinstance(entry, dict)
        and isinstance(entry.get("fingerprint"), str)
        and isinstance(entry.get("at"), int)
        and all(ids is not None and ids[2] < entry["at"] - settled_ns for ids in identities)
    ):
        found: str = entry["fingerprint"]
        if _remembered:  # the validation cache's key asks again in this process
            _remembered[-1][(base, *(_identity(path) for path in paths))] = found
        return found
    taken = time.time_ns()
    found = fingerprint(paths, base=base)
    if any(ids is not None and ids[2] >= taken - settled_ns for ids in identities):
        _unsettled[key] = (folder, list(paths), base, settled_ns)
    if all(ids is not None for ids in identities):
        entries.pop(key, None)
        entries[key] = {"fingerprint": found, "at": taken}
        kept = dict(list(entries.items())[-STATS_KEPT:])
        temporary = memo_file.with_suffix(".tmp")
        with contextlib.suppress(OSError):  # a read-only folder only costs the next start
            temporary.write_text(json.dumps(kept, indent=1), encoding="utf-8")
            os.replace(temporary, memo_file)
    return found


#: Fingerprints taken of files that had not settled, by memo key: :func:`settle_fingerprints`.
_unsettled: dict[str, tuple[Path, list[Path], str, int]] = {}


def settle_fingerprints() -> int:
    """Hash once more the files :func:`stored_fingerprint` found too fresh to trust, now that
    they have settled, so that the next start trusts its memo: ``jaif-kg serve`` calls it once
    its start-up is done (the first start after a change loads and validates for seconds, so
    the files have settled by then, and the restart after it reads none of them). Files still
    unsettled wait for a later call. Returns how many sets of files were hashed."""
    hashed = 0
    for key, (folder, paths, base, settled_ns) in list(_unsettled.items()):
        now = time.time_ns()
        identities = [_stat(path) for path in paths]
        if any(ids is None for ids in identities):
            del _unsettled[key]  # a file went away: the next start hashes what is there
        elif all(ids is not None and ids[2] < now - settled_ns for ids in identities):
            del _unsettled[key]
            stored_fingerprint(folder, paths, base=base, settled_ns=settled_ns)
            hashed += 1
    return hashed


def _identity(path: Path) -> tuple[str, int, int, int, int]:
    """What changes when a file is written: its size, modification time (ns) and inode."""
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1, -1, -1)  # read_input says why
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _read(
    paths: Iterable[Path], graph: str | None, base: str, digest: hashlib._Hash | None = None
) -> list[ox.Quad]:
    """Every triple of ``paths`` (read under ``base``) as a quad of ``graph``, all parsed before
    any store is touched; each file's name and bytes also go into ``digest``."""
    target = None if graph is None else graph_node(graph)
    quads: list[ox.Quad] = []
    for path in paths:
        parsed = parse_file(path, base=base)
        if digest is not None:
            _add_file(digest, path, parsed.data)
        if target is None:
            quads.extend(parsed.quads)
        else:
            quads.extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed.quads)
    return quads


@dataclass(frozen=True)
class MergedGraph:
    """Several RDF files merged into one graph, ready to send to any store.

    Attributes:
        ntriples: the distinct triples as N-Triples (blank nodes kept apart between files).
        triples: how many distinct triples.
        fingerprint: :func:`fingerprint` of the files.
        media_type: always N-Triples.
    """

    ntriples: bytes
    triples: int
    fingerprint: str
    media_type: str = NTRIPLES


def read_triples(paths: Sequence[Path], *, base: str = DEFAULT_BASE) -> MergedGraph:
    """Parse every file completely (format from its suffix) and merge them into one graph.

    Blank nodes are renamed apart per file; a triple stated in several files counts once.
    Under another ``base`` than the default, the files are read rebased.

    Raises:
        InputError: a file is missing or malformed; the message names the file and line.
    """
    digest = _digest(base)
    # all in the default graph, which N-Triples writes as triples
    body = ox.serialize(_read(paths, None, base, digest), format=ox.RdfFormat.N_TRIPLES) or b""
    # the writer is canonical (one line per triple, one spelling per term): equal lines are
    # equal triples, and lines hash much faster than pyoxigraph terms
    lines = dict.fromkeys(body.splitlines(keepends=True))
    return MergedGraph(b"".join(lines), len(lines), digest.hexdigest())


@contextlib.contextmanager
def escaped_parser_limit(paths: Sequence[Path], *, base: str = DEFAULT_BASE) -> Iterator[None]:
    """Send N-Triples made from ``paths`` to a store inside this block.

    A literal that fits the parser in its file may not once written as N-Triples, where every
    newline and quote takes two bytes, and the store parses that again. The error names the
    first file with such a literal (they are parsed again to find it: only when it happens).
    """
    try:
        yield
    except MemoryError as exc:
        if not parser_limit_hit(exc):
            raise
        culprit = next((path for path in paths if _too_long_escaped(path, base)), None)
        raise InputError(
            f"a literal or IRI is longer than {PARSER_LIMIT // 2**20} MiB once written as "
            "N-Triples (a newline or a quote takes two bytes there), the most the RDF parser "
            "reads in one piece",
            path=None if culprit is None else str(culprit),
        ) from None


def _too_long_escaped(path: Path, base: str) -> bool:
    quads = parse_file(path, base=base).quads
    return first_long_line(ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b"") is not None


# -- loading ----------------------------------------------------------------------------------


def load_files(
    store: Store,
    paths: Iterable[Path | str],
    graph: str | None = None,
    *,
    base: str = DEFAULT_BASE,
) -> int:
    """Add the triples of RDF files (each once) to ``graph`` of ``store`` (its default graph when
    ``None``), read under ``base``.

    All or nothing: every file is parsed first, so a malformed file adds nothing; the triples
    then go to the store in one load.

    Returns:
        The number of triples read (duplicates across files included).

    Raises:
        InputError: a file is missing or malformed; the error names the file and line.
    """
    files = unique_paths(paths)
    quads = _read(files, None, base)
    if not quads:
        return 0
    data = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b""
    with escaped_parser_limit(files, base=base):
        store.load(data, NTRIPLES, graph)
    return len(quads)


def _sources_file(store: Store) -> Path | None:
    return None if store.path is None else store.path / SOURCES_FILE


def recorded_sources(store: Store) -> dict[str, str]:
    """Graph key (``""`` for the default graph) -> fingerprint recorded in a persistent store."""
    marker = _sources_file(store)
    if marker is None or not marker.exists():
        return {}
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # unreadable: treated as unknown, so the graph is reloaded
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def _record(store: Store, key: str, value: str | None) -> None:
    marker = _sources_file(store)
    if marker is None:
        return
    recorded = recorded_sources(store)
    if value is None:
        recorded.pop(key, None)
    else:
        recorded[key] = value
    temporary = marker.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(recorded, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temporary, marker)
    except OSError as exc:
        raise StoreError(f"cannot write {marker}: {exc}") from exc


def _holds(store: Store, graph: str | None) -> bool:
    """Whether ``graph`` (the default graph when ``None``) has at least one triple."""
    selection = None if graph is None else [graph]
    return bool(store.query("ASK { ?s ?p ?o }", default_graphs=selection).boolean)


def forget_default_graph(store: Store) -> None:
    """Empty the store's own default graph and forget what it was loaded from (an on-disk store
    made before the shipped graph moved to its named graph)."""
    _record(store, "", None)
    store.replace_quads([], None)


def sync_graph(
    store: Store,
    paths: Sequence[Path],
    graph: str | None = None,
    *,
    force: bool = False,
    base: str = DEFAULT_BASE,
) -> bool:
    """Make ``graph`` (the default graph when ``None``) hold exactly the triples of ``paths``,
    read under ``base``.

    An in-memory store is always loaded. A store kept on disk is reloaded only when the files'
    fingerprint differs from the recorded one (or ``force``). A remote store is never loaded:
    its data is pushed explicitly with ``jaif-kg load``.

    Returns:
        Whether the graph was (re)loaded.

    Raises:
        InputError: a file is missing or malformed (the store is left as it was).
    """
    if store.remote:
        return False
    key = graph or ""
    if (
        not force
        and store.path is not None
        and recorded_sources(store).get(key) == stored_fingerprint(store.path, paths, base=base)
        and _holds(store, graph)
    ):
        return False
    digest = _digest(base)
    streamed = _streamable(store, paths, base)
    if streamed is not None:
        for path, fmt in streamed:
            check_file(path, fmt)
            _add_path(digest, path)
        _record(store, key, None)
        assert isinstance(store, OxigraphStore)
        store.replace_from_files(
            [(path, fmt.oxigraph, document_iri(path)) for path, fmt in streamed], graph
        )
    else:
        quads = _read(paths, graph, base, digest)
        _record(store, key, None)
        store.replace_quads(quads, graph)
    _record(store, key, digest.hexdigest())
    return True


#: The syntaxes an on-disk store loads straight from their files (:func:`_streamable`); the
#: others need the whole file first (JSON-LD its contexts inlined, N3 a second parse, TriG and
#: N-Quads their graph names dropped).
STREAMED_FORMATS = frozenset({"ntriples", "turtle", "rdfxml"})


def _streamable(
    store: Store, paths: Sequence[Path], base: str
) -> list[tuple[Path, RdfFormat]] | None:
    """The files with their syntaxes when ``store`` loads them from the files themselves: an
    Oxigraph store on disk, files read under the default base (another base rewrites every IRI
    in Python) in :data:`STREAMED_FORMATS`. There the files are never held in memory: 10^7
    triples parsed into a list took 22 GB."""
    if not isinstance(store, OxigraphStore) or store.path is None or base != DEFAULT_BASE:
        return None
    found = [(path, input_format(path)) for path in paths]
    if all(fmt.name in STREAMED_FORMATS and fmt != N3 for _, fmt in found):
        return found
    return None


def check_file(path: Path, fmt: RdfFormat) -> None:
    """Parse ``path`` as ``fmt`` from the file, a piece at a time, keeping nothing: the first pass
    of a load that must add nothing when the file is malformed.

    Raises:
        InputError: the file does not parse; the errors are those :func:`parse_file` gives (it
            reads the file again to list them, only then).
    """
    try:
        with parsing(path):
            parser = ox.parse(path=str(path), format=fmt.oxigraph, base_iri=document_iri(path))
            collections.deque(parser, maxlen=0)
    except InputError:
        parse_file(path)  # every error, with its line, as the in-memory path reports them
        raise


# -- files of their own graphs (--graph IRI=FILE, --graph FILE) ---------------------------------


@dataclass(frozen=True)
class GraphFile:
    """One graph of the dataset, read from one file.

    Attributes:
        graph: the graph's IRI.
        path: the file.
        quads: its triples, as quads of ``graph``.
        sha256: SHA-256 of the file's bytes.
        fingerprint: what a persistent store records to skip an unchanged reload.
    """

    graph: str
    path: Path
    quads: list[ox.Quad]
    sha256: str
    fingerprint: str


def _graph_label(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return "the default graph" if isinstance(name, ox.DefaultGraph) else str(name)


def read_graph_files(
    graphs: Sequence[tuple[str | None, Path]], *, base: str = DEFAULT_BASE
) -> list[GraphFile]:
    """Read the files of ``--graph`` options, each completely, before any store is touched.

    * ``(IRI, FILE)``: the file's triples go into the graph ``IRI``. A file of a dataset format
      (TriG, N-Quads) must then hold one graph: only a default graph, or one named graph.
    * ``(None, FILE)``: a TriG/N-Quads file whose named graphs keep their names; triples
      outside any named graph are refused (they have no name to keep).

    No graph may be named twice, nor be the shipped or the metadata graph
    (:func:`jaif_kg.store.graphs.check_graph_name`).

    Raises:
        InputError: a missing or malformed file (file and line), a file of several graphs given
            one IRI, unnamed triples without an IRI, a reserved or repeated graph name.
    """
    found: dict[str, GraphFile] = {}
    for iri, path in graphs:
        parsed = parse_file(path, base=base, keep_graphs=True)
        sha = sha256_hex(parsed.data)
        by_graph: dict[str, list[ox.Quad]] = {}
        names: dict[str, ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = {}
        for quad in parsed.quads:
            key = str(quad.graph_name)
            names.setdefault(key, quad.graph_name)
            by_graph.setdefault(key, []).append(quad)
        if iri is not None:
            check_graph_name(iri, base)
            if len(names) > 1:
                listed = ", ".join(sorted(_graph_label(n) for n in names.values()))
                raise InputError(
                    f"--graph {iri}={path}: the file holds {len(names)} graphs ({listed}); "
                    "IRI=FILE takes a file of one graph: give the file alone (--graph FILE) "
                    "to keep its graph names",
                    path=str(path),
                )
            target = graph_node(iri)
            quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed.quads]
            parts = {iri: quads}
        else:
            if any(isinstance(n, ox.DefaultGraph) for n in names.values()):
                raise InputError(
                    f"--graph {path}: the file has triples outside any named graph, which have "
                    "no graph name to keep: name their graph with --graph IRI=FILE",
                    path=str(path),
                )
            if any(isinstance(n, ox.BlankNode) for n in names.values()):
                raise InputError(
                    f"--graph {path}: a graph named by a blank node cannot be a graph of the "
                    "dataset: name it with an IRI",
                    path=str(path),
                )
            parts = {names[k].value: v for k, v in by_graph.items()}  # type: ignore[union-attr]
        for name, quads in parts.items():
            check_graph_name(name, base)
            if name in found:
                raise InputError(
                    f"the graph <{name}> is given twice ({found[name].path} and {path}): "
                    "each graph comes from one file",
                    path=str(path),
                )
            digest = _digest(base)
            digest.update(f"graph {name}\n".encode())
            _add_file(digest, path, parsed.data)
            found[name] = GraphFile(name, path, quads, sha, digest.hexdigest())
    return list(found.values())


def drop_stale_graph_files(
    store: Store,
    files: Sequence[GraphFile],
    *,
    keep: Collection[str] = (),
    base: str = DEFAULT_BASE,
) -> list[str]:
    """Drop from a persistent store the graphs an earlier start loaded from ``--graph`` files
    that are not among ``files`` this time, with their records: a store serves what its command
    line names, not what an earlier one did.

    Only graphs recorded in ``DIR/jaif-kg-sources.json`` as loaded from a ``--graph`` file are
    dropped (:func:`put_graph_files` writes that entry); an imported graph (``jaif-kg import``,
    which writes no such entry) stays, and so do the graphs of ``keep`` (the shipped graph).

    Returns:
        The graphs dropped (sorted); none for a store that is not on disk.

    Raises:
        StoreError: the sources file cannot be written.
    """
    if store.path is None or store.remote:
        return []
    given = {gf.graph for gf in files} | set(keep)
    stale = sorted(key for key in recorded_sources(store) if key and key not in given)
    for graph in stale:
        _record(store, graph, None)
        store.replace_quads([], graph)
        forget_graph(store, graph, base=base)
    return stale


def _source(path: Path) -> str:
    try:
        return path.resolve().as_uri()
    except ValueError:  # a path that cannot be a URL
        return str(path)


def put_graph_files(
    store: Store,
    files: Sequence[GraphFile],
    *,
    base: str = DEFAULT_BASE,
    license: str | None = None,
) -> list[str]:
    """Make each graph of ``files`` hold exactly its file's triples, and record it
    (:func:`jaif_kg.store.graphs.record_graph`).

    A persistent store skips a graph whose file is unchanged since it was loaded (and keeps its
    record). Works on any store, a server's included (``jaif-kg load``).

    Returns:
        The graphs (re)loaded.

    Raises:
        StoreError: the store (a server) failed; graphs written before stay written.
    """
    done = []
    records = {r.graph: r for r in graph_records(store, base=base)} if files else {}
    for gf in files:
        if (
            store.path is not None
            and recorded_sources(store).get(gf.graph) == gf.fingerprint
            and gf.graph in records
            and _holds(store, gf.graph)
        ):
            continue
        _record(store, gf.graph, None)
        store.replace_quads(gf.quads, gf.graph)
        _record(store, gf.graph, gf.fingerprint)
        record_graph(
            store,
            GraphRecord(
                gf.graph, _source(gf.path), gf.sha256, store.count(gf.graph), license=license
            ),
            base=base,
        )
        done.append(gf.graph)
    return done
