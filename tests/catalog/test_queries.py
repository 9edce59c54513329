"""The named queries of ``queries/``: each parses, has a complete header, runs its example on
the shipped graph, and matches its golden results (``tests/fixtures/queries/*.yaml``, format
and helper in ``tests/golden.py``). A golden file with ``data: integration`` runs on the shipped
graph beside imported graphs (``tests/catalog/integration.py``); a query tagged
``cross-dataset`` shows its example at work there, since the shipped graph alone has nothing for
it to join with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from jaif_kg.catalog import Catalog, load_query, run_named
from jaif_kg.settings import Settings
from jaif_kg.store import Store
from tests.catalog.integration import integration_store, run_on_union
from tests.golden import GOLDEN_DIR, compare

REPO = Path(__file__).resolve().parents[2]
QUERY_FILES = sorted((REPO / "queries").glob("*.rq"))
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.yaml"))
GOLDEN_KEYS = {"data", "params", "ordered", "rows", "boolean", "triples"}
#: The datasets a golden file can name with ``data:`` (default: the shipped graph alone).
DATASETS = {"shipped", "integration"}
#: The tag of queries that join the shipped graph with imported graphs.
CROSS_DATASET = "cross-dataset"


def query_name(golden: Path) -> str:
    return golden.name.split(".", 1)[0]


@pytest.fixture(scope="module")
def imported_store(settings: Settings) -> Iterator[Store]:
    """The shipped graph and the imported graphs of the integration fixture (do not write)."""
    store = integration_store(settings)
    yield store
    store.close()


def test_there_are_at_least_twelve_queries() -> None:
    assert len(QUERY_FILES) >= 12


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_parses_with_a_complete_header(path: Path) -> None:
    query = load_query(path)  # parses (rdflib and pyoxigraph), header typed, example binds
    assert query.summary
    for p in query.parameters:
        assert p.description, p.name
    if query.parameters:
        assert query.example, "a query with parameters needs an example that sets some"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_example_runs_on_the_shipped_graph(
    path: Path, shipped_store: Store, imported_store: Store, settings: Settings
) -> None:
    query = load_query(path)
    result = run_named(shipped_store, query, query.example)
    if CROSS_DATASET in query.tags:
        result = run_on_union(imported_store, query, query.example, settings.base_iri)
    if result.kind != "boolean":
        assert len(result) > 0, "the example should show the query at work: it returns nothing"


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem)
def test_golden_result(
    path: Path, catalog: Catalog, shipped_store: Store, imported_store: Store, settings: Settings
) -> None:
    golden: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(golden, dict) and set(golden) <= GOLDEN_KEYS, f"keys: {GOLDEN_KEYS}"
    dataset = golden.get("data", "shipped")
    assert dataset in DATASETS, f"data: one of {sorted(DATASETS)}"
    query = catalog[query_name(path)]
    params = {str(k): str(v) for k, v in (golden.get("params") or {}).items()}
    if dataset == "integration":
        result = run_on_union(imported_store, query, params, settings.base_iri)
    else:
        result = run_named(shipped_store, query, params)
    problems = compare(result, golden)
    assert not problems, "\n".join(problems)


def test_every_query_has_a_golden_file(catalog: Catalog) -> None:
    covered = {query_name(p) for p in GOLDEN_FILES}
    missing = sorted(set(catalog.names()) - covered)
    assert not missing, (
        f"queries without a golden file in {GOLDEN_DIR}: {missing} "
        "(print one with: .venv/bin/python -m tests.golden NAME key=value ...)"
    )


def test_every_golden_file_names_a_query(catalog: Catalog) -> None:
    orphans = sorted(p.name for p in GOLDEN_FILES if query_name(p) not in catalog)
    assert not orphans, f"golden files of no query: {orphans}"


def test_golden_comparison_catches_differences(catalog: Catalog, shipped_store: Store) -> None:
    """The comparison is not vacuous: a dropped row, a changed value, a literal written where an
    IRI is, or rows out of order each fail."""
    golden: dict[str, Any] = yaml.safe_load((GOLDEN_DIR / "projects.khm.yaml").read_text())
    result = run_named(shipped_store, catalog["projects"], golden["params"])
    assert compare(result, golden) == []
    rows = golden["rows"]
    first = rows[0]
    for wrong_rows in (
        rows[1:],
        [{**first, "title": first["title"] + "!"}, *rows[1:]],
        [
            {**first, "project": first["project"].replace("id:", "https://w3id.org/jaif-kg/id/")},
            *rows[1:],
        ],
        [*rows, first],
        [{k: v for k, v in first.items() if k != "statusAsOf"}, *rows[1:]],
    ):
        assert compare(result, {**golden, "rows": wrong_rows}), wrong_rows
    assert compare(result, {**golden, "rows": rows[::-1]}) == ["the same rows, in another order"]
    assert compare(result, {**golden, "rows": rows[::-1], "ordered": False}) == []
