"""Every named query gives its golden answer on every backend, not only the embedded store.

The golden files and the comparison are those of ``tests/test_queries.py`` (``tests/golden.py``);
here the shipped graph is loaded into an on-disk Oxigraph store, an rdflib store, and a live
``oxigraph serve`` (pushed with :func:`jaif_kg.store.shipped.push`, as ``jaif-kg load`` does).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from jaif_kg.catalog import Catalog, run_named
from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store, sync_graph
from jaif_kg.store.shipped import push
from tests.golden import GOLDEN_DIR, compare
from tests.oxigraph_server import start_oxigraph

#: Golden files of the shipped graph (``data: integration`` ones run on the integration dataset,
#: tests/catalog/integration.py).
GOLDEN_FILES = sorted(
    p
    for p in GOLDEN_DIR.glob("*.yaml")
    if (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("data") != "integration"
)
BACKENDS = ["oxigraph-disk", "rdflib", "remote"]

#: Answers that differ where SPARQL leaves the engine free. Remove an entry once its query no
#: longer depends on the freedom (the test then passes, and strict mode says so).
KNOWN_DIVERGENCES: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One store of each backend holding the shipped graph in its default graph."""
    kind: str = request.param
    if kind == "remote":
        server = start_oxigraph()
        store = open_store(
            settings.model_copy(update={"store": server.query_url, "update_url": server.update_url})
        )
        report = push(shipped_paths(settings), store)
        assert report.verified
        yield store
        server.stop()
        return
    if kind == "oxigraph-disk":
        folder = tmp_path_factory.mktemp("store")
        store = open_store(settings.model_copy(update={"store": "oxigraph", "store_path": folder}))
    else:
        store = open_store(settings.model_copy(update={"store": kind}))
    assert sync_graph(store, shipped_paths(settings))
    yield store
    store.close()


def test_the_backends_hold_the_same_graph(loaded: Store, shipped_store: Store) -> None:
    assert loaded.count() == shipped_store.count()
    assert loaded.named_graphs() == []


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem)
def test_golden_result_on_every_backend(
    path: Path, catalog: Catalog, loaded: Store, request: pytest.FixtureRequest
) -> None:
    divergence = KNOWN_DIVERGENCES.get((loaded.name, path.stem))
    if divergence:
        request.applymarker(pytest.mark.xfail(reason=divergence, strict=True))
    golden: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    query = catalog[path.name.split(".", 1)[0]]
    params = {str(k): str(v) for k, v in (golden.get("params") or {}).items()}
    problems = compare(run_named(loaded, query, params), golden)
    assert not problems, "\n".join(problems)
