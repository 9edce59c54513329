"""Store backends behind one interface. Only this package imports backend classes."""

from __future__ import annotations

from jaif_kg.settings import Settings
from jaif_kg.store.base import QueryResult, Store, Term

__all__ = ["QueryResult", "Store", "Term", "open_store"]


def open_store(settings: Settings) -> Store:
    """Open the store that ``settings.store`` names (``oxigraph``, ``rdflib`` or an endpoint URL)."""
    kind = settings.store
    if kind == "oxigraph":
        from jaif_kg.store.oxigraph import OxigraphStore

        return OxigraphStore(settings.store_path)
    raise ValueError(f"unknown store {kind!r}: use 'oxigraph', 'rdflib' or an http(s) URL")
