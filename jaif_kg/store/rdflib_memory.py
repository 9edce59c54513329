"""The reference store: an rdflib ``Dataset`` in memory, queried by rdflib's SPARQL engine.

It is slow (see PERF-NOTES) but its query engine is independent of Oxigraph's, so running the
same queries on both checks each against the other. Input is parsed by the same pyoxigraph parser
as every other backend, so a malformed file gives the same error, with the same line, everywhere,
and literals are kept in Oxigraph's canonical form (see ``_add``), so both hold the same terms.

Safety: rdflib would fetch the URL of a ``SERVICE`` clause, and the URL of a ``FROM`` graph it does
not hold. Here ``SERVICE`` is refused, and the dataset clause is taken out of the parsed query and
applied by this module as a selection among the graphs already held, exactly as Oxigraph does
(https://www.w3.org/TR/sparql11-query/#specifyingDataset): nothing is ever dereferenced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.processor import SPARQLResult
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow

from jaif_kg.errors import QuerySyntaxError, ResultTooLarge
from jaif_kg.rdf.formats import rdf_format, results_format
from jaif_kg.rdf.terms import to_oxigraph, to_rdflib
from jaif_kg.sparql.safety import refuse_service
from jaif_kg.store.base import BoundedBuffer, DefaultDataset, QueryResult, Store, Term
from jaif_kg.store.oxigraph import parse_quads

#: How many parsed queries are kept (rdflib takes about a millisecond to parse one).
PREPARED_CACHE_SIZE = 512


@dataclass(frozen=True)
class _Prepared:
    """A parsed query, its ``FROM``/``FROM NAMED`` IRIs, and the query without them."""

    query: Query
    has_dataset: bool
    from_default: tuple[str, ...]
    from_named: tuple[str, ...]


@lru_cache(maxsize=PREPARED_CACHE_SIZE)
def _prepare(sparql: str) -> _Prepared:
    try:
        # initNs={}: only the prefixes the query declares, as on every other backend
        parsed = prepareQuery(sparql, initNs={})
    # rdflib raises pyparsing's ParseException for grammar errors and a bare Exception for
    # undeclared prefixes and some other semantic errors: both are the query's fault.
    except Exception as exc:
        raise QuerySyntaxError(str(exc)) from exc
    main = parsed.algebra
    clauses = main.get("datasetClause") or []
    from_default = tuple(str(c.default) for c in clauses if c.get("default") is not None)
    from_named = tuple(str(c.named) for c in clauses if c.get("named") is not None)
    if clauses:
        stripped = CompValue(main.name, **{k: v for k, v in main.items() if k != "datasetClause"})
        stripped["datasetClause"] = None
        parsed = Query(parsed.prologue, stripped)
    return _Prepared(parsed, bool(clauses), from_default, from_named)


class RdflibStore(Store):
    """An rdflib ``Dataset`` in memory (default graph kept apart from the named graphs)."""

    name: ClassVar[str] = "rdflib"
    persistent: ClassVar[bool] = False
    context_aware: ClassVar[bool] = True
    remote: ClassVar[bool] = False

    def __init__(self, *, dataset: DefaultDataset | None = None) -> None:
        self._ds = Dataset(default_union=False)
        #: the view a query that names no dataset sees, built once per state of the data
        self._default_view: Dataset | None = None
        if dataset is not None:
            self.dataset = dataset

    # -- writing ------------------------------------------------------------------------------

    def _graph(self, graph: str | None) -> Graph:
        if graph is None:
            default: Graph = self._ds.default_graph
            return default
        return self._ds.graph(URIRef(graph))

    def _add(self, quads: Iterable[ox.Quad]) -> None:
        # Oxigraph keeps numbers, booleans and dates by value ("01"^^xsd:integer comes back as
        # "1"); passing the quads through a scratch pyoxigraph store gives this backend the
        # same terms, so that both engines answer the same queries with the same literals.
        scratch = ox.Store()
        scratch.extend(quads)
        graphs: dict[str | None, Graph] = {}
        rows: list[tuple[Any, Any, Any, Graph]] = []
        for quad in scratch:
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
            target = graphs.get(name)
            if target is None:
                target = graphs[name] = self._graph(name)
            rows.append(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object), target)
            )
        self._ds.addN(rows)
        self._default_view = None

    def load(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Add ``data``; all or nothing (parsed completely before anything is added)."""
        self._add(parse_quads(data, media_type, graph))

    def replace_graph(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Parse ``data`` completely, then swap it in: malformed data leaves the graph as it was."""
        self.replace_quads(parse_quads(data, media_type, graph), graph)

    def replace_quads(self, quads: list[ox.Quad], graph: str | None = None) -> None:
        if graph is None:
            self._graph(None).remove((None, None, None))
        else:
            self._ds.remove_graph(URIRef(graph))
        self._default_view = None
        self._add(quads)

    def clear(self) -> None:
        self._ds = Dataset(default_union=False)
        self._default_view = None

    def close(self) -> None:
        """Nothing to release: the data lives in memory only."""

    # -- reading ------------------------------------------------------------------------------

    def _view(
        self,
        prepared: _Prepared,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> Dataset:
        """The dataset a query sees: the whole store, or a copy of the selected graphs.

        The protocol's selection wins over the query's ``FROM``/``FROM NAMED``, part by part, as
        in pyoxigraph; without either, the store's default graph and all its named graphs.
        """
        if default_graphs is None and prepared.has_dataset:
            default_graphs = prepared.from_default
        if named_graphs is None and prepared.has_dataset:
            named_graphs = prepared.from_named
        merged = (
            None if default_graphs is not None else self.dataset.default_graphs(self.named_graphs())
        )
        if default_graphs is None and named_graphs is None:
            if merged is None:
                return self._ds
            if self._default_view is None:
                self._default_view = self._copy(None, None, merged)
            return self._default_view
        return self._copy(default_graphs, named_graphs, merged)

    def _copy(
        self,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        merged: Sequence[str] | None = None,
    ) -> Dataset:
        """A dataset of copies: ``default_graphs`` merged (``None``: the store's own default graph
        and ``merged``) and ``named_graphs`` (``None``: all of them)."""
        view = Dataset(default_union=False)
        target = view.default_graph
        if default_graphs is None:
            target += self._graph(None)
            for name in merged or ():
                target += self._existing(name)
        else:
            for name in default_graphs:
                target += self._existing(name)
        for name in self.named_graphs() if named_graphs is None else named_graphs:
            copy = view.graph(URIRef(name))
            copy += self._existing(name)
        return view

    def _existing(self, name: str) -> Graph:
        """A read-only view of a named graph that does not create it when it is missing."""
        return Graph(store=self._ds.store, identifier=URIRef(name))

    def _evaluate(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> SPARQLResult:
        refuse_service(sparql)
        prepared = _prepare(sparql)
        dataset = self._view(prepared, default_graphs, named_graphs)
        return SPARQLResult(evalQuery(dataset, prepared.query))

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        result = self._evaluate(sparql, default_graphs, named_graphs)
        if result.type == "ASK":
            return QueryResult("boolean", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars or []]
            rows: list[dict[str, Term]] = [
                {str(k): v for k, v in row.asdict().items()}
                for row in result
                if isinstance(row, ResultRow)
            ]
            return QueryResult("solutions", variables=variables, rows=rows)
        assert result.graph is not None
        triples: list[tuple[Term, Term, Term]] = [
            (s, p, o)  # type: ignore[misc]  # rdflib types graph nodes as Node
            for s, p, o in result.graph
        ]
        return QueryResult("graph", triples=triples)

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
        """Serialise with rdflib's writers (SPARQL JSON/XML; Turtle, N-Triples, JSON-LD, RDF/XML).

        rdflib has no TSV writer and no CSV for ASK, and names its default graph in N-Quads and
        TriG; those go through pyoxigraph's writers instead.
        """
        body, written = self._serialize(
            self._evaluate(sparql, default_graphs, named_graphs), media_type, graph_media_type
        )
        if max_bytes is not None and len(body) > max_bytes:
            raise ResultTooLarge(BoundedBuffer(max_bytes).message())
        return body, written

    def _serialize(
        self, result: SPARQLResult, media_type: str, graph_media_type: str | None
    ) -> tuple[bytes, str]:
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            fmt = rdf_format(graph_media_type or media_type)
            assert result.graph is not None
            if fmt.datasets and fmt.name != "jsonld":
                triples = [
                    ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                    for s, p, o in result.graph
                ]
                return ox.serialize(triples, format=fmt.oxigraph) or b"", fmt.media_type
            data = result.graph.serialize(format=fmt.rdflib_name, encoding="utf-8")
            return data, fmt.media_type
        rfmt = results_format(media_type)
        if rfmt.name in ("json", "xml"):
            return result.serialize(format=rfmt.name) or b"", rfmt.media_type
        as_json = result.serialize(format="json") or b""
        converted = ox.parse_query_results(as_json, format=ox.QueryResultsFormat.JSON)
        return converted.serialize(format=rfmt.oxigraph) or b"", rfmt.media_type

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return len(self._existing(graph))
        return sum(len(g) for g in self._ds.graphs())

    def named_graphs(self) -> list[str]:
        default_id = self._ds.default_graph.identifier
        return sorted(
            str(g.identifier)
            for g in self._ds.graphs()
            if isinstance(g.identifier, URIRef) and g.identifier != default_id and len(g) > 0
        )

    def _quads(self, graph: str | None, whole_dataset: bool) -> list[ox.Quad]:
        names: list[str | None] = [None, *self.named_graphs()] if whole_dataset else [graph]
        quads = []
        for name in names:
            gname = ox.NamedNode(name) if name else ox.DefaultGraph()
            source = self._graph(None) if name is None else self._existing(name)
            for s, p, o in source:
                quads.append(
                    ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), gname)  # type: ignore[arg-type]
                )
        return quads

    def dump(self, media_type: str, graph: str | None = None) -> bytes:
        """Serialise with pyoxigraph's writers (rdflib names its default graph in N-Quads/TriG)."""
        fmt = rdf_format(media_type)
        whole = fmt.datasets and graph is None
        quads = self._quads(graph, whole)
        if whole:
            return ox.serialize(quads, format=fmt.oxigraph) or b""
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return ox.serialize(triples, format=fmt.oxigraph) or b""
