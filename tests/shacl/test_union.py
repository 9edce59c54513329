"""The project's shapes target the project's resources only: merged as plain files beside the
shipped data, an integrator's own resources of shared classes (SKOS concepts and schemes,
schema:Country, ORG organisations and memberships, OWL-Time periods and instants, reified
statements, funds, documents: ``tests/fixtures/union/integrator.ttl``) give no result, on
either engine, while a project resource that breaks a shape still does. Every shipped resource
of a shared class is also typed with a project subclass (``jaif:Country``...), and the shapes
target those subclasses."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH

from jaif_kg.rdf.graph import read_graph
from jaif_kg.rdf.namespaces import JAIF
from jaif_kg.shacl import ValidationReport, validate

REPO = Path(__file__).resolve().parents[2]
SHAPES = sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))
ONTOLOGY = [REPO / "ontology" / "jaif.ttl"]
SHIPPED = sorted((REPO / "graph_data").glob("*.ttl"))
INTEGRATOR = REPO / "tests" / "fixtures" / "union" / "integrator.ttl"
INTEGRATOR_NS = "http://example.org/integrator/"
KHM = URIRef("https://w3id.org/jaif-kg/id/country/KHM")
QB_OBSERVATION = URIRef("http://purl.org/linked-data/cube#Observation")
ORG_ORGANIZATION = URIRef("http://www.w3.org/ns/org#Organization")
ORG_SUBCLASSES = {
    URIRef("http://www.w3.org/ns/org#FormalOrganization"),
    URIRef("http://www.w3.org/ns/org#OrganizationalUnit"),
}

#: The shared classes the project's shapes targeted before they targeted project subclasses.
SHARED = {
    URIRef(iri)
    for iri in (
        "http://www.w3.org/2004/02/skos/core#Concept",
        "http://www.w3.org/2004/02/skos/core#ConceptScheme",
        "https://schema.org/Country",
        "https://schema.org/FundingScheme",
        "http://www.w3.org/ns/org#FormalOrganization",
        "http://www.w3.org/ns/org#OrganizationalUnit",
        "http://www.w3.org/ns/org#Membership",
        "http://www.w3.org/2006/time#ProperInterval",
        "http://www.w3.org/2006/time#Instant",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement",
    )
}


def about_integrator(report: ValidationReport) -> list[str]:
    return [
        f"{r.focus_node} {r.source_shape}"
        for r in report.results
        if str(r.focus_node).startswith(INTEGRATOR_NS) or str(r.value).startswith(INTEGRATOR_NS)
    ]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_integrators_resources_merged_as_plain_files_give_no_result(engine: str) -> None:
    report = validate([*SHIPPED, INTEGRATOR], SHAPES, ONTOLOGY, engine)
    assert about_integrator(report) == []
    assert report.results == []


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_project_resource_without_its_label_still_fires(engine: str, tmp_path: Path) -> None:
    """Cambodia's label removed from a copy of the shipped countries: reported, and nothing
    about the integrator's Cambodia beside it."""
    countries = read_graph([REPO / "graph_data" / "countries.ttl"])
    countries.remove((KHM, RDFS.label, None))
    copy = tmp_path / "countries.ttl"
    copy.write_text(countries.serialize(format="turtle"), encoding="utf-8")
    data = [p for p in SHIPPED if p.name != "countries.ttl"] + [copy, INTEGRATOR]
    report = validate(data, SHAPES, ONTOLOGY, engine)
    found = {(r.focus_node, str(r.source_shape).split("#")[-1]) for r in report.results}
    assert (KHM, "CountryShape-label") in found
    assert about_integrator(report) == []


def test_no_project_shape_targets_a_shared_class_or_property() -> None:
    """Targets are project classes and properties; the one exception is qb:Observation, the
    class jaif-kg import writes for statistical observations (imports.shapes.ttl)."""
    shapes = read_graph(SHAPES)
    shared = sorted(
        f"{shape} {kind} {target}"
        for kind in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
        for shape, target in shapes.subject_objects(kind)
        if not str(target).startswith(str(JAIF)) and target != QB_OBSERVATION
    )
    assert shared == []


def test_every_shipped_resource_of_a_shared_class_has_its_project_class() -> None:
    """A resource of a shared class without its project subclass would escape the shapes."""
    ontology: Graph = read_graph(ONTOLOGY)
    project_classes = {
        cls: set(ontology.objects(cls, RDFS.subClassOf))
        for cls in ontology.subjects(RDF.type, OWL.Class)
        if str(cls).startswith(str(JAIF))
    }
    # W3C ORG: org:FormalOrganization and org:OrganizationalUnit are subclasses of
    # org:Organization, which jaif:Organisation refines.
    for supers in project_classes.values():
        if ORG_ORGANIZATION in supers:
            supers |= ORG_SUBCLASSES
    data = read_graph(SHIPPED)
    untyped = sorted(
        f"{s} {shared}"
        for s, shared in data.subject_objects(RDF.type)
        if shared in SHARED
        and not any(
            shared in supers and (s, RDF.type, cls) in data
            for cls, supers in project_classes.items()
        )
    )
    assert untyped == []
