"""Every SPARQL recipe of ``docs/JOINING.md`` runs on the integration dataset (the shipped graph
beside imported graphs, ``tests/catalog/integration.py``) and finds something: a recipe that
stops joining (a code typed differently, a graph renamed) fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.graphs import graph_records, meta_graph, record_graph
from tests.catalog.integration import data_graphs, integration_store

NTRIPLES = "application/n-triples"

REPO = Path(__file__).resolve().parents[2]
PREFIXES = """PREFIX jaif: <https://w3id.org/jaif-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX wd: <http://www.wikidata.org/entity/>
"""


def recipes() -> list[str]:
    text = (REPO / "docs" / "JOINING.md").read_text(encoding="utf-8")
    found: list[str] = []
    for block in re.findall(r"```sparql\n(.*?)```", text, re.S):
        found.extend(re.split(r"\n\n(?=SELECT)", block))
    return found


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[Store]:
    store = integration_store(settings)
    yield store
    store.close()


def test_the_document_has_recipes() -> None:
    assert len(recipes()) >= 6


@pytest.mark.parametrize("recipe", recipes(), ids=lambda r: r.splitlines()[0][:40])
def test_recipe_finds_something(recipe: str, store: Store, settings: Settings) -> None:
    # FROM names the graphs itself; otherwise the default graph is the union, as on the server
    union = None if "FROM <" in recipe else data_graphs(store, settings.base_iri)
    result = store.query(PREFIXES + recipe, default_graphs=union)
    assert len(result.rows) > 0


def test_a_plain_code_does_not_match_a_typed_notation(store: Store, settings: Settings) -> None:
    """Why the plain identifier exists: the typed notation ignores a plain string."""
    query = PREFIXES + 'ASK { ?country skos:notation "KHM" }'
    union = data_graphs(store, settings.base_iri)
    assert store.query(query, default_graphs=union).boolean is False


def test_the_fixture_metadata_is_what_record_graph_writes(store: Store, settings: Settings) -> None:
    """The fixture's metadata graph holds records exactly as :func:`record_graph` writes them
    (``<{base}graph/meta/NAME> sd:name <graph>``), so that a query joining on another shape (the
    graph IRI as the subject of ``dcterms:source``) finds nothing here, as on a server."""
    base = settings.base_iri
    records = graph_records(store, base=base)
    assert {r.graph for r in records} == set(data_graphs(store, base)) - {base + "graph/jaif"}
    for record in records:
        assert record.triples == store.count(record.graph), record.graph
    written = open_store(settings)
    try:
        for record in records:
            record_graph(written, record, base=base)
        fixture = Graph().parse(data=store.dump(NTRIPLES, meta_graph(base)), format="nt")
        recorded = Graph().parse(data=written.dump(NTRIPLES, meta_graph(base)), format="nt")
    finally:
        written.close()
    _, only_fixture, only_written = graph_diff(to_isomorphic(fixture), to_isomorphic(recorded))
    assert not only_fixture and not only_written, (
        f"only in the fixture: {sorted(only_fixture)}; only as written: {sorted(only_written)}"
    )
