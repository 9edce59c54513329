"""The embedded store: pyoxigraph, in memory or on disk (the default backend)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from jaif_kg.errors import InputError, QuerySyntaxError, ResultTooLarge, StoreError
from jaif_kg.rdf.files import syntax_error
from jaif_kg.rdf.formats import rdf_format, results_format
from jaif_kg.sparql.prepare import has_dataset_clause
from jaif_kg.sparql.safety import refuse_service
from jaif_kg.store.base import (
    BoundedBuffer,
    DefaultDataset,
    QueryResult,
    Store,
    pyoxigraph_result,
)


def _iri(value: str) -> ox.NamedNode:
    """A graph IRI, or :class:`InputError` when it is not one."""
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise InputError(f"not a valid graph IRI: {value!r} ({exc})") from exc


def graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    """The pyoxigraph name of ``graph`` (the default graph when ``None``).

    Raises:
        InputError: ``graph`` is not an IRI.
    """
    return _iri(graph) if graph else ox.DefaultGraph()


def parse_quads(data: bytes, media_type: str, graph: str | None = None) -> list[ox.Quad]:
    """Parse ``data`` completely (so a syntax error adds nothing) into quads of ``graph``.

    Quads of a dataset format keep their graph unless ``graph`` is given. Blank nodes get fresh
    names, so the quads of several documents never share one by accident.

    >>> (quad,) = parse_quads(b"<http://e/s> <http://e/p> 1 .", "text/turtle", "http://e/g")
    >>> quad.graph_name
    <NamedNode value=http://e/g>

    Raises:
        InputError: ``data`` does not parse (the error says where), or ``graph`` is no IRI.
    """
    fmt = rdf_format(media_type)
    target = graph_node(graph)
    try:
        # pyoxigraph yields quads, in the default graph for triple formats
        parsed: list[ox.Quad] = list(ox.parse(data, fmt.oxigraph, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise syntax_error(exc, None) from exc
    if graph is None:
        return parsed  # rebuilding a million quads in Python costs seconds: only when needed
    return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]


class OxigraphStore(Store):
    """pyoxigraph ``Store``: in memory, or persistent in ``path``.

    ``SERVICE`` queries are refused (:class:`~jaif_kg.errors.QueryRefused`): pyoxigraph would
    otherwise send the HTTP request. ``FROM``/``FROM NAMED`` only select graphs of this store.
    A query that names no dataset sees :attr:`dataset`: the union is passed to pyoxigraph as an
    explicit list of graphs (a triple held in two graphs is then matched twice, as Oxigraph
    merges graphs without removing duplicates).
    """

    name: ClassVar[str] = "oxigraph"
    persistent: ClassVar[bool] = False
    context_aware: ClassVar[bool] = True
    remote: ClassVar[bool] = False

    def __init__(
        self,
        path: Path | None = None,
        *,
        read_only: bool = False,
        dataset: DefaultDataset | None = None,
    ) -> None:
        """Open a store in memory (``path=None``) or in the folder ``path`` (created if missing);
        ``dataset`` is what a query that names none sees (default: the store's default graph).

        Raises:
            StoreError: the folder cannot be opened (held by another process, not a store...).
        """
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"cannot open the Oxigraph store in {path}: {exc}") from exc
        self.path = path
        self._read_only = read_only
        self._default_cache: (
            tuple[tuple[object, ...], list[ox.NamedNode | ox.DefaultGraph]] | None
        ) = None
        if dataset is not None:
            self.dataset = dataset
        self.persistent = path is not None  # type: ignore[misc]

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for code that needs its native API."""
        return self._store

    def load(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Add ``data``; all or nothing (parsed first, then added in one transaction)."""
        self._store.extend(parse_quads(data, media_type, graph))

    def replace_graph(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Parse ``data`` completely, then swap it in: a malformed file leaves the graph as it was.

        The removal and the insertion are two pyoxigraph transactions: a reader running at the
        same moment may see the graph empty. jaif-kg replaces graphs before it serves, never while.
        """
        self.replace_quads(parse_quads(data, media_type, graph), graph)

    def replace_quads(self, quads: list[ox.Quad], graph: str | None = None) -> None:
        """Empty ``graph``, then add ``quads`` (parsed beforehand, so nothing can fail half-way
        but the machine). On disk the quads go in by ``bulk_extend`` (about 2.5x faster than
        one transaction at 10^6 triples, see docs/STORES.md)."""
        target = graph_node(graph)
        if isinstance(target, ox.NamedNode):
            # remove, not clear: an emptied graph must not stay listed among named_graphs()
            self._store.remove_graph(target)
        else:
            self._store.clear_graph(target)
        if self.path is not None:
            self._store.bulk_extend(quads)
            self._store.flush()
        else:
            self._store.extend(quads)

    def replace_from_files(
        self, files: Sequence[tuple[Path, ox.RdfFormat, str]], graph: str | None = None
    ) -> None:
        """Empty ``graph``, then load into it each ``(file, syntax, base IRI)`` straight from the
        file with pyoxigraph's bulk loader (blank nodes renamed apart per file), which never
        holds a file in memory. The files must have been checked (a syntax error half-way
        leaves the graph partly loaded): :func:`jaif_kg.store.loading.sync_graph` does.

        Raises:
            StoreError: a file cannot be read or the store cannot be written.
        """
        target = graph_node(graph)
        if isinstance(target, ox.NamedNode):
            self._store.remove_graph(target)
        else:
            self._store.clear_graph(target)
        try:
            for path, fmt, document in files:
                self._store.bulk_load(
                    path=str(path), format=fmt, base_iri=document, to_graph=target
                )
            self._store.flush()
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load {path} into {self.path}: {exc}") from exc

    def _deployment_default(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The deployment's default graph (:attr:`dataset`): the store's own plus the data
        graphs, as pyoxigraph takes it (its ``use_default_graph_as_union`` would take the
        metadata graph in too).

        Kept while the store's graphs and :attr:`dataset` stay the same: every query asks, and
        sorting and checking the graph names each time cost a few µs of the quickest queries.
        """
        key = (self.dataset, tuple(self._store.named_graphs()))
        cached = self._default_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        merged = self.dataset.default_graphs(self.named_graphs()) or []
        default: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        default += (_iri(g) for g in merged)
        self._default_cache = (key, default)  # one assignment: safe for concurrent readers
        return default

    def default_graph_nodes(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        if self.dataset.raw:
            return [ox.DefaultGraph()]
        return self._deployment_default()

    def _run(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        default: list[ox.NamedNode | ox.DefaultGraph] | None = None
        if default_graphs is not None:
            default = [_iri(g) for g in default_graphs]
        elif not self.dataset.raw and not has_dataset_clause(sparql):
            default = self._deployment_default()
        named = None if named_graphs is None else [_iri(g) for g in named_graphs]
        # before evaluation: ASK and the first solutions are computed inside query() itself
        refuse_service(sparql)
        try:
            return self._store.query(
                sparql,
                default_graph=default,  # type: ignore[arg-type]  # list[NamedNode] is accepted
                named_graphs=named,  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"the query failed: {exc}") from exc

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        return pyoxigraph_result(self._run(sparql, default_graphs, named_graphs))

    def query_serialized(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        graph_media_type: str | None = None,
        max_bytes: int | None = None,
    ) -> tuple[bytes, str]:
        result = self._run(sparql, default_graphs, named_graphs)
        out = BoundedBuffer(max_bytes)
        try:
            if isinstance(result, ox.QueryTriples):
                fmt = rdf_format(graph_media_type or media_type)
                result.serialize(out, format=fmt.oxigraph)  # type: ignore[arg-type]  # a writer
                return out.getvalue(), fmt.media_type
            rfmt = results_format(media_type)
            result.serialize(out, format=rfmt.oxigraph)  # type: ignore[arg-type]
            return out.getvalue(), rfmt.media_type
        except (OSError, ResultTooLarge) as exc:
            if out.overflowed:
                raise ResultTooLarge(out.message()) from None
            raise StoreError(f"the query failed: {exc}") from exc

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        result = self._store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.NamedNode(graph)
        )
        assert isinstance(result, ox.QuerySolutions)
        return int(next(result)["n"].value)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, media_type: str, graph: str | None = None) -> bytes:
        fmt = rdf_format(media_type)
        if fmt.datasets and graph is None:
            return self._store.dump(format=fmt.oxigraph) or b""
        return self._store.dump(format=fmt.oxigraph, from_graph=graph_node(graph)) or b""

    def clear(self) -> None:
        self._store.clear()

    def close(self) -> None:
        if self.path is not None and not self._read_only:
            self._store.flush()

    def read_only_opener(self) -> Callable[[], Store] | None:
        """On disk: open the same folder read-only (a worker process's own handle)."""
        if self.path is None:
            return None
        return partial(OxigraphStore, self.path, read_only=True, dataset=self.dataset)
