"""jaif_kg.shacl.report: the report model, its thresholds and severities."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from jaif_kg.errors import InputError
from jaif_kg.shacl.report import (
    ValidationReport,
    ValidationResult,
    rank,
    result_severity,
    results_from_graph,
    severity,
    severity_iri,
    shape_name,
    stable_message,
)


def test_thresholds(report: ValidationReport, data: Path) -> None:
    assert not report.conforms
    assert not report.conforms_at("violation")
    warnings_only = ValidationReport([r for r in report.results if r.severity != "Violation"])
    assert warnings_only.conforms_at("Violation")
    assert not warnings_only.conforms_at("warning")
    assert not warnings_only.conforms_at("info")
    assert [r.severity for r in warnings_only.at_or_above("Warning")] == ["Warning"]
    assert ValidationReport([]).conforms_at("info")


def test_severity_names() -> None:
    assert [severity(n) for n in ("violation", "WARNING", "sh:Info")] == [
        "Violation",
        "Warning",
        "Info",
    ]
    with pytest.raises(InputError, match="unknown severity"):
        severity("fatal")


CRITICAL = "http://example.org/Critical"


def _result(sev: str, focus: str = "a") -> ValidationResult:
    return ValidationResult(
        focus_node=URIRef(f"http://example.org/{focus}"),
        result_path=None,
        value=None,
        message="",
        source_shape=URIRef("http://example.org/S"),
        severity=sev,
        constraint_component=SH.MinCountConstraintComponent,
    )


def test_a_custom_severity_counts_and_fails_like_a_violation() -> None:
    """SHACL 3.6.2 allows any IRI as a severity: it is kept as its IRI, counted, and ranked
    with Violation, so that no threshold lets it pass."""
    report = ValidationReport([_result("Info", "z"), _result(CRITICAL, "b"), _result("Warning")])
    assert [r.severity for r in report.results] == [CRITICAL, "Warning", "Info"]
    assert report.counts() == {"Violation": 0, "Warning": 1, "Info": 1, CRITICAL: 1}
    assert not report.conforms_at("violation")
    assert [r.severity for r in report.at_or_above("Violation")] == [CRITICAL]
    assert rank(CRITICAL) == rank("Violation")


def test_results_from_graph_keep_a_custom_severity() -> None:
    graph = Graph().parse(
        format="turtle",
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        [] sh:result [ sh:focusNode <urn:a> ; sh:sourceShape <urn:S> ;
            sh:sourceConstraintComponent sh:MinCountConstraintComponent ;
            sh:resultSeverity <{CRITICAL}> ] , [ sh:focusNode <urn:b> ; sh:sourceShape <urn:S> ;
            sh:sourceConstraintComponent sh:MinCountConstraintComponent ;
            sh:resultSeverity sh:Warning ] .""",
    )
    assert sorted(r.severity for r in results_from_graph(graph)) == ["Warning", CRITICAL]
    assert result_severity(SH.Info) == "Info"
    assert severity_iri(CRITICAL) == URIRef(CRITICAL)
    with pytest.raises(InputError, match="must be an IRI"):
        result_severity(Literal("Critical"))


def test_blank_nodes_sort_by_place_and_shape_name_not_by_label() -> None:
    """Blank labels change every run: a report's order must not depend on them."""
    shapes = Graph().parse(
        format="turtle",
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:S> sh:property "
        "[ sh:path <urn:p> ] , [ sh:path <urn:q> ] .",
    )
    by_path = {str(shapes.value(s, SH.path)): s for s in shapes.objects(None, SH.property)}

    def result(label: str, shape: str, line: int) -> ValidationResult:
        return ValidationResult(
            BNode(label), None, None, f"on _:{label}", by_path[shape], "Violation",
            SH.MinCountConstraintComponent, file="a.ttl", line=line,
        )  # fmt: skip

    for labels in (("a", "z"), ("z", "a")):
        results = [result(labels[0], "urn:q", 2), result(labels[1], "urn:p", 2)]
        results += [result("m", "urn:p", 1), _result("Violation")]
        ordered = ValidationReport(results, shapes_graph=shapes).results
        assert [(r.line, shape_name(r.source_shape, shapes)) for r in ordered] == [
            (None, "<http://example.org/S>"),  # an IRI focus node first, as before
            (1, "<urn:S>/<urn:p>"),
            (2, "<urn:S>/<urn:p>"),
            (2, "<urn:S>/<urn:q>"),
        ]
    assert stable_message(result("b1", "urn:p", 1)) == "on []"


def test_a_bad_severity_names_its_shape() -> None:
    report = Graph().parse(
        format="turtle",
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . [] sh:result [ sh:focusNode <urn:x> ;"
        ' sh:resultSeverity "high" ; sh:sourceShape [ sh:path <urn:p> ] ;'
        " sh:sourceConstraintComponent sh:MinCountConstraintComponent ] .",
    )
    with pytest.raises(InputError, match=r'^shape \[<urn:p>\]: sh:severity must be an IRI, not "h'):
        results_from_graph(report)
