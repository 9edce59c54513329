"""Stores of every backend for the contract suite, the remote one on a live Oxigraph server and
on a live Virtuoso Open-Source 7 (through its Digest-authenticated endpoints)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from tests.oxigraph_server import OxigraphServer
from tests.virtuoso_server import PASSWORD, USER, VirtuosoServer

DATA = Path(__file__).parent / "data"

#: Every backend, and both write paths of the remote one (SPARQL Update, Graph Store Protocol),
#: on Oxigraph server and on Virtuoso.
BACKENDS = [
    "oxigraph",
    "oxigraph-disk",
    "rdflib",
    "remote",
    "remote-gsp",
    "virtuoso",
    "virtuoso-gsp",
]


def settings_for(
    kind: str,
    tmp_path: Path,
    server: OxigraphServer | VirtuosoServer | None,
    *,
    union: bool = False,
) -> Settings:
    """The settings that select one backend, as a user would write them.

    The contract suite tests the backends' own dataset (``union=False``: a query that names no
    graph sees the store's default graph, as the shipped graph is absent); the union default
    graph has its tests in ``test_dataset.py``.
    """
    if kind == "oxigraph-disk":
        return Settings(store="oxigraph", store_path=tmp_path / "store", union_default_graph=union)
    if kind.startswith("virtuoso"):
        assert isinstance(server, VirtuosoServer)
        return Settings(
            store=server.auth_url,
            graph_store_url=server.store_url if kind == "virtuoso-gsp" else None,
            remote_user=USER,
            remote_password=PASSWORD,
            union_default_graph=union,
        )
    if kind.startswith("remote"):
        assert isinstance(server, OxigraphServer)
        return Settings(
            store=server.query_url,
            update_url=server.update_url,
            graph_store_url=server.store_url if kind == "remote-gsp" else None,
            union_default_graph=union,
        )
    return Settings(store=kind, union_default_graph=union)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend in turn."""
    kind: str = request.param
    server = None
    if kind.startswith("remote"):
        server = request.getfixturevalue("oxigraph_server")
    elif kind.startswith("virtuoso"):
        server = request.getfixturevalue("virtuoso_server")
    opened = open_store(settings_for(kind, tmp_path, server))
    yield opened
    opened.close()
