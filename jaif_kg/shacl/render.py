"""Writing a :class:`~jaif_kg.shacl.report.ValidationReport`: text for people, the SHACL report
graph (https://www.w3.org/TR/shacl/#validation-report) as canonical Turtle, and what CI reads:
JSON, JUnit XML, SARIF 2.1.0, GitHub workflow commands and a Markdown summary. Every format
names the file and line of a result where :func:`jaif_kg.shacl.locate.locate` found them.

:func:`render` picks a format by name (:data:`FORMATS`); :func:`render_error` writes an unusable
input in the machine formats, so that CI has a document to read on exit 2 too.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from jaif_kg import __version__
from jaif_kg.errors import InputError, InputErrors
from jaif_kg.rdf.canonical import graph_turtle, turtle_literal
from jaif_kg.rdf.graph import new_graph, term_text
from jaif_kg.shacl.report import (
    ResultPath,
    Severity,
    ValidationReport,
    ValidationResult,
    path_text,
    severity,
    severity_iri,
    shape_name,
    stable_message,
)

_PLURAL = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}
_SINGULAR = {"Violation": "violation", "Warning": "warning", "Info": "info"}


_path_text = path_text

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _value_text(value: Node | None) -> str:
    r"""A term on one line: an IRI shortened; a literal as in Turtle, or, when its text spans
    lines, as in N-Triples (``\n`` escaped); a blank node as ``[]`` (its label changes every
    run: the place says which it is).

    >>> _value_text(RdfLiteral("two\nlines")), _value_text(RdfLiteral("x")), _value_text(BNode())
    ('"two\\nlines"', '"x"', '[]')
    """
    if value is None:
        return ""
    if isinstance(value, BNode):
        return "[]"
    if isinstance(value, RdfLiteral):
        datatype = term_text(value.datatype) if value.datatype is not None else None
        text = turtle_literal(value, datatype)
        if "\n" not in text and "\r" not in text:
            return text
        quoted = '"' + str(value).translate(_ESCAPES) + '"'
        if value.language:
            return f"{quoted}@{value.language}"
        if datatype is not None and datatype not in ("xsd:string", f"<{XSD.string}>"):
            return f"{quoted}^^{datatype}"
        return quoted
    return term_text(value)


def verdict(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """``Conforms`` (no result: SHACL's ``sh:conforms``), ``Passes at --fail-on LEVEL`` (results,
    none at or above ``threshold``) or ``Does not conform``.

    >>> r = ValidationResult(URIRef("urn:x"), None, None, "", URIRef("urn:S"), "Warning",
    ...                      URIRef("urn:C"))
    >>> verdict(ValidationReport([r])), verdict(ValidationReport([r]), "warning")
    ('Passes at --fail-on violation', 'Does not conform')
    """
    if report.conforms:
        return "Conforms"
    if report.conforms_at(threshold):
        return f"Passes at --fail-on {severity(threshold).lower()}"
    return "Does not conform"


def summary_line(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """``Conforms: 0 violations, 0 warnings, 0 infos (2,284 triples, 41 shapes)``; ``Passes at
    --fail-on violation: ...`` when there are results but none at or above ``threshold``;
    ``Does not conform: ...`` when one is (see :func:`verdict`).

    >>> summary_line(ValidationReport([], triples=2284, shapes=41))
    'Conforms: 0 violations, 0 warnings, 0 infos (2,284 triples, 41 shapes)'
    """
    counts = report.counts()
    parts = ", ".join(
        f"{n} {_SINGULAR.get(s, s) if n == 1 else _PLURAL.get(s, s)}" for s, n in counts.items()
    )
    size = f"{report.triples:,} triples, {report.shapes:,} shapes"
    return f"{verdict(report, threshold)}: {parts} ({size})"


def render_text(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """One block per result, in a stable order, then the summary line.

    Each block: severity and focus node, then path, value, message, shape, constraint
    component and place (``file:line``, or why there is none: :func:`place_text`) (lines
    without a value are left out); IRIs shortened with the project prefixes, literals on one
    line, blank nodes as ``[]`` and blank-node shapes by :func:`~jaif_kg.shacl.report.shape_name`,
    so that two runs print the same text.
    """
    blocks = []
    shapes = report.shapes_graph
    for r in report.results:
        lines = [f"{r.severity}: {_value_text(r.focus_node)}"]
        for label, text in (
            ("path", _path_text(r.result_path)),
            ("value", _value_text(r.value)),
            ("message", stable_message(r)),
            ("shape", shape_name(r.source_shape, shapes)),
            ("component", term_text(r.constraint_component)),
            ("at", place_text(r)),
        ):
            if text:
                lines.append(f"  {label + ':':<10} {text}")
        blocks.append("\n".join(lines))
    blocks.append(summary_line(report, threshold))
    return "\n\n".join(blocks) + "\n"


def place_text(result: ValidationResult) -> str:
    """``file:line``; the file alone when its line is unknown, followed by ``(no line: why)``
    when the locator said why; ``(no line: why)`` alone when no file holds it; else ``""``.

    >>> r = ValidationResult(URIRef("urn:x"), None, None, "", URIRef("urn:S"), "Info",
    ...                      URIRef("urn:C"), file="data.ttl", line=3)
    >>> place_text(r)
    'data.ttl:3'
    >>> import dataclasses
    >>> place_text(dataclasses.replace(r, file=None, line=None, place_note="not in any data file"))
    '(no line: not in any data file)'
    """
    note = f"(no line: {result.place_note})" if result.place_note else ""
    if result.file is None:
        return note
    if result.line is not None:
        return f"{result.file}:{result.line}"
    return f"{result.file} {note}" if note else result.file


def json_term(node: Node | ResultPath | None) -> dict[str, str] | None:
    """A term as in SPARQL JSON results (https://www.w3.org/TR/sparql11-results-json/#select-
    encode-terms); a property path other than a predicate as ``{"type": "path", "value": ...}``
    in SPARQL syntax.

    >>> json_term(RdfLiteral("chat", lang="fr"))
    {'type': 'literal', 'value': 'chat', 'xml:lang': 'fr'}
    """
    if node is None:
        return None
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    if isinstance(node, RdfLiteral):
        term = {"type": "literal", "value": str(node)}
        if node.language:
            term["xml:lang"] = node.language
        elif node.datatype is not None:
            term["datatype"] = str(node.datatype)
        return term
    return {"type": "path", "value": node.n3()}


def _stable(node: Node | ResultPath | None, shapes: Graph | None, depth: int = 0) -> str:
    """A term's text that does not change between runs: a blank-node shape is named by the
    shape that holds it and its ``sh:path`` (or, lacking those, ``[]``)."""
    if node is None:
        return ""
    if not isinstance(node, BNode):
        return str(node.n3())
    if shapes is None or depth > 8:
        return "[]"
    parent = next(shapes.subjects(SH.property, node), None)
    path = shapes.value(node, SH.path)
    path_text = path.n3() if isinstance(path, URIRef) else _stable(path, shapes, depth + 1)
    if parent is None:
        return f"[{path_text}]"
    return f"{_stable(parent, shapes, depth + 1)}/{path_text}"


def result_id(result: ValidationResult, shapes: Graph | None = None) -> str:
    """A stable id of a result: a hash of its focus node, path, value, shape, constraint
    component and severity, the same from run to run (the place is left out: an id survives
    lines moving). A blank-node shape counts by the shape that holds it and its path (from
    ``shapes``); a blank-node focus node or value counts as ``[]``, since the reader relabels
    blank nodes every run, and then the result's place (``file:line``, as located) counts too,
    so that results about different blank nodes get different ids (such an id changes when
    the lines move).

    >>> r = ValidationResult(URIRef("urn:x"), None, None, "m", URIRef("urn:S"), "Info",
    ...                      URIRef("urn:C"))
    >>> len(result_id(r)), result_id(r) == result_id(r)
    (32, True)
    >>> from rdflib import BNode
    >>> a = ValidationResult(BNode(), None, None, "m", URIRef("urn:S"), "Info", URIRef("urn:C"),
    ...                      file="d.ttl", line=3)
    >>> import dataclasses
    >>> result_id(a) == result_id(dataclasses.replace(a, line=7))
    False
    """
    blank = isinstance(result.focus_node, BNode) or isinstance(result.value, BNode)
    parts = (
        _stable(result.focus_node, None),
        _stable(result.result_path, None),
        _stable(result.value, None),
        _stable(result.source_shape, shapes),
        str(result.constraint_component),
        result.severity,
        *((f"{result.file}:{result.line}",) if blank else ()),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def result_dict(result: ValidationResult, shapes: Graph | None = None) -> dict[str, Any]:
    """A result as JSON-ready values: its id, terms typed as in SPARQL JSON results (see
    :func:`json_term`), absent as null, and its place."""
    return {
        "id": result_id(result, shapes),
        "severity": result.severity,
        "focus_node": json_term(result.focus_node),
        "result_path": json_term(result.result_path),
        "value": json_term(result.value),
        "message": result.message,
        "source_shape": json_term(result.source_shape),
        "shape_name": _stable(result.source_shape, shapes),
        "constraint_component": json_term(result.constraint_component),
        "source_constraint": json_term(result.source_constraint),
        "file": result.file,
        "line": result.line,
        "place_note": result.place_note,
    }


def render_json(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """The report as one JSON object: ``conforms`` (SHACL's: no result at all), ``passes`` (no
    result at or above ``threshold``, the exit code's verdict), ``counts`` (per severity),
    ``triples``, ``shapes``, ``engine``, ``warnings`` and ``results`` (see :func:`result_dict`;
    ``place_note`` says why ``file`` or ``line`` is null)."""
    document = {
        "conforms": report.conforms,
        "passes": report.conforms_at(threshold),
        "counts": report.counts(),
        "triples": report.triples,
        "shapes": report.shapes,
        "engine": report.engine,
        "warnings": report.warnings,
        "results": [result_dict(r, report.shapes_graph) for r in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _path_to_shacl(graph: Graph, path: ResultPath) -> Node:
    """Write an rdflib path into ``graph`` as a SHACL property path; returns its node."""
    if isinstance(path, URIRef):
        return path
    node = BNode()
    if isinstance(path, SequencePath):
        Collection(graph, node, [_path_to_shacl(graph, p) for p in path.args])
    elif isinstance(path, InvPath):
        graph.add((node, SH.inversePath, _path_to_shacl(graph, path.arg)))
    elif isinstance(path, AlternativePath):
        items = BNode()
        Collection(graph, items, [_path_to_shacl(graph, p) for p in path.args])
        graph.add((node, SH.alternativePath, items))
    elif isinstance(path, MulPath):
        predicate = {"*": SH.zeroOrMorePath, "+": SH.oneOrMorePath, "?": SH.zeroOrOnePath}
        graph.add((node, predicate[path.mod], _path_to_shacl(graph, path.path)))
    else:
        raise TypeError(f"unsupported path {path!r}")
    return node


def place_iri(file: str, line: int | None) -> URIRef:
    """The place of a result as an IRI: the file's ``file:`` IRI, with the line as a text
    fragment (RFC 5147, https://www.rfc-editor.org/rfc/rfc5147#section-3: lines count from 0,
    so ``line=11,12`` is the 12th line).

    >>> str(place_iri("/data/a b.ttl", 12))
    'file:///data/a%20b.ttl#line=11,12'
    """
    iri = Path(file).resolve().as_uri()
    return URIRef(iri if line is None else f"{iri}#line={line - 1},{line}")


def report_graph(report: ValidationReport) -> Graph:
    """The report as a SHACL ``sh:ValidationReport`` graph (section 3.6); a result's place is an
    ``rdfs:seeAlso`` to :func:`place_iri` (SHACL allows other properties on results)."""
    graph = new_graph()
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, RdfLiteral(report.conforms)))
    for r in report.results:
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus_node))
        if r.result_path is not None:
            graph.add((node, SH.resultPath, _path_to_shacl(graph, r.result_path)))
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        if r.message:
            graph.add((node, SH.resultMessage, RdfLiteral(r.message)))
        graph.add((node, SH.sourceShape, r.source_shape))
        graph.add((node, SH.resultSeverity, severity_iri(r.severity)))
        graph.add((node, SH.sourceConstraintComponent, r.constraint_component))
        if r.file is not None:
            graph.add((node, RDFS.seeAlso, place_iri(r.file, r.line)))
        if r.source_constraint is not None:
            graph.add((node, SH.sourceConstraint, r.source_constraint))
            if isinstance(r.source_constraint, BNode) and report.shapes_graph is not None:
                for triple in report.shapes_graph.cbd(r.source_constraint):
                    graph.add(triple)
    return graph


def render_turtle(report: ValidationReport) -> str:
    """The SHACL report graph as canonical Turtle."""
    return graph_turtle(report_graph(report))


# -- formats for CI ---------------------------------------------------------------------------

#: SARIF and GitHub levels of SHACL's severities; a custom severity counts as an error.
_LEVELS = {"Violation": "error", "Warning": "warning", "Info": "note"}
_GITHUB = {"error": "error", "warning": "warning", "note": "notice"}


def _level(severity: Severity) -> str:
    return _LEVELS.get(severity, "error")


def _headline(result: ValidationResult) -> str:
    """The message with what it is about: ``message (focus path value)``."""
    about = " ".join(
        t for t in (_value_text(result.focus_node), _path_text(result.result_path)) if t
    )
    value = _value_text(result.value)
    if value:
        about += f" = {value}"
    return f"{stable_message(result) or term_text(result.constraint_component)} ({about})"


def _headline_placed(result: ValidationResult) -> str:
    """:func:`_headline`, then why it has no line, when the locator said."""
    note = f" (no line: {result.place_note})" if result.place_note and result.line is None else ""
    return _headline(result) + note


def _fails(report: ValidationReport, threshold: Severity | str) -> set[int]:
    return {id(r) for r in report.at_or_above(threshold)}


def render_junit(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """JUnit XML: one ``testsuite`` per shape, one ``testcase`` per result (a ``failure`` at or
    above ``threshold``, else passing with the message in ``system-out``), with ``file`` and
    ``line`` attributes where known. A report without results is one passing test case.
    """
    failing = _fails(report, threshold)
    suites = ET.Element("testsuites", name="jaif-kg validate")
    by_shape: dict[str, list[ValidationResult]] = {}
    for r in report.results:
        by_shape.setdefault(_stable(r.source_shape, report.shapes_graph), []).append(r)
    if not by_shape:
        suite = ET.SubElement(suites, "testsuite", name="shapes", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name=summary_line(report, threshold), classname="shapes")
    for shape, results in by_shape.items():
        fails = sum(id(r) in failing for r in results)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=shape,
            tests=str(len(results)),
            failures=str(fails),
            errors="0",
        )
        for r in results:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{_value_text(r.focus_node)} {_path_text(r.result_path)}".strip(),
                classname=shape,
            )
            if r.file is not None:
                case.set("file", r.file)
            if r.line is not None:
                case.set("line", str(r.line))
            text = "\n".join(
                f"{label}: {value}"
                for label, value in (
                    ("severity", r.severity),
                    ("value", _value_text(r.value)),
                    ("component", term_text(r.constraint_component)),
                    ("at", place_text(r)),
                )
                if value
            )
            message = stable_message(r)
            if id(r) in failing:
                failure = ET.SubElement(case, "failure", message=message, type=r.severity)
                failure.text = text
            else:
                ET.SubElement(case, "system-out").text = f"{message}\n{text}"
    suites.set("tests", str(max(1, len(report.results))))
    suites.set("failures", str(len(failing)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def artifact_uri(file: str, cwd: Path | None = None) -> str:
    """A file as a SARIF ``artifactLocation.uri``: relative to ``cwd`` (default: the current
    folder) when it is inside, else an absolute ``file:`` IRI.

    >>> artifact_uri("/w/graph data/a.ttl", Path("/w"))
    'graph%20data/a.ttl'
    >>> artifact_uri("/elsewhere/a.ttl", Path("/w"))
    'file:///elsewhere/a.ttl'
    """
    path = Path(os.path.abspath(file))
    base = Path(os.path.abspath(cwd or Path.cwd()))
    try:
        return urllib.parse.quote(path.relative_to(base).as_posix())
    except ValueError:
        return path.as_uri()


_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _sarif_run(results: list[dict[str, Any]], rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tool": {
            "driver": {
                "name": "jaif-kg",
                "version": __version__,
                "informationUri": "https://w3id.org/jaif-kg/",
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().as_uri() + "/"}},
        "results": results,
    }


def _sarif_location(file: str | None, line: int | None) -> list[dict[str, Any]]:
    if file is None:
        return []
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(file), "uriBaseId": "SRCROOT"}
    }
    if artifact_uri(file).startswith("file:"):
        del physical["artifactLocation"]["uriBaseId"]
    if line is not None:
        physical["region"] = {"startLine": line}
    return [{"physicalLocation": physical}]


def render_sarif(report: ValidationReport) -> str:
    """SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html): the
    shapes are the rules; each result has its rule, level (Violation: error, Warning: warning,
    Info: note, a custom severity: error), message, place (the file relative to the current
    folder, and the line) and its :func:`result_id` as a partial fingerprint."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for r in report.results:
        rule = _stable(r.source_shape, report.shapes_graph)
        if rule not in index:
            index[rule] = len(rules)
            rules.append(
                {
                    "id": rule,
                    "name": _shape_title(r.source_shape, rule, report.shapes_graph),
                    "shortDescription": {"text": stable_message(r) or rule},
                    "defaultConfiguration": {"level": _level(r.severity)},
                }
            )
        item: dict[str, Any] = {
            "ruleId": rule,
            "ruleIndex": index[rule],
            "level": _level(r.severity),
            "message": {"text": _headline_placed(r)},
            "partialFingerprints": {"jaifKgResultId/v1": result_id(r, report.shapes_graph)},
            "properties": {
                "severity": r.severity,
                # a blank node's label changes every run; the location says which it is
                "focusNode": (
                    {"type": "bnode"}
                    if isinstance(r.focus_node, BNode)
                    else json_term(r.focus_node)
                ),
                "constraintComponent": str(r.constraint_component),
            },
        }
        locations = _sarif_location(r.file, r.line)
        if locations:
            item["locations"] = locations
        results.append(item)
    document = {"$schema": _SARIF_SCHEMA, "version": "2.1.0", "runs": [_sarif_run(results, rules)]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def github_data(text: str) -> str:
    r"""Escape the message of a GitHub workflow command (``%``, CR, LF), as the toolkit does
    (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts).

    >>> github_data("50%\nmore")
    '50%25%0Amore'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """Escape a property of a workflow command: as :func:`github_data`, and ``:`` and ``,``.

    >>> github_property("a:b,c")
    'a%3Ab%2Cc'
    """
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """GitHub Actions workflow commands, one per result (``::error file=…,line=…,title=…::…``;
    ``::warning``, ``::notice``), then the summary line
    (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions)."""
    lines = []
    for r in report.results:
        props = []
        if r.file is not None:
            props.append(f"file={github_property(r.file)}")
            if r.line is not None:
                props.append(f"line={r.line}")
        shape = shape_name(r.source_shape, report.shapes_graph)
        title = f"{shape} ({term_text(r.constraint_component)})"
        props.append(f"title={github_property(title)}")
        message = github_data(_headline_placed(r))
        lines.append(f"::{_GITHUB[_level(r.severity)]} {','.join(props)}::{message}")
    lines.append(summary_line(report, threshold))
    return "\n".join(lines) + "\n"


def markdown_cell(text: str) -> str:
    r"""Text safe in a Markdown table cell: HTML escaped, ``|`` escaped, lines joined.

    >>> markdown_cell("<a> | b\nc")
    '&lt;a&gt; \\| b<br>c'
    """
    return (
        html.escape(text, quote=False).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")
    )


def _shape_title(shape: Node, stable: str, shapes: Graph | None = None) -> str:
    return shape_name(shape, shapes) if isinstance(shape, URIRef | BNode) else stable


def render_markdown(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY`` or a merge-request comment: the verdict,
    the counts, and a table of results per shape."""
    ok = report.conforms_at(threshold)
    heading = verdict(report, threshold)
    heading = heading[0].lower() + heading[1:]
    out = [
        f"## jaif-kg validate: {'✅' if ok else '❌'} {heading}",
        "",
        markdown_cell(summary_line(report, threshold)),
        "",
        "| Severity | Results |",
        "| --- | ---: |",
        *(f"| {markdown_cell(s)} | {n} |" for s, n in report.counts().items()),
    ]
    for warning in report.warnings:
        out += ["", f"> {markdown_cell(warning)}"]
    by_shape: dict[str, list[ValidationResult]] = {}
    for r in report.results:
        by_shape.setdefault(_stable(r.source_shape, report.shapes_graph), []).append(r)
    for shape, results in by_shape.items():
        title = _shape_title(results[0].source_shape, shape, report.shapes_graph)
        out += [
            "",
            f"### {markdown_cell(title)}",
            "",
            "| Severity | Focus node | Path | Value | Message | Where |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in results:
            cells = (
                r.severity,
                _value_text(r.focus_node),
                _path_text(r.result_path),
                _value_text(r.value),
                stable_message(r),
                place_text(r),
            )
            out.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


# -- by name, and errors ----------------------------------------------------------------------


def _text(report: ValidationReport, threshold: Severity | str) -> str:
    return render_text(report, threshold)


#: The formats of ``jaif-kg validate --format``, each a function of the report and the
#: ``--fail-on`` threshold.
FORMATS: dict[str, Callable[[ValidationReport, Severity | str], str]] = {
    "text": _text,
    "turtle": lambda report, _threshold: render_turtle(report),
    "json": render_json,
    "junit": render_junit,
    "sarif": lambda report, _threshold: render_sarif(report),
    "github": render_github,
    "markdown": render_markdown,
}


def render(report: ValidationReport, fmt: str, threshold: Severity | str = "Violation") -> str:
    """The report in format ``fmt`` (a key of :data:`FORMATS`)."""
    return FORMATS[fmt](report, threshold)


def _errors(error: InputError) -> list[InputError]:
    return list(error.errors) if isinstance(error, InputErrors) else [error]


def _error_message(error: InputError) -> str:
    """The error's own message, without the ``file:line:`` prefix its text starts with."""
    text = str(error)
    where = error.path or ""
    if error.line is not None:
        where = f"{where}:{error.line}" if where else f"line {error.line}"
    return text.removeprefix(f"{where}: ") if where else text


def render_error(error: InputError, fmt: str) -> str | None:
    """An unusable input as a document of the format ``fmt`` (json, junit, sarif; github: one
    ``::error`` annotation per error; markdown: a list of them), so that CI has something to
    read and show on exit 2; ``None`` for text and turtle (the one-line messages on stderr say
    it all).

    >>> print(render_error(InputError("bad", path="a.ttl", line=3), "json"), end="")
    {
      "conforms": null,
      "error": {
        "message": "a.ttl:3: bad",
        "errors": [
          {
            "file": "a.ttl",
            "line": 3,
            "message": "bad"
          }
        ]
      }
    }
    """
    errors = _errors(error)
    if fmt == "json":
        document = {
            "conforms": None,
            "error": {
                "message": str(error),
                "errors": [
                    {"file": e.path, "line": e.line, "message": _error_message(e)} for e in errors
                ],
            },
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        run = _sarif_run([], [])
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [
                    {
                        "level": "error",
                        "message": {"text": _error_message(e)},
                        **(
                            {"locations": _sarif_location(e.path, e.line)}
                            if e.path is not None
                            else {}
                        ),
                    }
                    for e in errors
                ],
            }
        ]
        sarif = {"$schema": _SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        suites = ET.Element("testsuites", name="jaif-kg validate", tests=str(len(errors)))
        suite = ET.SubElement(
            suites, "testsuite", name="input", tests=str(len(errors)), errors=str(len(errors))
        )
        for e in errors:
            case = ET.SubElement(suite, "testcase", name=e.path or "input", classname="input")
            if e.path is not None:
                case.set("file", e.path)
            if e.line is not None:
                case.set("line", str(e.line))
            ET.SubElement(case, "error", message=_error_message(e), type="InputError").text = str(e)
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
    if fmt == "github":
        return "".join(f"{_github_error(e)}\n" for e in errors)
    if fmt == "markdown":
        out = ["## jaif-kg validate: ❌ unusable input", ""]
        out += [
            f"- {markdown_cell(place)}{markdown_cell(_error_message(e))}"
            for e, place in ((e, f"`{_error_place(e)}`: " if e.path else "") for e in errors)
        ]
        return "\n".join(out) + "\n"
    return None


def _error_place(error: InputError) -> str:
    return f"{error.path}:{error.line}" if error.line is not None else str(error.path)


def _github_error(error: InputError) -> str:
    """``::error file=F,line=N,title=jaif-kg validate::message`` for one input error.

    >>> _github_error(InputError("bad, very", path="a.ttl", line=3))
    '::error file=a.ttl,line=3,title=jaif-kg validate::bad, very'
    """
    props = []
    if error.path is not None:
        props.append(f"file={github_property(error.path)}")
        if error.line is not None:
            props.append(f"line={error.line}")
    props.append(f"title={github_property('jaif-kg validate')}")
    return f"::error {','.join(props)}::{github_data(_error_message(error))}"
