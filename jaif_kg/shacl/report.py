"""The validation report (https://www.w3.org/TR/shacl/#validation-report), of any engine.

A :class:`ValidationReport` is a list of :class:`ValidationResult` (the fields of a
``sh:ValidationResult``, SHACL section 3.6) plus the size of what was checked: every engine
builds one, and :mod:`jaif_kg.shacl.render` writes it. Also here: what both engines read from
SHACL graphs the same way (property paths, the message a result shows, the number of shapes),
and :func:`results_from_graph`, which reads a SHACL report graph back into results.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, cast

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as RdfPath
from rdflib.term import Identifier, Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import term_text

#: A result's severity (SHACL section 3.4.6): ``Violation``, ``Warning`` or ``Info`` for SHACL's
#: own, and the full IRI for any other (a shape may declare any IRI as its ``sh:severity``).
Severity = str

#: SHACL's severities, most severe first (SHACL section 3.4.6).
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}

#: A ``sh:resultPath``: a predicate IRI or a SHACL property path (section 2.3.1).
ResultPath = URIRef | RdfPath


def severity(name: str) -> Severity:
    """Parse the name of one of SHACL's severities, in any case (``violation``, ``sh:Info``),
    as a threshold names it.

    >>> severity("warning")
    'Warning'

    Raises:
        InputError: not one of SHACL's three severities.
    """
    key = name.rsplit(":", 1)[-1].rsplit("#", 1)[-1].capitalize()
    if key not in _RANK:
        raise InputError(f"unknown severity {name!r}; use one of: violation, warning, info")
    return key


def result_severity(node: Node, shape: str | None = None) -> Severity:
    """The severity of a result whose shape declares ``sh:severity node`` (SHACL section 3.4.6,
    https://www.w3.org/TR/shacl/#severity): SHACL's own by their short names, any other IRI as
    its full text. ``shape`` names the shape in the error (see :func:`shape_name`).

    >>> result_severity(SH.Warning), result_severity(URIRef("http://example.org/Critical"))
    ('Warning', 'http://example.org/Critical')
    >>> from rdflib import Literal
    >>> result_severity(Literal("high"), "ex:S/ex:name")
    Traceback (most recent call last):
    jaif_kg.errors.InputError: shape ex:S/ex:name: sh:severity must be an IRI, not "high"

    Raises:
        InputError: ``node`` is not an IRI.
    """
    if not isinstance(node, URIRef):
        where = f"shape {shape}: " if shape else ""
        raise InputError(f"{where}sh:severity must be an IRI, not {node.n3()}")
    if node in (SH.Violation, SH.Warning, SH.Info):
        return str(node).removeprefix(str(SH))
    return str(node)


def severity_iri(name: Severity) -> URIRef:
    """The IRI of a severity (the inverse of :func:`result_severity`).

    >>> severity_iri("Info").n3()
    '<http://www.w3.org/ns/shacl#Info>'
    """
    return SH[name] if name in _RANK else URIRef(name)


def rank(name: Severity) -> int:
    """How severe a result's severity is, 0 the most severe. A custom severity (one not defined
    by SHACL) ranks with ``Violation``: a run that fails on violations also fails on it, so an
    unknown severity never passes silently.

    >>> rank("Violation"), rank("Info"), rank("http://example.org/Critical")
    (0, 2, 0)
    """
    return _RANK.get(name, 0)


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``.

    Attributes:
        focus_node: the node that was validated (``sh:focusNode``).
        result_path: the property path that led to the value (``sh:resultPath``), if any.
        value: the offending value (``sh:value``), if any.
        message: the message (``sh:resultMessage``), the shape's ``sh:message`` or the engine's.
        source_shape: the shape (``sh:sourceShape``).
        severity: ``Violation``, ``Warning`` or ``Info``, or a custom severity's IRI
            (``sh:resultSeverity``, see :func:`result_severity`).
        constraint_component: e.g. ``sh:MinCountConstraintComponent``
            (``sh:sourceConstraintComponent``).
        source_constraint: for a SPARQL-based constraint, the ``sh:sparql`` node
            (``sh:sourceConstraint``).
        file: the file of the triple that shows the problem (set by the locator after
            validation; ``None`` when unknown).
        line: its 1-based line in ``file``, when the file's syntax has lines to point at.
        place_note: why ``line`` (or ``file`` and ``line``) is unknown, when the locator
            looked and found none (e.g. ``a literal is not in any file``).
    """

    focus_node: Identifier
    result_path: ResultPath | None
    value: Identifier | None
    message: str
    source_shape: Identifier
    severity: Severity
    constraint_component: URIRef
    source_constraint: Identifier | None = None
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    place_note: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[int, str, str, str, str, str, str, str]:
        """Severity (most severe first, a custom one after Violation), then focus node, path,
        shape, value, component, message."""
        return (
            rank(self.severity),
            "" if self.severity in _RANK else self.severity,
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


def stable_message(result: ValidationResult) -> str:
    """The result's message with the labels of its blank focus node and value written ``[]``
    (an engine may quote them, and the reader relabels blank nodes every run).

    >>> stable_message(ValidationResult(BNode("b1"), None, None, "Less than 1 on _:b1->p",
    ...     URIRef("urn:S"), "Violation", URIRef("urn:C")))
    'Less than 1 on []->p'
    """
    message = result.message
    for node in (result.focus_node, result.value):
        if isinstance(node, BNode):
            message = message.replace(node.n3(), "[]")
    return message


def path_text(path: ResultPath | None) -> str:
    """A property path as a person reads it: SPARQL syntax, IRIs shortened with the project
    prefixes.

    >>> path_text(InvPath(URIRef("urn:p")))
    '^<urn:p>'
    """
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


def shape_name(shape: Node | None, shapes: Graph | None = None, depth: int = 0) -> str:
    """A shape's name that does not change between runs: an IRI shortened; a blank-node shape
    by the shape that holds it (``sh:property``) and its ``sh:path``, ``parent/path`` (lacking a
    parent, ``[path]``; lacking both, ``[]``), as :func:`jaif_kg.shacl.render.result_id` counts
    it.

    >>> g = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> ."
    ...                   "<urn:S> sh:property [ sh:path <urn:p> ] .")
    >>> shape_name(g.value(URIRef("urn:S"), SH.property), g)
    '<urn:S>/<urn:p>'
    """
    if shape is None:
        return ""
    if not isinstance(shape, BNode):
        return term_text(shape)
    if shapes is None or depth > 8:
        return "[]"
    parent = next(shapes.subjects(SH.property, shape), None)
    path_node = shapes.value(shape, SH.path)
    path = ""
    if path_node is not None:
        try:
            path = path_text(path_from_shacl(shapes, path_node))
        except InputError:
            path = "[]"
    if parent is None:
        return f"[{path}]"
    return f"{shape_name(parent, shapes, depth + 1)}/{path}"


def stable_sort_key(
    result: ValidationResult, shapes: Graph | None = None
) -> tuple[int, str, str, str, int, str, str, str, str, str]:
    """The order of a report's results, the same from run to run: as
    :meth:`ValidationResult.sort_key` for IRI and literal terms; a blank focus node (after the
    IRIs, as before) by its file and line, a blank-node shape by :func:`shape_name` (after the
    IRI shapes), a blank value as ``[]``, and the message with blank labels written ``[]``."""
    blank = isinstance(result.focus_node, BNode)
    shape = result.source_shape
    return (
        rank(result.severity),
        "" if result.severity in _RANK else result.severity,
        "_:" if blank else _n3(result.focus_node),
        (result.file or "") if blank else "",
        (result.line or 0) if blank else 0,
        _n3(result.result_path),
        "_:" + shape_name(shape, shapes) if isinstance(shape, BNode) else _n3(shape),
        "_:" if isinstance(result.value, BNode) else _n3(result.value),
        str(result.constraint_component),
        stable_message(result),
    )


@dataclass
class ValidationReport:
    """The outcome of validating a data graph against shapes.

    Attributes:
        results: every result, in :func:`stable_sort_key` order (with ``shapes_graph``).
        triples: number of triples in the data graph that was validated.
        shapes: number of shapes (node and property shapes) in the shapes graph.
        engine: what produced the report (``pyshacl``, ``fast``).
        shapes_graph: the shapes, kept so that a Turtle report can describe blank-node
            constraints; optional.
        warnings: what the run noticed that is not a SHACL result (e.g. a file with no triples),
            one line each, naming the file.
    """

    results: list[ValidationResult]
    triples: int = 0
    shapes: int = 0
    engine: str = "pyshacl"
    shapes_graph: Graph | None = field(default=None, repr=False, compare=False)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        shapes = self.shapes_graph
        self.results = sorted(self.results, key=lambda r: stable_sort_key(r, shapes))

    @property
    def conforms(self) -> bool:
        """SHACL's ``sh:conforms``: no result of any severity."""
        return not self.results

    def at_or_above(self, threshold: Severity = "Violation") -> list[ValidationResult]:
        """The results whose severity is ``threshold`` (one of SHACL's three) or more severe.
        A custom severity ranks with ``Violation`` (see :func:`rank`): it is reported at every
        threshold."""
        limit = _RANK[severity(threshold)]
        return [r for r in self.results if rank(r.severity) <= limit]

    def conforms_at(self, threshold: Severity = "Violation") -> bool:
        """True when no result is at or above ``threshold`` (``Violation``: warnings pass)."""
        return not self.at_or_above(threshold)

    def counts(self) -> dict[Severity, int]:
        """Number of results per severity: SHACL's three always (zero if none), then each custom
        severity that a result carries, in alphabetical order."""
        found = Counter(r.severity for r in self.results)
        custom = sorted(s for s in found if s not in _RANK)
        return {s: found.get(s, 0) for s in (*SEVERITIES, *custom)}


# -- what both engines read from SHACL graphs -------------------------------------------------


def count_shapes(shapes: Graph) -> int:
    """Number of node and property shapes: nodes typed as one, or values of ``sh:property``."""
    nodes: set[Node] = set(shapes.subjects(RDF.type, SH.NodeShape))
    nodes.update(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes.update(shapes.objects(None, SH.property))
    return len(nodes)


def path_from_shacl(graph: Graph, node: Node) -> ResultPath:
    """A SHACL property path (section 2.3.1) as an rdflib path.

    >>> g = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> ."
    ...                   "<urn:s> <urn:p> [ sh:inversePath <urn:q> ] .")
    >>> path_from_shacl(g, g.value(URIRef("urn:s"), URIRef("urn:p"))).n3()
    '^<urn:q>'

    Raises:
        InputError: ``node`` is not a SHACL property path.
    """
    if isinstance(node, URIRef):
        return node
    if graph.value(node, RDF.first) is not None:
        return SequencePath(*(path_from_shacl(graph, n) for n in Collection(graph, node)))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(path_from_shacl(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(
            *(path_from_shacl(graph, n) for n in Collection(graph, alternatives))
        )
    modifiers: tuple[tuple[URIRef, Literal["*", "+", "?"]], ...] = (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    )
    for predicate, modifier in modifiers:
        inner = graph.value(node, predicate)
        if inner is not None:
            return MulPath(path_from_shacl(graph, inner), modifier)
    raise InputError(f"not a SHACL property path: {node.n3()}")


def choose_message(messages: Iterable[Node]) -> str:
    """The message a result shows: English or untagged first, then alphabetical.

    >>> from rdflib import Literal
    >>> choose_message([Literal("b", lang="fr"), Literal("z"), Literal("a", lang="en")])
    'a'
    """
    ordered = sorted(
        messages, key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m))
    )
    return str(ordered[0]) if ordered else ""


def results_from_graph(report: Graph, shapes: Graph | None = None) -> list[ValidationResult]:
    """Read the ``sh:ValidationResult`` nodes of a SHACL validation report graph. A shape named
    in an error is described from ``shapes`` (else from the report graph, which pySHACL gives a
    copy of each blank-node shape)."""
    results = []
    # Only the report's own results: pySHACL also types the nested results of sh:node and
    # similar constraints (under sh:detail) as sh:ValidationResult.
    for node in report.objects(None, SH.result):
        path = report.value(node, SH.resultPath)
        sev = report.value(node, SH.resultSeverity)
        shape = report.value(node, SH.sourceShape)
        results.append(
            ValidationResult(
                focus_node=cast(Identifier, report.value(node, SH.focusNode)),
                result_path=path_from_shacl(report, path) if path is not None else None,
                value=cast(Identifier | None, report.value(node, SH.value)),
                message=choose_message(report.objects(node, SH.resultMessage)),
                source_shape=cast(Identifier, shape),
                severity=(
                    result_severity(sev, shape_name(shape, shapes or report))
                    if sev is not None
                    else "Violation"
                ),
                constraint_component=cast(URIRef, report.value(node, SH.sourceConstraintComponent)),
                source_constraint=cast(Identifier | None, report.value(node, SH.sourceConstraint)),
            )
        )
    return sorted(results, key=ValidationResult.sort_key)
