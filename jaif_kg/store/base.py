"""The store interface every backend implements.

A store holds an RDF dataset (a default graph plus named graphs) and answers SPARQL 1.1 queries.
Backends declare what they can do as class attributes and methods of :class:`Store`, which they
subclass to inherit the defaults (an embedded store's); code outside :mod:`jaif_kg.store` asks
these, never a backend's class. Only :mod:`jaif_kg.store` imports backend classes; everything else
asks :func:`jaif_kg.store.open_store` for a :class:`Store`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib.term import Identifier

from jaif_kg.errors import ResultTooLarge
from jaif_kg.rdf.terms import solution_rows, to_rdflib

ResultKind = Literal["boolean", "solutions", "graph"]

#: An RDF term as jaif-kg passes it around: an rdflib URIRef, Literal or BNode.
Term = Identifier


@dataclass(frozen=True)
class QueryResult:
    """The answer to a SPARQL query, independent of the backend.

    Attributes:
        kind: ``boolean`` (ASK), ``solutions`` (SELECT) or ``graph`` (CONSTRUCT/DESCRIBE).
        boolean: the ASK answer.
        variables: the SELECT projection, in order.
        rows: one dict per solution, variable name -> term; unbound variables are absent.
        triples: the CONSTRUCT/DESCRIBE triples.
    """

    kind: ResultKind
    boolean: bool | None = None
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "solutions" else len(self.triples)

    def __iter__(self) -> Iterator[dict[str, Term]]:
        return iter(self.rows)


def pyoxigraph_result(
    answer: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple | ox.Quad],
) -> QueryResult:
    """A pyoxigraph answer (or parsed triples) as a :class:`QueryResult` of rdflib terms.

    >>> pyoxigraph_result(ox.Store().query("SELECT ?a WHERE { BIND(1 AS ?a) }")).variables
    ['a']
    """
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("boolean", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables, rows = solution_rows(answer)
        return QueryResult("solutions", variables=variables, rows=rows)
    triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in answer]
    return QueryResult("graph", triples=triples)


@dataclass(frozen=True)
class DefaultDataset:
    """What a store answers a query that names no dataset (no ``FROM``, no protocol graphs).

    Attributes:
        union: the default graph is the merge of the store's own (unnamed) default graph and
            every named graph except ``hidden``; ``GRAPH`` sees every named graph.
        graphs: when not ``union``: the named graphs merged with the store's own default graph
            (the shipped graph: ``serve --no-union-default-graph``). Graphs the store does not
            hold are empty.
        hidden: named graphs left out of the union (the metadata graph).
        raw: the store's own default graph alone, as SPARQL engines do by themselves (a store
            opened directly, not through :func:`jaif_kg.store.open_store`).

    >>> DefaultDataset.union_of(["http://m"]).default_graphs(["http://a", "http://m"])
    ['http://a']
    >>> DefaultDataset.only(["http://a"]).default_graphs(["http://a", "http://b"])
    ['http://a']
    >>> DefaultDataset().default_graphs(["http://a"]) is None
    True
    """

    union: bool = False
    graphs: tuple[str, ...] = ()
    hidden: frozenset[str] = field(default_factory=frozenset)
    raw: bool = True

    @classmethod
    def union_of(cls, hidden: Sequence[str]) -> DefaultDataset:
        """The union of every named graph but ``hidden``."""
        return cls(union=True, hidden=frozenset(hidden), raw=False)

    @classmethod
    def only(cls, graphs: Sequence[str]) -> DefaultDataset:
        """The store's own default graph and ``graphs``."""
        return cls(graphs=tuple(graphs), raw=False)

    def default_graphs(self, named: Sequence[str]) -> list[str] | None:
        """The named graphs merged into the default graph (besides the store's own default
        graph), given the store's ``named`` graphs; ``None``: the store's own default graph."""
        if self.raw:
            return None
        if self.union:
            return [g for g in named if g not in self.hidden and not _staging(g)]
        return list(self.graphs)


#: Names of the staging graphs of a server's chunked writes (:mod:`jaif_kg.store.remote`): no data.
STAGING_PREFIX = "urn:jaif-kg:staging:"


def _staging(graph: str) -> bool:
    return graph.startswith(STAGING_PREFIX)


