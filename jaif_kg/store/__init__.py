"""Store backends behind one interface. Only this package imports backend classes.

``settings.store`` picks the backend:

* ``oxigraph`` (default): embedded pyoxigraph, in memory, or on disk in ``settings.store_path``;
* ``rdflib``: an rdflib ``Dataset`` in memory, the pure-Python reference;
* an ``http://`` or ``https://`` URL: the query endpoint of a SPARQL 1.1 server, with
  ``settings.update_url``, ``settings.graph_store_url`` and the ``remote_*`` credentials.
"""

from __future__ import annotations

from jaif_kg.errors import InputError
from jaif_kg.settings import Settings
from jaif_kg.store.base import QueryResult, Store, Term
from jaif_kg.store.graphs import (
    GraphRecord,
    default_dataset,
    graph_records,
    meta_graph,
    record_graph,
    shipped_graph,
)
from jaif_kg.store.loading import fingerprint, read_triples, sync_graph
from jaif_kg.store.shipped import load_shipped

__all__ = [
    "GraphRecord",
    "QueryResult",
    "Store",
    "Term",
    "fingerprint",
    "graph_records",
    "load_shipped",
    "meta_graph",
    "open_store",
    "read_triples",
    "record_graph",
    "shipped_graph",
    "sync_graph",
]


def is_url(value: str) -> bool:
    """Whether a ``--store`` value names a SPARQL server rather than a backend.

    >>> is_url("http://127.0.0.1:7878/query"), is_url("oxigraph")
    (True, False)
    """
    return value.startswith(("http://", "https://"))


def open_store(settings: Settings) -> Store:
    """Open the store that ``settings.store`` names: ``oxigraph``, ``rdflib`` or a server's URL.

    A remote store is opened without contacting the server; the first query does. A query that
    names no dataset sees the union of the data graphs (``settings.union_default_graph``), else
    the shipped graph (:func:`jaif_kg.store.graphs.default_dataset`).

    Raises:
        jaif_kg.errors.InputError: ``settings.store`` names no backend.
        jaif_kg.errors.StoreError: the on-disk store cannot be opened.
    """
    kind = settings.store
    dataset = default_dataset(union=settings.union_default_graph, base=settings.base_iri)
    if kind == "oxigraph":
        from jaif_kg.store.oxigraph import OxigraphStore

        return OxigraphStore(settings.store_path, dataset=dataset)
    if kind == "rdflib":
        from jaif_kg.store.rdflib_memory import RdflibStore

        return RdflibStore(dataset=dataset)
    if is_url(kind):
        from jaif_kg.store.remote import RemoteStore

        return RemoteStore(
            kind,
            update_url=settings.update_url,
            graph_store_url=settings.graph_store_url,
            user=settings.remote_user,
            password=settings.remote_password,
            timeout=settings.query_timeout,
            chunk_triples=settings.remote_chunk_triples,
            dataset=dataset,
        )
    raise InputError(f"unknown store {kind!r}: use 'oxigraph', 'rdflib' or an http(s) URL")
