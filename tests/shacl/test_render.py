"""jaif_kg.shacl.render: the text, JSON and Turtle renderings of a report."""

from __future__ import annotations

import json

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from jaif_kg.shacl.render import render_json, render_text, render_turtle, report_graph
from jaif_kg.shacl.report import ValidationReport, ValidationResult, results_from_graph

EX = "http://example.org/"


def test_text_report_blocks_and_summary(report: ValidationReport) -> None:
    text = render_text(report)
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 5
    assert blocks[1].splitlines() == [
        "Violation: <http://example.org/nameless>",
        "  path:      <http://example.org/name>",
        "  message:   A thing needs exactly one name (a string).",
        "  shape:     jaifsh:ThingShape-name",
        "  component: sh:MinCountConstraintComponent",
    ]
    assert '  value:     "C"' in blocks[0]
    assert blocks[-1].startswith("Does not conform: 3 violations, 1 warning, 0 infos (")
    assert blocks[-1].endswith(" triples, 4 shapes)")
    only_warnings = ValidationReport([r for r in report.results if r.severity == "Warning"])
    assert render_text(only_warnings).splitlines()[-1].startswith("Conforms: 0 violations")
    assert render_text(only_warnings, "warning").splitlines()[-1].startswith("Does not conform")


def test_json_report_is_a_list_of_objects(report: ValidationReport) -> None:
    items = json.loads(render_json(report))
    assert isinstance(items, list) and len(items) == 4
    assert items[1] == {
        "severity": "Violation",
        "focus_node": f"{EX}nameless",
        "result_path": f"{EX}name",
        "value": None,
        "message": "A thing needs exactly one name (a string).",
        "source_shape": "https://w3id.org/jaif-kg/shapes#ThingShape-name",
        "constraint_component": str(SH.MinCountConstraintComponent),
        "source_constraint": None,
    }


def test_turtle_report_reads_back_as_the_same_results(report: ValidationReport) -> None:
    text = render_turtle(report)
    graph = Graph().parse(data=text, format="turtle")
    root = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(root, SH.conforms) == Literal(False)
    assert len(list(graph.objects(root, SH.result))) == 4
    assert results_from_graph(graph) == report.results
    assert render_turtle(report) == text  # stable


def test_complex_result_paths_round_trip() -> None:
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    p, q = URIRef(EX + "p"), URIRef(EX + "q")
    for path in (
        InvPath(p),
        SequencePath(p, InvPath(q)),
        AlternativePath(p, q),
        MulPath(p, "*"),
        SequencePath(MulPath(p, "+"), MulPath(q, "?")),
    ):
        result = ValidationResult(
            URIRef(EX + "x"), path, None, "m", URIRef(EX + "S"), "Info", SH.ClassConstraintComponent
        )
        back = results_from_graph(report_graph(ValidationReport([result])))
        assert back == [result], path
    text = render_text(ValidationReport([result]))
    assert "path:      <http://example.org/p>+/<http://example.org/q>?" in text


def test_a_report_from_another_engine_renders_the_same() -> None:
    """The report type holds no pySHACL object: any engine can build one."""
    result = ValidationResult(
        focus_node=URIRef("https://w3id.org/jaif-kg/id/project/x"),
        result_path=URIRef("http://purl.org/dc/terms/title"),
        value=None,
        message="A project needs a title.",
        source_shape=URIRef("https://w3id.org/jaif-kg/shapes#ProjectShape-title"),
        severity="Violation",
        constraint_component=SH.MinCountConstraintComponent,
    )
    text = render_text(ValidationReport([result], triples=10, shapes=2, engine="oxigraph"))
    assert text.startswith("Violation: id:project/x\n  path:      dcterms:title\n")
    assert text.endswith(
        "Does not conform: 1 violation, 0 warnings, 0 infos (10 triples, 2 shapes)\n"
    )
