"""The ontology and shapes documentation covers every term and every shape."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from jaif_kg.publish.ontology_doc import ontology_doc, shapes_doc
from jaif_kg.rdf.graph import read_graph, shapes_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings

ONTOLOGY = DEFAULT_BASE + "ontology"


def test_every_term_is_documented_with_its_definition(settings: Settings) -> None:
    graph = Graph().parse(settings.ontology_dir / "jaif.ttl")
    shapes = read_graph(shapes_paths(settings))
    doc = ontology_doc(graph, ONTOLOGY, DEFAULT_BASE, shapes=shapes)
    documented = {t.iri: t for _, _, terms in doc.sections for t in terms}
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype, RDF.Property)
    declared = {
        str(s)
        for k in kinds
        for s in graph.subjects(RDF.type, k)
        if str(s).startswith(ONTOLOGY + "#")
    }
    assert declared and declared <= set(documented)
    for iri in declared:
        term = documented[iri]
        assert term.label and term.definition, iri
        assert term.anchor == iri.split("#", 1)[1]  # {base}ontology#Term lands on its section
    project = documented[ONTOLOGY + "#Project"]
    assert any(ref.href == "/shapes#ProjectShape" for ref in project.shapes)
    assert {v.prefix for v in doc.vocabularies} >= {"org", "prov", "skos", "schema", "dcterms"}


def test_every_named_shape_is_documented(settings: Settings) -> None:
    shapes = read_graph(shapes_paths(settings))
    doc = shapes_doc(shapes, DEFAULT_BASE, "/", [p.name for p in shapes_paths(settings)])
    documented = {s.iri: s for s in doc.shapes}
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef):
            assert str(shape) in documented, shape
    batch = documented[DEFAULT_BASE + "shapes#AttachmentBatchShape"]
    assert [t.text for t in batch.targets] == ["attachment batch"]
    stream = next(p for p in batch.properties if p.path == "stream")
    assert stream.severity == "Violation"
    assert "exactly 1 value" in stream.constraints
    assert stream.message.startswith("A batch belongs to exactly one attachment stream")
    unique = documented[DEFAULT_BASE + "shapes#AttachmentBatchUniqueNumberShape"]
    assert unique.sparql and "SELECT" in unique.sparql[0].select
