"""Nested shapes (``sh:node``, ``sh:qualifiedValueShape``) were validated wrongly in two ways.

1. ``validate_graphs(focus_nodes=...)`` passed the nodes to pySHACL's ``focus_nodes`` option,
   which also filters the values that nested shapes check: a correct country in the shipped graph
   got five ``QualifiedMaxCount`` violations, and an adoption with a malformed date none.
2. ``results_from_graph`` read every node typed ``sh:ValidationResult``, including the nested
   results pySHACL keeps under ``sh:detail``: one failed ``sh:node`` check counted twice.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from jaif_kg.rdf.graph import read_graph, shapes_paths, shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.shacl.pyshacl_engine import validate_graphs

KHM = URIRef("https://w3id.org/jaif-kg/id/country/KHM")
JAIF_FUND = URIRef("https://w3id.org/jaif-kg/id/fund/jaif")


def _graphs() -> tuple[Graph, Graph]:
    settings = Settings()
    return read_graph(shipped_paths(settings)), read_graph(shapes_paths(settings))


def test_a_correct_country_conforms_when_validated_alone() -> None:
    data, shapes = _graphs()
    report = validate_graphs(data, shapes, focus_nodes=[KHM])
    assert report.results == []


def test_a_malformed_nested_value_is_found_when_validated_alone() -> None:
    data, shapes = _graphs()
    period_start = URIRef("https://w3id.org/jaif-kg/id/membership/asean-KHM#period-start")
    time_date = URIRef("http://www.w3.org/2006/time#inXSDDate")
    data.remove((period_start, time_date, None))
    report = validate_graphs(data, shapes, focus_nodes=[period_start])
    assert {r.source_shape for r in report.results} == {
        URIRef("https://w3id.org/jaif-kg/shapes#InstantShape")
    }


def test_a_failed_node_check_is_one_result() -> None:
    data, shapes = _graphs()
    funder = URIRef("https://schema.org/funder")
    data.remove((JAIF_FUND, funder, None))
    data.add((JAIF_FUND, funder, URIRef("https://w3id.org/jaif-kg/id/organisation/undescribed")))
    report = validate_graphs(data, shapes, focus_nodes=[JAIF_FUND])
    assert [(r.source_shape, r.constraint_component) for r in report.results] == [
        (URIRef("https://w3id.org/jaif-kg/shapes#FundShape-funder"), SH.NodeConstraintComponent)
    ]
