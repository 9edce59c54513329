"""``sources-of`` of a resource in a graph that has no record (no source anywhere) gave one row
per titled resource of the whole dataset for each statement: the title was joined on an unbound
``?source``. Each statement now gives one row, with no source."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from jaif_kg.catalog import Catalog, run_named
from jaif_kg.settings import Settings
from tests.catalog.integration import integration_store

REPO = Path(__file__).resolve().parents[2]
GRAPH = "http://example.org/unrecorded"
THING = "http://example.org/unrecorded/thing"


def test_a_statement_without_any_source_is_one_row() -> None:
    settings = Settings()
    store = integration_store(settings)
    statements = [
        ox.Quad(
            ox.NamedNode(THING),
            ox.NamedNode(f"{THING}#p{i}"),
            ox.Literal(f"v{i}"),
            ox.NamedNode(GRAPH),
        )
        for i in range(3)
    ]
    raw = store.raw
    assert raw is not None
    raw.extend(statements)
    query = Catalog.from_dir(REPO / "queries", base=settings.base_iri)["sources-of"]
    rows = list(run_named(store, query, {"iri": THING}))
    assert len(rows) == len(statements)
    assert all(row.get("source") is None for row in rows)
