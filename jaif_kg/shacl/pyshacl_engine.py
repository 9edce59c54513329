"""SHACL validation (https://www.w3.org/TR/shacl/) and its report. The only module that imports
pySHACL.

:class:`ValidationReport` does not depend on pySHACL: it is a list of :class:`ValidationResult`
(the fields of a ``sh:ValidationResult``, SHACL section 3.6) plus the size of what was checked,
so another engine (for example one that evaluates the ``sh:sparql`` constraints on Oxigraph)
can build the same report and use the same renderers (:func:`render_text`, :func:`render_json`,
:func:`render_turtle`) and exit codes.

Choices, for pySHACL:

* ``inference="none"``: the data graph is merged with the ontology, and SHACL's notion of
  "instance" already follows ``rdfs:subClassOf`` in the data graph (section 3.2), which is all
  the shapes' ``sh:targetClass`` needs; RDFS inference would add triples nobody asserted.
* SPARQL-based constraints (``sh:sparql``, section 5) are core SHACL and always run;
  SHACL Advanced Features (custom targets, rules, functions) are switched on only when the
  shapes use them.
* Severity: the threshold of a run (``--fail-on``) is applied here, not by pySHACL, so the report
  always holds every result.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as RdfPath
from rdflib.term import Identifier, Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import new_graph, read_graph, term_text
from jaif_kg.rdf.namespaces import DEFAULT_BASE

Severity = Literal["Violation", "Warning", "Info"]

#: Severities, most severe first (SHACL section 3.4.6).
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_PLURAL = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}
_SINGULAR = {"Violation": "violation", "Warning": "warning", "Info": "info"}

#: A ``sh:resultPath``: a predicate IRI or a SHACL property path (section 2.3.1).
ResultPath = URIRef | RdfPath


def severity(name: str) -> Severity:
    """Parse a severity name, in any case (``violation``, ``Warning``, ``sh:Info``).

    >>> severity("warning")
    'Warning'
    """
    key = name.rsplit(":", 1)[-1].rsplit("#", 1)[-1].capitalize()
    if key not in _RANK:
        raise InputError(f"unknown severity {name!r}; use one of: violation, warning, info")
    return key


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``.

    Attributes:
        focus_node: the node that was validated (``sh:focusNode``).
        result_path: the property path that led to the value (``sh:resultPath``), if any.
        value: the offending value (``sh:value``), if any.
        message: the message (``sh:resultMessage``), the shape's ``sh:message`` or the engine's.
        source_shape: the shape (``sh:sourceShape``).
        severity: ``Violation``, ``Warning`` or ``Info`` (``sh:resultSeverity``).
        constraint_component: e.g. ``sh:MinCountConstraintComponent``
            (``sh:sourceConstraintComponent``).
        source_constraint: for a SPARQL-based constraint, the ``sh:sparql`` node
            (``sh:sourceConstraint``).
    """

    focus_node: Identifier
    result_path: ResultPath | None
    value: Identifier | None
    message: str
    source_shape: Identifier
    severity: Severity
    constraint_component: URIRef
    source_constraint: Identifier | None = None

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        """Severity (most severe first), then focus node, path, shape, value, component, message."""
        return (
            _RANK[self.severity],
            _n3(self.focus_node),
            _n3(self.result_path),
            _n3(self.source_shape),
            _n3(self.value),
            str(self.constraint_component),
            self.message,
        )


def _n3(node: Node | RdfPath | None) -> str:
    if node is None:
        return ""
    text: str = node.n3()
    return text


