"""The shipped graph into a store: loaded at start-up (:func:`load_shipped`), pushed to a SPARQL
server (:func:`push`, ``jaif-kg load``); both through :mod:`jaif_kg.store.loading`.

A push validates nothing itself (``jaif-kg load`` validates first): it asks the server a harmless
query, then sends the graph as one graph that replaces the target graph, then counts it there.
How it is sent, and why a failure leaves the previous graph in place, is the remote store's
business (:mod:`jaif_kg.store.remote`): a Graph Store Protocol ``PUT``, or one SPARQL Update
request, or chunks into a staging graph swapped in by one ``MOVE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jaif_kg.errors import InputError, QueryTimeout, StoreError
from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store.base import Store
from jaif_kg.store.loading import escaped_parser_limit, load_files, read_triples, sync_graph


def load_shipped(
    store: Store, settings: Settings, graphs: Sequence[tuple[str, Path]] = ()
) -> int | None:
    """Put the shipped graph in the default graph of ``store``, and each ``(IRI, FILE)`` of
    ``graphs`` in the named graph IRI, every file read under ``settings.base_iri``.

    An in-memory store is loaded (:func:`load_files`); a persistent one is synchronised
    (:func:`sync_graph`: reloaded only when the files changed since); a server's store is left
    as it is (its graph is pushed beforehand with ``jaif-kg load``).

    Returns:
        The triples read into an in-memory store; ``None`` for the others.

    Raises:
        InputError: a file is missing or malformed (file and line).
    """
    paths, base = shipped_paths(settings), settings.base_iri
    if store.persistent:
        sync_graph(store, paths, base=base)
        for iri, path in graphs:
            sync_graph(store, [path], iri, base=base)
        return None
    triples = load_files(store, paths, base=base)
    for iri, path in graphs:
        triples += load_files(store, [path], iri, base=base)
    return triples


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