@runtime_checkable
class Store(Protocol):
    """A SPARQL 1.1 dataset. Every backend in :mod:`jaif_kg.store` implements this."""

    #: Short backend name ("oxigraph", "rdflib", "remote").
    name: ClassVar[str]
    #: Data survives a restart.
    persistent: ClassVar[bool]
    #: Named graphs are kept apart (a quad store).
    context_aware: ClassVar[bool]
    #: The data lives on a SPARQL server that jaif-kg does not run: nothing is loaded into it at
    #: start-up (the graph is pushed once with ``jaif-kg load``), and writes go to that server.
    remote: ClassVar[bool]
    #: The folder of an embedded store kept on disk (``None``: in memory, or on a server); jaif-kg
    #: records there what the store was loaded from (:mod:`jaif_kg.store.loading`).
    path: Path | None = None
    #: What a query that names no dataset sees (:class:`DefaultDataset`): the store's own default
    #: graph unless :func:`jaif_kg.store.open_store` sets the deployment's (the union of the data
    #: graphs, or the shipped graph).
    dataset: DefaultDataset = DefaultDataset()

    def load(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Add RDF ``data`` of ``media_type`` to ``graph`` (default graph when ``None``).

        Raises:
            jaif_kg.errors.InputError: the data does not parse; nothing is added.
        """
        ...

    def replace_graph(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Replace the contents of ``graph`` with ``data`` in one step (all or nothing).

        ``data`` is parsed completely first: malformed data raises
        :class:`~jaif_kg.errors.InputError` and leaves the graph as it was. Replacing with no
        triples removes the graph.
        """
        ...

    def replace_quads(self, quads: list[ox.Quad], graph: str | None = None) -> None:
        """Replace the contents of ``graph`` with ``quads`` (parsed beforehand, all of that graph):
        :meth:`replace_graph` without the parse."""
        ...

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        Args:
            sparql: the query text.
            default_graphs: IRIs whose merge is the default graph (SPARQL Protocol
                ``default-graph-uri``); ``None``: the query's own ``FROM``, else the store's
                default graph as :attr:`dataset` says (the union of the data graphs in a
                deployment). Graphs the store does not hold are empty: nothing is ever fetched.
            named_graphs: IRIs of the named graphs visible to ``GRAPH`` (``named-graph-uri``);
                ``None`` keeps all named graphs. Each part given replaces the query's own
                ``FROM`` (``default_graphs``) or ``FROM NAMED`` (``named_graphs``).

        Raises:
            jaif_kg.errors.QuerySyntaxError: the query does not parse (an update is not a query).
            jaif_kg.errors.QueryRefused: the query uses ``SERVICE``.
            jaif_kg.errors.StoreError: the backend failed (a remote store: unreachable, 5xx, or
                ``named_graphs`` without ``default_graphs``, which the protocol cannot express).
        """
        ...

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
        """Run a query and serialise its result with the backend's own writer.

        ``media_type`` is a SPARQL results type (JSON, XML, CSV, TSV) for SELECT/ASK, or an RDF type
        (Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG) for CONSTRUCT/DESCRIBE. When
        ``graph_media_type`` is given, it is the format of a CONSTRUCT/DESCRIBE answer and
        ``media_type`` that of a SELECT/ASK one, so the caller need not know the query's form.
        Returns the bytes and the media type actually written.

        Raises:
            jaif_kg.errors.ResultTooLarge: the answer is longer than ``max_bytes`` bytes (the
                writer stops there where the backend streams).
        """
        ...

    def count(self, graph: str | None = None) -> int:
        """Number of triples in ``graph``, or of quads in the whole dataset when ``None``."""
        ...

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs that hold at least one triple, sorted."""
        ...

    def dump(self, media_type: str, graph: str | None = None) -> bytes:
        """Serialise one graph (``graph``; default graph when ``None`` and the format has no
        datasets) or, for N-Quads/TriG with ``graph=None``, the whole dataset."""
        ...

    def clear(self) -> None:
        """Remove every triple of every graph."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...

    # -- capabilities, with an embedded store's answers -------------------------------------------

    @property
    def raw(self) -> ox.Store | None:
        """The backend's own pyoxigraph store, if it has one (what the benchmarks compare with)."""
        return None

    def default_graph_nodes(self) -> list[ox.NamedNode | ox.DefaultGraph] | None:
        """The graphs of :attr:`raw` whose union, in this order, is the default graph of a query
        that names no dataset (what the engine is given), or ``None`` without :attr:`raw`."""
        return None

    def read_only_opener(self) -> Callable[[], Store] | None:
        """How another process opens its own read-only handle on this store (a picklable
        callable), or ``None`` when it must share this one (in memory: a forked snapshot)."""
        return None

    def where(self) -> str:
        """Where the data lives, in words: a server's URL, else the backend's name."""
        return self.name

    def write_plan(self, triples: int) -> str:
        """How a graph of ``triples`` triples goes into the store, in words."""
        return f"replace_graph on {self.name}"

    def check_endpoint(self) -> None:
        """Make sure that the store is what it claims before anything is written to it (a
        server: a SPARQL query endpoint); nothing to check in an embedded store.

        Raises:
            jaif_kg.errors.InputError: not a SPARQL query endpoint.
        """
        return None

    def drop_staging_graphs(self) -> list[str]:
        """Drop what an interrupted write left behind (a server's staging graphs); return their
        names. An embedded store's writes leave nothing behind."""
        return []


class BoundedBuffer:
    """A binary writer that refuses to grow past ``limit`` bytes (``None``: no limit).

    Backends that stream their answers write into it, so an oversized answer stops being written
    at the limit instead of being built whole.

    >>> out = BoundedBuffer(4)
    >>> out.write(b"abc")
    3
    >>> out.write(b"de")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.ResultTooLarge: the answer is larger than 4 bytes ...
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.overflowed = False
        self._parts: list[bytes] = []
        self._size = 0

    def message(self) -> str:
        """The error message for an answer past the limit."""
        return (
            f"the answer is larger than {self.limit} bytes (the server's limit, "
            "JAIF_MAX_RESULT_BYTES): add a LIMIT, select fewer or shorter values, or page "
            "with LIMIT and OFFSET"
        )

    def write(self, data: bytes) -> int:
        """Append ``data``; raise :class:`~jaif_kg.errors.ResultTooLarge` past the limit."""
        self._size += len(data)
        if self.limit is not None and self._size > self.limit:
            self.overflowed = True
            self._parts.clear()
            raise ResultTooLarge(self.message())
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes stay in memory."""

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return b"".join(self._parts)