@dataclass
class ValidationReport:
    """The outcome of validating a data graph against shapes.

    Attributes:
        results: every result, in :meth:`ValidationResult.sort_key` order.
        triples: number of triples in the data graph that was validated.
        shapes: number of shapes (node and property shapes) in the shapes graph.
        engine: what produced the report (``pyshacl``, ...).
        shapes_graph: the shapes, kept so that a Turtle report can describe blank-node
            constraints; optional.
    """

    results: list[ValidationResult]
    triples: int = 0
    shapes: int = 0
    engine: str = "pyshacl"
    shapes_graph: Graph | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.results = sorted(self.results, key=ValidationResult.sort_key)

    @property
    def conforms(self) -> bool:
        """SHACL's ``sh:conforms``: no result of any severity."""
        return not self.results

    def at_or_above(self, threshold: Severity | str = "Violation") -> list[ValidationResult]:
        """The results whose severity is ``threshold`` or more severe."""
        limit = _RANK[severity(threshold)]
        return [r for r in self.results if _RANK[r.severity] <= limit]

    def conforms_at(self, threshold: Severity | str = "Violation") -> bool:
        """True when no result is at or above ``threshold`` (``Violation``: warnings pass)."""
        return not self.at_or_above(threshold)

    def counts(self) -> dict[Severity, int]:
        """Number of results per severity (every severity present, zero if none)."""
        found = Counter(r.severity for r in self.results)
        return {s: found.get(s, 0) for s in SEVERITIES}


# -- running pySHACL ------------------------------------------------------------------------

_ADVANCED_PREDICATES = (SH.target, SH.rule, SH.condition)
_ADVANCED_TYPES = (SH.SPARQLFunction, SH.SPARQLTarget, SH.SPARQLTargetType, SH.JSTarget)


def _needs_advanced(shapes: Graph) -> bool:
    if any(next(shapes.triples((None, p, None)), None) for p in _ADVANCED_PREDICATES):
        return True
    return any(next(shapes.triples((None, RDF.type, t)), None) for t in _ADVANCED_TYPES)


def count_shapes(shapes: Graph) -> int:
    """Number of node and property shapes: nodes typed as one, or values of ``sh:property``."""
    nodes: set[Node] = set(shapes.subjects(RDF.type, SH.NodeShape))
    nodes.update(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes.update(shapes.objects(None, SH.property))
    return len(nodes)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _instances(data: Graph, cls: Node) -> set[Node]:
    """SHACL instances of ``cls``: ``rdf:type/rdfs:subClassOf*`` (SHACL section 2.1.3.1)."""
    classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in data.subjects(RDF.type, c)}


def retarget(data: Graph, shapes: Graph, focus_nodes: Iterable[Node]) -> Graph:
    """A copy of ``shapes`` whose shapes target only those of ``focus_nodes`` they targeted.

    Each shape's targets (SHACL section 2.1.3) are evaluated on ``data`` and replaced by
    ``sh:targetNode`` statements for the focus nodes among them; the shapes' constraints,
    nested shapes included, are untouched.
    """
    wanted = set(focus_nodes)
    out = Graph()
    for prefix, namespace in shapes.namespaces():
        out.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] not in _TARGETS:
            out.add(triple)
    for shape in (
        set(shapes.subjects(SH.targetClass, None))
        | set(shapes.subjects(SH.targetNode, None))
        | set(shapes.subjects(SH.targetSubjectsOf, None))
        | set(shapes.subjects(SH.targetObjectsOf, None))
    ):
        targeted: set[Node] = set(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            targeted |= _instances(data, cls)
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            targeted |= set(data.subjects(prop, None))
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            targeted |= set(data.objects(None, prop))
        for node in targeted & wanted:
            out.add((shape, SH.targetNode, node))
    return out


def validate_graphs(
    data: Graph, shapes: Graph, *, focus_nodes: Sequence[Node] | None = None
) -> ValidationReport:
    """Validate ``data`` (already merged with the ontology) against ``shapes`` with pySHACL.

    Args:
        data: the data graph.
        shapes: the shapes graph.
        focus_nodes: validate only these nodes (against the shapes that target them), for
            checking a few new nodes in a large graph; ``None`` validates every target. The
            shapes are re-targeted (see :func:`retarget`) rather than passed to pySHACL's own
            ``focus_nodes`` option, which also filters the values that nested shapes
            (``sh:node``, ``sh:qualifiedValueShape``) check, and so changes their results.

    Raises:
        InputError: the shapes graph is not valid SHACL (pySHACL cannot load a shape).
    """
    import pyshacl  # the only pySHACL import; deferred so that other commands start faster
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    if focus_nodes is not None:
        shapes = retarget(data, shapes, focus_nodes)
    try:
        _, report_graph, report_text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=_needs_advanced(shapes),
            abort_on_first=False,
            allow_warnings=False,
        )
    except (ShapeLoadError, ReportableRuntimeError) as exc:
        raise InputError(f"the shapes cannot be used: {exc.message}") from None
    if not isinstance(report_graph, Graph):
        # pySHACL reports a failure of its own (e.g. a constraint query it rejects) this way
        raise InputError(f"the shapes cannot be used: {str(report_text).strip()}")
    return ValidationReport(
        results=results_from_graph(report_graph),
        triples=len(data),
        shapes=count_shapes(shapes),
        engine="pyshacl",
        shapes_graph=shapes,
    )


