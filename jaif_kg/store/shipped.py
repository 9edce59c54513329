"""The shipped graph into a store: loaded at start-up (:func:`load_shipped`), pushed to a SPARQL
server (:func:`push` one graph, :func:`push_dataset` the dataset: ``jaif-kg load``); both through
:mod:`jaif_kg.store.loading`.

A push validates nothing itself (``jaif-kg load`` validates first): it asks the server a harmless
query, then sends the graph as one graph that replaces the target graph, then counts it there.
:func:`push_dataset` pushes the shipped graph to ``{base}graph/jaif`` and each ``--graph`` file
to its own graph, one after the other, and records each in the metadata graph.
How it is sent, and why a failure leaves the previous graph in place, is the remote store's
business (:mod:`jaif_kg.store.remote`): a Graph Store Protocol ``PUT``, or one SPARQL Update
request, or chunks into a staging graph swapped in by one ``MOVE``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.errors import InputError, QueryTimeout, StoreError
from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store.base import Store
from jaif_kg.store.graphs import (
    GraphRecord,
    comparable_iri,
    graph_records,
    meta_graph,
    record_graph,
    shipped_graph,
)
from jaif_kg.store.loading import (
    drop_stale_graph_files,
    escaped_parser_limit,
    fingerprint,
    forget_default_graph,
    put_graph_files,
    read_graph_files,
    read_triples,
    recorded_sources,
    sync_graph,
)

log = logging.getLogger(__name__)

#: The licence of the shipped data and ontology (README: "data and ontology CC BY 4.0").
SHIPPED_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def load_shipped(
    store: Store, settings: Settings, graphs: Sequence[tuple[str | None, Path]] = ()
) -> int | None:
    """Put the shipped graph in the named graph ``{base}graph/jaif`` of ``store``, and the files
    of ``graphs`` (``(IRI, FILE)``, or ``(None, FILE)`` for a TriG/N-Quads file whose graph
    names are kept: :func:`~jaif_kg.store.loading.read_graph_files`) in graphs of their own,
    every file read under ``settings.base_iri``; record each graph loaded in the metadata graph
    (:func:`~jaif_kg.store.graphs.record_graph`).

    Every file is read before the store is touched: a malformed file, a file of several graphs
    given one IRI, or a graph named like the shipped or the metadata graph changes nothing.
    An in-memory store is loaded; a persistent one is synchronised (each graph reloaded only
    when its files changed since, and a graph an earlier start loaded from a ``--graph`` file not
    given now dropped with its record, logged as a warning:
    :func:`~jaif_kg.store.loading.drop_stale_graph_files`; imported graphs stay); a server's
    store is left as it is (``jaif-kg load`` pushes).

    Returns:
        The triples read into an in-memory store; ``None`` for the others.

    Raises:
        InputError: a file is missing or malformed (file and line), or a ``--graph`` is refused.
    """
    paths, base = shipped_paths(settings), settings.base_iri
    files = read_graph_files(graphs, base=base)
    if store.remote:
        return None
    target = shipped_graph(base)
    if store.persistent and "" in recorded_sources(store):
        # a store loaded before the shipped graph had a name: its copy in the default graph goes
        forget_default_graph(store)
    reloaded = sync_graph(store, paths, target, base=base)
    known = {r.graph for r in graph_records(store, base=base)}
    if reloaded or target not in known:
        record_shipped(store, settings, paths)
    dropped = drop_stale_graph_files(store, files, keep=[target], base=base)
    if dropped:
        # the start-up line counts what is served; this says what left and why
        log.warning(
            "dropped %s from %s: loaded from --graph files at an earlier start, not given now",
            ", ".join(f"<{g}>" for g in dropped),
            store.path,
        )
    put_graph_files(store, files, base=base)
    if store.persistent:
        return None
    return store.count(target) + sum(store.count(gf.graph) for gf in files)


def record_shipped(
    store: Store, settings: Settings, paths: Sequence[Path], graph: str | None = None
) -> None:
    """Record the shipped graph (as it is in ``store``, in ``graph``: by default
    ``{base}graph/jaif``) in the metadata graph: its source is the data folder, its checksum the
    fingerprint of its files (:func:`~jaif_kg.store.fingerprint`)."""
    base = settings.base_iri
    folder = settings.data_dir.resolve()
    graph = graph or shipped_graph(base)
    record_graph(
        store,
        GraphRecord(
            graph,
            folder.as_uri(),
            fingerprint(paths, base=base),
            store.count(graph),
            license=SHIPPED_LICENSE,
            title="JAIF knowledge graph: ontology and graph_data/",
        ),
        base=base,
    )


@dataclass(frozen=True)
class PushReport:
    """What a push did.

    Attributes:
        target: where the graph went, in words (``the default graph of URL`` or ``<IRI> on URL``).
        sent: distinct triples sent.
        on_server: triples the target graph holds afterwards, as the server counts them.
        method: how the graph was sent, in words.
        dropped_staging: staging graphs of an earlier interrupted push, dropped first.
    """

    target: str
    sent: int
    on_server: int
    method: str
    dropped_staging: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """Whether the server counts as many triples as were sent."""
        return self.sent == self.on_server


def count_graph(store: Store, graph: str | None) -> int:
    """Triples in one graph (``graph=None``: the default graph alone).

    Raises:
        StoreError: the server answered the count with something other than a number.
    """
    if graph is not None:
        return store.count(graph)
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    if not rows:
        return 0
    value = str(rows[0].get("n", ""))
    if not value.isdigit():
        raise StoreError(f"{store.where()} answered a COUNT with {value or 'no value'!r}")
    return int(value)


def push(
    paths: Sequence[Path], store: Store, graph: str | None = None, *, base: str = DEFAULT_BASE
) -> PushReport:
    """Replace ``graph`` in ``store`` with the triples of ``paths`` (read under ``base``), then
    count it there.

    The store is first asked to check itself (:meth:`~jaif_kg.store.base.Store.check_endpoint`:
    a server answers ``ASK {}``): a URL that answers like something else than a SPARQL server
    gets no write at all.

    Raises:
        InputError: a file is missing or malformed, or the store is not a SPARQL server
            (nothing is sent).
        StoreError: the server failed or could not be reached; the message says what became
            of the target graph.
    """
    merged = read_triples(paths, base=base)
    where = store.where()
    target = f"the default graph of {where}" if graph is None else f"<{graph}> on {where}"
    method = store.write_plan(merged.triples)
    try:
        try:
            store.check_endpoint()
        except InputError as exc:
            raise InputError(f"{exc}; nothing was pushed") from exc
        except QueryTimeout as exc:  # nothing was sent: not the timeout of a push
            raise StoreError(str(exc)) from exc
        dropped = tuple(store.drop_staging_graphs())
        with escaped_parser_limit(paths, base=base):
            store.replace_graph(merged.ntriples, merged.media_type, graph)
    except QueryTimeout as exc:
        raise StoreError(
            f"{exc}; the server may still finish the push: check {target} before pushing again"
        ) from exc
    except StoreError as exc:
        raise StoreError(f"{exc}; {target} was left as it was") from exc
    return PushReport(target, merged.triples, count_graph(store, graph), method, dropped)


def check_shipped_target(iri: str, base: str = DEFAULT_BASE) -> str:
    """``iri`` if the shipped graph may be pushed there (``load --shipped-graph``).

    >>> check_shipped_target("http://example.org/kg")
    'http://example.org/kg'

    Raises:
        InputError: not an absolute IRI, or the metadata graph.
    """
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"--shipped-graph {iri!r} is not an absolute IRI ({exc})") from None
    meta = comparable_iri(meta_graph(base))
    if comparable_iri(iri) == meta or comparable_iri(iri).startswith(meta + "/"):
        raise InputError(
            f"--shipped-graph <{iri}> is the metadata graph (or one of its records), where the "
            "graphs' records go"
        )
    return iri


def push_dataset(
    store: Store,
    settings: Settings,
    graphs: Sequence[tuple[str | None, Path]] = (),
    *,
    shipped_target: str | None = None,
) -> list[PushReport]:
    """Push the shipped graph to ``shipped_target`` (default ``{base}graph/jaif``) and the files
    of ``graphs`` (as ``serve --graph`` takes them: ``(IRI, FILE)``, or ``(None, FILE)`` for a
    TriG/N-Quads file whose graph names are kept) to graphs of their own on a server; record
    each graph in the metadata graph (:func:`~jaif_kg.store.graphs.record_graph`).

    Every file is read before anything is sent. Each graph is then replaced at once (the
    remote store's replacement: a failed one leaves that graph as it was) and recorded, one
    after the other: when one fails, those before it stay pushed, and the error says so.

    Returns:
        One report per graph pushed, the shipped graph first.

    Raises:
        InputError: a file is missing or malformed, a ``--graph`` is refused, or the store is
            not a SPARQL server (nothing is sent).
        StoreError: the server failed; the message says which graphs were pushed before.
    """
    base = settings.base_iri
    target = check_shipped_target(shipped_target or shipped_graph(base), base)
    paths = shipped_paths(settings)
    files = read_graph_files(graphs, base=base)
    for gf in files:
        if gf.graph == target:
            raise InputError(
                f"--graph {gf.path}: the graph <{target}> is where the shipped graph goes; "
                "load the file into another graph",
                path=str(gf.path),
            )
    reports = [push(paths, store, target, base=base)]
    where = store.where()
    pushed = [target]
    step = f"<{target}> was pushed but not recorded in <{meta_graph(base)}>"
    try:
        record_shipped(store, settings, paths, target)
        for gf in files:
            step = f"<{gf.graph}> was left as it was, or pushed but not recorded"
            sent = len(set(gf.quads))
            method = store.write_plan(sent)
            put_graph_files(store, [gf], base=base)
            pushed.append(gf.graph)
            reports.append(
                PushReport(f"<{gf.graph}> on {where}", sent, store.count(gf.graph), method)
            )
    except (StoreError, QueryTimeout) as exc:
        done = ", ".join(f"<{g}>" for g in pushed)
        raise StoreError(f"{exc}; {step}; pushed before: {done}") from exc
    return reports
