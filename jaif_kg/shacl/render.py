"""Writing a :class:`~jaif_kg.shacl.report.ValidationReport`: text for people, JSON, and the SHACL
report graph (https://www.w3.org/TR/shacl/#validation-report) as canonical Turtle."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rdflib import RDF, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from jaif_kg.rdf.canonical import graph_turtle, turtle_literal
from jaif_kg.rdf.graph import new_graph, term_text
from jaif_kg.shacl.report import ResultPath, Severity, ValidationReport, ValidationResult

_PLURAL = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}
_SINGULAR = {"Violation": "violation", "Warning": "warning", "Info": "info"}


def _path_text(path: ResultPath | None) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return term_text(path)
    # rdflib writes paths in SPARQL syntax; shorten the IRIs inside
    text: str = path.n3()
    for iri in sorted({str(t) for t in _path_iris(path)}, key=len, reverse=True):
        text = text.replace(f"<{iri}>", term_text(URIRef(iri)))
    return text


def _path_iris(path: ResultPath) -> Iterable[URIRef]:
    if isinstance(path, URIRef):
        yield path
    elif isinstance(path, SequencePath | AlternativePath):
        for p in path.args:
            yield from _path_iris(p)
    elif isinstance(path, InvPath):
        yield from _path_iris(path.arg)
    elif isinstance(path, MulPath):
        yield from _path_iris(path.path)


def _value_text(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, RdfLiteral):
        datatype = term_text(value.datatype) if value.datatype is not None else None
        return turtle_literal(value, datatype)
    return term_text(value)


def summary_line(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """``Conforms: 0 violations, 2 warnings, 0 infos (2,284 triples, 41 shapes)`` or
    ``Does not conform: ...`` when a result is at or above ``threshold``.

    >>> summary_line(ValidationReport([], triples=2284, shapes=41))
    'Conforms: 0 violations, 0 warnings, 0 infos (2,284 triples, 41 shapes)'
    """
    counts = report.counts()
    parts = ", ".join(f"{n} {_SINGULAR[s] if n == 1 else _PLURAL[s]}" for s, n in counts.items())
    verdict = "Conforms" if report.conforms_at(threshold) else "Does not conform"
    return f"{verdict}: {parts} ({report.triples:,} triples, {report.shapes:,} shapes)"


def render_text(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """One block per result, in a stable order, then the summary line.

    Each block: severity and focus node, then path, value, message, shape and constraint
    component (lines without a value are left out); IRIs shortened with the project prefixes.
    """
    blocks = []
    for r in report.results:
        lines = [f"{r.severity}: {term_text(r.focus_node)}"]
        for label, text in (
            ("path", _path_text(r.result_path)),
            ("value", _value_text(r.value)),
            ("message", r.message),
            ("shape", term_text(r.source_shape)),
            ("component", term_text(r.constraint_component)),
        ):
            if text:
                lines.append(f"  {label + ':':<10} {text}")
        blocks.append("\n".join(lines))
    blocks.append(summary_line(report, threshold))
    return "\n\n".join(blocks) + "\n"


def _json_term(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def result_dict(result: ValidationResult) -> dict[str, Any]:
    """A result as JSON-ready values: IRIs in full, literals as their text, absent as null."""
    return {
        "severity": result.severity,
        "focus_node": _json_term(result.focus_node),
        "result_path": (
            _json_term(result.result_path)
            if result.result_path is None or isinstance(result.result_path, URIRef)
            else result.result_path.n3()
        ),
        "value": _json_term(result.value),
        "message": result.message,
        "source_shape": _json_term(result.source_shape),
        "constraint_component": _json_term(result.constraint_component),
        "source_constraint": _json_term(result.source_constraint),
    }


def render_json(report: ValidationReport) -> str:
    """The results as a JSON array of objects (see :func:`result_dict`)."""
    return json.dumps([result_dict(r) for r in report.results], indent=2, ensure_ascii=False) + "\n"


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


def report_graph(report: ValidationReport) -> Graph:
    """The report as a SHACL ``sh:ValidationReport`` graph (section 3.6)."""
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
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        graph.add((node, SH.sourceConstraintComponent, r.constraint_component))
        if r.source_constraint is not None:
            graph.add((node, SH.sourceConstraint, r.source_constraint))
            if isinstance(r.source_constraint, BNode) and report.shapes_graph is not None:
                for triple in report.shapes_graph.cbd(r.source_constraint):
                    graph.add(triple)
    return graph


def render_turtle(report: ValidationReport) -> str:
    """The SHACL report graph as canonical Turtle."""
    return graph_turtle(report_graph(report))
