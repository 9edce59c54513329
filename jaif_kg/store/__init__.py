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
from jaif_kg.store.loading import fingerprint, read_triples, sync_graph
from jaif_kg.store.shipped import load_shipped

__all__ = [
    "QueryResult",
    "Store",
    "Term",
    "fingerprint",
    "load_shipped",
    "open_store",
    "read_triples",
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

    A remote store is opened without contacting the server; the first query does.

    Raises:
        jaif_kg.errors.InputError: ``settings.store`` names no backend.
        jaif_kg.errors.StoreError: the on-disk store cannot be opened.
    """
    kind = settings.store
    if kind == "oxigraph":
        from jaif_kg.store.oxigraph import OxigraphStore

        return OxigraphStore(settings.store_path)
    if kind == "rdflib":
        from jaif_kg.store.rdflib_memory import RdflibStore

        return RdflibStore()
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
        )
    raise InputError(f"unknown store {kind!r}: use 'oxigraph', 'rdflib' or an http(s) URL")
