"""Resource descriptions: what ``/data/...`` serves and what pages are built from."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from jaif_kg.errors import InputError
from jaif_kg.publish.describe import describe, labels, periods, types
from jaif_kg.rdf.canonical import sectioned_turtle
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.sparql.escape import sparql_iri
from jaif_kg.store import Store, open_store

ID = DEFAULT_BASE + "id/"
KHM = ID + "country/KHM"
ORG = "http://www.w3.org/ns/org#"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
FIXTURE = Path(__file__).parent / "fixtures" / "mini.ttl"


@pytest.fixture(scope="module")
def mini() -> Store:
    """A small graph with a blank-node class expression (owl:unionOf list) in its ontology."""
    store = open_store(Settings(store="oxigraph", store_path=None))
    store.load(FIXTURE.read_bytes(), "text/turtle")
    return store


def test_a_country_includes_its_hash_statements(shipped_store: Store) -> None:
    d = describe(shipped_store, KHM)
    assert d.resources[0] == KHM
    # The statements that source each identifier are hash IRIs of the country.
    assert KHM + "#fact-wikidata" in d.resources
    graph = d.graph()
    assert (URIRef(KHM), RDFS.label, Literal("Cambodia", lang="en")) in graph
    assert (URIRef(KHM + "#fact-geonames"), RDF.subject, URIRef(KHM)) in graph


def test_incoming_links_come_without_types(shipped_store: Store) -> None:
    d = describe(shipped_store, KHM)
    incoming = {(str(s), str(p)) for s, p, _ in d.incoming}
    assert (ID + "membership/asean-KHM", ORG + "member") in incoming
    assert all(str(p) != str(RDF.type) for _, p, _ in d.incoming)
    assert all(str(s) not in d.resources for s, _, _ in d.incoming)


def test_sub_resources_are_followed_recursively(shipped_store: Store) -> None:
    membership = ID + "membership/asean-KHM"
    d = describe(shipped_store, membership)
    assert membership + "#period" in d.resources
    assert membership + "#period-start" in d.resources  # reached through #period
    date = Literal("1999-04-30", datatype=XSD_DATE)
    assert any(o == date for _, _, o in d.triples)


def test_unknown_iri_has_no_description(shipped_store: Store) -> None:
    assert not describe(shipped_store, ID + "country/XXX").exists


def test_ontology_description_is_the_ontology_file(
    shipped_store: Store, settings: Settings
) -> None:
    """Scanning for ``ontology#Term`` subjects finds exactly the ontology's triples."""
    d = describe(shipped_store, DEFAULT_BASE + "ontology", incoming=False, scan_fragments=True)
    expected = Graph().parse(settings.ontology_dir / "jaif.ttl")
    assert isomorphic(d.graph(), expected)


def test_blank_node_closure_follows_lists(mini: Store) -> None:
    """A property whose domain is an owl:unionOf list keeps the whole list (blank nodes)."""
    d = describe(mini, DEFAULT_BASE + "ontology", incoming=False, scan_fragments=True)
    graph = d.graph()
    domain = graph.value(URIRef(DEFAULT_BASE + "ontology#workPlan"), RDFS.domain)
    assert isinstance(domain, BNode)
    members = graph.value(domain, OWL.unionOf)
    assert members is not None
    from rdflib.collection import Collection

    assert [str(m) for m in Collection(graph, members)] == [
        DEFAULT_BASE + "ontology#Project",
        DEFAULT_BASE + "ontology#AttachmentBatch",
    ]


def test_blank_nodes_of_other_resources_are_left_out(mini: Store) -> None:
    """The closure goes through blank nodes only, never on through a named class."""
    d = describe(mini, DEFAULT_BASE + "id/country/KHM")
    assert not any(isinstance(s, BNode) for s, _, _ in d.triples)


@pytest.mark.parametrize(
    "iri",
    [
        "http://x/a> } DROP ALL #",
        'http://x/"quote',
        "http://x/a b",
        "no-scheme",
        "",
    ],
)
def test_iris_that_could_change_a_query_are_refused(iri: str) -> None:
    with pytest.raises(InputError):
        sparql_iri(iri)


def test_labels_types_and_periods(shipped_store: Store) -> None:
    membership = ID + "membership/asean-KHM"
    assert labels(shipped_store, [KHM])[KHM] == "Cambodia"
    assert ORG + "Membership" in types(shipped_store, [membership])[membership]
    begin, end = periods(shipped_store, [membership])[membership]
    assert str(begin) == "1999-04-30" and end is None


def test_sectioned_turtle_keeps_blank_nodes_with_their_resource(mini: Store) -> None:
    """The Turtle of a description (resource, parts, links) parses back to the description."""
    d = describe(mini, DEFAULT_BASE + "id/project/sba-needs-assessment")
    assert any(isinstance(s, BNode) for s, _, _ in d.triples)  # the nested funder and address
    text = sectioned_turtle(d.sections())
    comments = [line for line in text.splitlines() if line.startswith("# ")]
    assert comments[0] == f"# <{d.iri}>"
    assert isomorphic(Graph().parse(data=text, format="turtle"), d.graph())