def validate(
    data_paths: Sequence[Path | str],
    shapes_paths: Sequence[Path | str],
    ontology_paths: Sequence[Path | str] = (),
    *,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate the merge of ``data_paths`` and ``ontology_paths`` against the shapes files.

    Every file is read under ``base`` (rebased when it is not the default base, the shapes'
    SPARQL text included).

    Raises:
        InputError: a file is missing or malformed (file and line), or the shapes are unusable.
    """
    if not shapes_paths:
        raise InputError("no shapes to validate against")
    data = read_graph([*ontology_paths, *data_paths], base=base)
    shapes = read_graph(shapes_paths, base=base)
    return validate_graphs(data, shapes)


# -- reading a SHACL report graph -----------------------------------------------------------


def _path_from_shacl(graph: Graph, node: Node) -> ResultPath:
    """A SHACL property path (section 2.3.1) as an rdflib path."""
    if isinstance(node, URIRef):
        return node
    if graph.value(node, RDF.first) is not None:
        return SequencePath(*(_path_from_shacl(graph, n) for n in Collection(graph, node)))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(_path_from_shacl(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(
            *(_path_from_shacl(graph, n) for n in Collection(graph, alternatives))
        )
    modifiers: tuple[tuple[URIRef, Literal["*", "+", "?"]], ...] = (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    )
    for predicate, modifier in modifiers:
        inner = graph.value(node, predicate)
        if inner is not None:
            return MulPath(_path_from_shacl(graph, inner), modifier)
    raise InputError(f"not a SHACL property path: {node.n3()}")


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


def _message(graph: Graph, node: Node) -> str:
    messages = sorted(
        graph.objects(node, SH.resultMessage),
        key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)),
    )
    return str(messages[0]) if messages else ""


def results_from_graph(report: Graph) -> list[ValidationResult]:
    """Read the ``sh:ValidationResult`` nodes of a SHACL validation report graph."""
    results = []
    # Only the report's own results: pySHACL also types the nested results of sh:node and
    # similar constraints (under sh:detail) as sh:ValidationResult.
    for node in report.objects(None, SH.result):
        path = report.value(node, SH.resultPath)
        sev = report.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                focus_node=cast(Identifier, report.value(node, SH.focusNode)),
                result_path=_path_from_shacl(report, path) if path is not None else None,
                value=cast(Identifier | None, report.value(node, SH.value)),
                message=_message(report, node),
                source_shape=cast(Identifier, report.value(node, SH.sourceShape)),
                severity=severity(str(sev)) if sev is not None else "Violation",
                constraint_component=cast(URIRef, report.value(node, SH.sourceConstraintComponent)),
                source_constraint=cast(Identifier | None, report.value(node, SH.sourceConstraint)),
            )
        )
    return sorted(results, key=ValidationResult.sort_key)


# -- rendering ------------------------------------------------------------------------------


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
        from jaif_kg.rdf.canonical import turtle_literal

        datatype = term_text(value.datatype) if value.datatype is not None else None
        return turtle_literal(value, datatype)
    return term_text(value)


def summary_line(report: ValidationReport, threshold: Severity | str = "Violation") -> str:
    """``Conforms: 0 violations, 2 warnings, 0 infos (2,284 triples, 41 shapes)`` or
    ``Does not conform: ...`` when a result is at or above ``threshold``."""
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
    from jaif_kg.rdf.canonical import graph_turtle

    return graph_turtle(report_graph(report))
