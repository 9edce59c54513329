"""The service description (:mod:`jaif_kg.sparql.description`) read back as RDF."""

from __future__ import annotations

import pyoxigraph as ox

from jaif_kg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS
from jaif_kg.sparql.description import service_description

SD = "http://www.w3.org/ns/sparql-service-description#"


def test_it_names_the_endpoint_the_formats_and_the_dataset_sizes() -> None:
    data = service_description(
        "http://h/sparql",
        "text/turtle",
        default_graph_triples=7,
        named_graphs=[("http://g/1", 3), ("http://g/2", None)],
    )
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)

    def values(query: str) -> set[str]:
        result = store.query(f"PREFIX sd: <{SD}> PREFIX void: <http://rdfs.org/ns/void#> {query}")
        assert isinstance(result, ox.QuerySolutions)
        return {"|".join(v.value for v in row if v is not None) for row in result}

    assert values("SELECT ?e { ?s a sd:Service ; sd:endpoint ?e }") == {"http://h/sparql"}
    formats = values("SELECT ?f { ?s sd:resultFormat ?f }")
    assert len(formats) == len(RESULTS_FORMATS) + len(RDF_FORMATS) == 10
    assert "http://www.w3.org/ns/formats/JSON-LD" in formats
    assert values("SELECT ?n { ?s sd:defaultDataset/sd:defaultGraph/void:triples ?n }") == {"7"}
    assert values(
        "SELECT ?g ?n { ?s sd:defaultDataset/sd:namedGraph ?ng . ?ng sd:name ?g ; sd:graph ?x "
        "OPTIONAL { ?x void:triples ?n } }"
    ) == {"http://g/1|3", "http://g/2"}
    assert not values("SELECT ?f { ?s sd:feature ?f }")


def test_federation_and_the_graph_store_are_described_only_when_offered() -> None:
    def graph(**kwargs: object) -> ox.Store:
        store = ox.Store()
        data = service_description("http://h/sparql", "text/turtle", **kwargs)  # type: ignore[arg-type]
        store.load(data, format=ox.RdfFormat.TURTLE)
        return store

    federated = graph(federated=True, graph_store="http://h/graph-store")
    plain = graph()
    feature = ox.NamedNode(SD + "feature")
    basic = ox.NamedNode(SD + "BasicFederatedQuery")
    store_iri = ox.NamedNode("http://h/graph-store")
    assert list(federated.quads_for_pattern(None, feature, basic))
    assert list(federated.quads_for_pattern(store_iri, None, None))
    assert not list(plain.quads_for_pattern(None, feature, basic))
    assert not list(plain.quads_for_pattern(store_iri, None, None))
