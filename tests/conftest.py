"""Fixtures shared by the whole suite. Keep them small and generic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jaif_kg.catalog import Catalog
from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.loading import load_files as load_store
from tests.require import require

#: Fixtures that run live servers (``oxigraph_server``, ``virtuoso_server``) for the store tests.
pytest_plugins = ["tests.oxigraph_server", "tests.virtuoso_server"]

#: The checkout (ontology/, graph_data/, queries/ live here).
REPO = Path(__file__).resolve().parent.parent
#: Test data.
FIXTURES = REPO / "tests" / "fixtures"


def require_suite(path: Path, what: str) -> None:
    """Skip, or fail under CI, when a third-party test suite from ``../shared`` is missing.

    Third-party suites stay outside the repository. A bare clone skips the tests that need one,
    with a reason naming the missing path and how to provide it; ``JAIF_REQUIRE_SUITES=1`` (set
    by ``.ci/run``) turns the skip into a failure.
    """
    if path.exists():
        return
    reason = (
        f"{what} is missing: {path} does not exist. Put the shared folder beside the checkout "
        "(../shared/conformance) or set JAIF_CONFORMANCE_DIR to the folder holding w3c-rdf-tests/"
    )
    require(reason)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the checkout itself (the shipped ontology, data, shapes and queries)."""
    return Settings(
        ontology_dir=REPO / "ontology",
        data_dir=REPO / "graph_data",
        queries_dir=REPO / "queries",
        store="oxigraph",
        store_path=None,
    )


@pytest.fixture(scope="session")
def shipped_store(settings: Settings) -> Iterator[Store]:
    """An in-memory Oxigraph store holding the shipped graph (ontology + graph_data/).

    Shared by the session: do not write to it.
    """
    store = open_store(settings)
    load_store(store, shipped_paths(settings))
    yield store
    store.close()


@pytest.fixture(scope="session")
def catalog(settings: Settings) -> Catalog:
    """The named queries of ``queries/``."""
    return Catalog.from_dir(settings.queries_dir)
