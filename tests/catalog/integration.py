"""The integration dataset: the shipped graph in its named graph beside imported graphs
(``tests/fixtures/integration/graphs.trig``), queried as the server queries it: the default graph
is the union of the data graphs (every named graph but ``{base}graph/meta``).

A golden file with ``data: integration`` runs on it. Print a query's answer there::

    .venv/bin/python -m tests.catalog.integration related-activities \
        project=https://w3id.org/jaif-kg/id/project/training-business-plan-smes-clv
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from jaif_kg.catalog import Catalog, NamedQuery
from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.store import QueryResult, Store, open_store
from jaif_kg.store.loading import load_files

REPO = Path(__file__).resolve().parents[2]
#: The imported graphs and their metadata graph, in TriG.
INTEGRATION_TRIG = REPO / "tests" / "fixtures" / "integration" / "graphs.trig"


def shipped_graph(base: str) -> str:
    """The named graph the shipped data is loaded into."""
    return base + "graph/jaif"


def meta_graph(base: str) -> str:
    """The graph of per-graph metadata (not part of the union)."""
    return base + "graph/meta"


def integration_store(settings: Settings) -> Store:
    """A new store holding the shipped graph in ``{base}graph/jaif`` and the fixture's graphs."""
    store = open_store(settings)
    load_files(store, shipped_paths(settings), shipped_graph(settings.base_iri))
    store.load(INTEGRATION_TRIG.read_bytes(), "application/trig")
    return store


def data_graphs(store: Store, base: str) -> list[str]:
    """The graphs whose union is the default graph of a query."""
    return [g for g in store.named_graphs() if g != meta_graph(base)]


def run_on_union(
    store: Store, query: NamedQuery, values: Mapping[str, str], base: str
) -> QueryResult:
    """Run a named query with the union of the data graphs as its default graph."""
    return store.query(query.bind(values), default_graphs=data_graphs(store, base))


def main(argv: Sequence[str]) -> int:
    from tests.golden import golden_of

    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    settings = Settings(store="oxigraph", store_path=None)
    query = Catalog.from_dir(settings.queries_dir)[argv[0]]
    params = dict(item.split("=", 1) for item in argv[1:])
    store = integration_store(settings)
    result = run_on_union(store, query, params, settings.base_iri)
    data = {"data": "integration", **golden_of(query, result, params)}
    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
