"""Entity pages and descriptions over loaded graphs: the shipped graph in its named graph beside
imported graphs (``tests/fixtures/integration/graphs.trig``), each imported fact shown with the
graph it came from and that graph's source (from the metadata graph)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from jaif_kg.publish import describe as ds
from jaif_kg.publish.pages import Site, entity_page, render_entity
from jaif_kg.settings import Settings
from jaif_kg.store import Store
from tests.catalog.integration import integration_store

BASE = "https://w3id.org/jaif-kg/"
KHM = BASE + "id/country/KHM"
Q424 = "http://www.wikidata.org/entity/Q424"
IATI = BASE + "graph/iati"
WDI = BASE + "graph/wdi-ny-gdp-pcap-cd"
IATI_SOURCE = "https://example.org/iati/xm-test-1.xml"


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[Store]:
    store = integration_store(settings)
    yield store
    store.close()


def test_description_names_the_graph_of_each_fact(store: Store) -> None:
    description = ds.describe(store, Q424)
    label = (URIRef(Q424), RDFS.label, Literal("Cambodia", lang="en"))
    assert label in description.triples
    assert description.graphs[label] == (BASE + "graph/wikidata-extract",)
    assert description.graph_sources[BASE + "graph/wikidata-extract"].endswith("Q424.ttl")
    assert BASE + "graph/meta" not in {g for gs in description.graphs.values() for g in gs}


def test_a_country_lists_imported_activities_and_observations(store: Store) -> None:
    description = ds.describe(store, KHM)
    subjects = {str(s) for s, _, _ in description.incoming}
    assert BASE + "id/iati-activity/XM-TEST-1-A1" in subjects
    assert BASE + "id/observation/wdi/NY.GDP.PCAP.CD/KHM/2020" in subjects
    assert BASE + "id/iati-activity/XM-TEST-1-A4" not in subjects  # Thailand's


def test_the_page_says_which_graph_and_source(store: Store) -> None:
    page = entity_page(store, Site(BASE), KHM)
    assert page is not None
    graphs = {g.iri: g for g in page.graphs}
    assert set(graphs) == {IATI, WDI, BASE + "graph/wdi-sp-pop-totl"}
    assert graphs[IATI].source == IATI_SOURCE and graphs[IATI].facts == 2
    notes = [
        item.note
        for group in page.incoming
        for item in group.items
        if "XM-TEST-1-A1" in (item.href or "")
    ]
    assert notes == [f"from graph {IATI}, source {IATI_SOURCE}"]
    shipped = [
        i for g in page.incoming for i in g.items if "industrial-electronics" in (i.href or "")
    ]
    assert shipped and all("from graph" not in i.note for i in shipped)
    html = render_entity(store, Site(BASE), KHM)
    assert html is not None and "Loaded graphs" in html and IATI_SOURCE in html


def test_an_imported_resource_has_a_page(store: Store) -> None:
    page = entity_page(store, Site(BASE), BASE + "id/iati-activity/XM-TEST-1-A1")
    assert page is not None
    assert page.title == "Test activity: SME development in Cambodia"
    refs = [r for row in page.main.rows for v in row.values for r in v.sources]
    assert refs and all(r.href == IATI_SOURCE for r in refs)


def test_the_shipped_graph_alone_shows_no_loaded_graph(shipped_store: Store) -> None:
    page = entity_page(shipped_store, Site(BASE), KHM)
    assert page is not None and page.graphs == []
