"""jaif_kg.shacl.pyshacl_engine: running pySHACL, the report, its renderers and thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import ontology_path, read_graph, shapes_paths, shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.shacl.pyshacl_engine import (
    ValidationReport,
    ValidationResult,
    render_json,
    render_text,
    render_turtle,
    report_graph,
    results_from_graph,
    severity,
    validate,
)

SELFTEST = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "_selftest"
SHAPES = [SELFTEST / "selftest.shapes.ttl"]
ONTOLOGY = [SELFTEST / "ontology.ttl"]
EX = "http://example.org/"

# Three things: one fine, one with two notes (a warning) and a code it shares with a third that
# has no name (violations).
DATA = f"""@prefix ex: <{EX}> .
ex:fine a ex:Thing ; ex:name "Fine" .
ex:noisy a ex:Gadget ; ex:name "Noisy" ; ex:note "a", "b" ; ex:code "C" .
ex:nameless a ex:Thing ; ex:code "C" .
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.ttl"
    path.write_text(DATA, encoding="utf-8")
    return path


@pytest.fixture
def report(data: Path) -> ValidationReport:
    return validate([data], SHAPES, ONTOLOGY)


def test_results_are_complete_and_sorted(report: ValidationReport) -> None:
    seen = [
        (str(r.focus_node).removeprefix(EX), r.severity, str(r.source_shape).split("#")[1])
        for r in report.results
    ]
    # severity, then focus node, then path (none sorts first), shape, value
    assert seen == [
        ("nameless", "Violation", "UniqueCodeShape"),
        ("nameless", "Violation", "ThingShape-name"),
        ("noisy", "Violation", "UniqueCodeShape"),
        ("noisy", "Warning", "ThingShape-note"),
    ]
    assert report.counts() == {"Violation": 3, "Warning": 1, "Info": 0}
    assert report.shapes == 4
    assert report.triples == len(read_graph(ONTOLOGY)) + 9
    sparql = [r for r in report.results if r.constraint_component == SH.SPARQLConstraintComponent]
    assert {r.source_constraint for r in sparql} == {
        URIRef("https://w3id.org/jaif-kg/shapes#UniqueCodeShape-sparql")
    }
    assert {r.message for r in sparql} == {
        f"Code C is also the code of {EX}noisy.",
        f"Code C is also the code of {EX}nameless.",
    }


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


def test_unreadable_inputs(tmp_path: Path, data: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate([data, bad], SHAPES, ONTOLOGY)
    assert info.value.path == str(bad)
    with pytest.raises(InputError) as info:
        validate([data], [bad])
    assert info.value.path == str(bad)
    with pytest.raises(InputError, match="no shapes"):
        validate([data], [])


def test_unusable_shapes(tmp_path: Path, data: Path) -> None:
    shapes = tmp_path / "broken.shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="shapes cannot be used"):
        validate([data], [shapes])


def test_shipped_graph_conforms(settings: Settings) -> None:
    """The shipped ontology and data pass every shape (warnings included)."""
    report = validate(shipped_paths(settings), shapes_paths(settings), [ontology_path(settings)])
    assert report.results == [], render_text(report, "info")
    assert report.shapes > 0 and report.triples > 1000
