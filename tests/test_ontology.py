"""The ontology (ontology/jaif.ttl): every term it mints is labelled and defined, and the
ontology itself carries a version IRI, a licence and a description."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from jaif_kg.rdf.graph import ontology_path, read_graph
from jaif_kg.rdf.namespaces import JAIF, ONTOLOGY_IRI
from jaif_kg.settings import Settings

TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
    RDFS.Datatype,
)


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Graph:
    return read_graph([ontology_path(settings)])


def minted_terms(graph: Graph) -> list[URIRef]:
    return sorted(
        {
            s
            for t in TERM_TYPES
            for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(JAIF))
        }
    )


def test_the_ontology_mints_terms(ontology: Graph) -> None:
    terms = minted_terms(ontology)
    assert len(terms) >= 10
    assert JAIF.Project in terms


def test_every_term_is_labelled_and_defined(ontology: Graph) -> None:
    missing = [
        f"{t.removeprefix(str(JAIF))}: {what}"
        for t in map(str, minted_terms(ontology))
        for what, predicate in (("rdfs:label", RDFS.label), ("skos:definition", SKOS.definition))
        if ontology.value(URIRef(t), predicate) is None
    ]
    assert not missing, missing


def test_every_jaif_term_used_is_declared(ontology: Graph, settings: Settings) -> None:
    """A jaif: term used in the data or the shapes is declared in the ontology (catches typos)."""
    from jaif_kg.rdf.graph import shapes_paths, shipped_paths

    declared = set(minted_terms(ontology))
    used = {
        node
        for graph in (read_graph(shipped_paths(settings)), read_graph(shapes_paths(settings)))
        for triple in graph
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(str(JAIF))
    }
    assert not sorted(used - declared), sorted(used - declared)


def test_ontology_header(ontology: Graph) -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ontology
    for predicate in (OWL.versionIRI, DCTERMS.license, DCTERMS.description, RDFS.label):
        assert ontology.value(iri, predicate) is not None, predicate
    version = str(ontology.value(iri, OWL.versionIRI))
    assert version.startswith(ONTOLOGY_IRI + "/")
