"""What the compilation of every constraint component uses: the shapes as read, terms and paths
written as SPARQL (by THE escaper), the checks of a plan, and :class:`Context`, the compiler's
state that the component modules receive.

A component compiles in one of two ways: as a *check* (a SELECT query whose solutions are the
results of a shape for its focus nodes, :meth:`Context.results`) or as a *condition* (a SPARQL
expression, true when a term conforms to a shape, :meth:`Context.conforms`), which is how a shape
used by another (``sh:node``, ``sh:or``...) is tested without another round trip.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from rdflib import RDF, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Identifier, Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.report import (
    ResultPath,
    Severity,
    ValidationResult,
    choose_message,
    path_from_shacl,
    result_severity,
    shape_name,
)
from jaif_kg.sparql.escape import TermError, sparql_string, sparql_term

#: The shapes a shape is nested in, outermost first (to refuse recursion).
Stack = tuple[Identifier, ...]
#: ``focus(var)``: a group pattern that binds ``var`` to each focus node.
Focus = Callable[[str], str]
Rows = list[dict[str, Identifier]]
ToResults = Callable[[Rows], list[ValidationResult]]
#: ``fails(context, parameter value, v, stack)``: a SPARQL expression, true when the value node
#: ``v`` fails a component (one per parameter, e.g. ``sh:class``).
Fails = Callable[["Context", Node, str, Stack], str]


class Unsupported(Exception):
    """A shape uses something this engine does not evaluate faithfully."""


def term(node: Node) -> str:
    """A term of the shapes as SPARQL text (:func:`jaif_kg.sparql.escape.sparql_term`).

    >>> term(RdfLiteral('say "hi"', lang="en"))
    '"say \\\\"hi\\\\""@en'

    Raises:
        Unsupported: a term that cannot be written as one term, such as a blank node (a shape
            cannot name a node of the data graph by it).
    """
    try:
        return sparql_term(cast(Identifier, node))
    except TermError as exc:
        raise Unsupported(f"{exc} (a value in a shape)") from None


RDF_TYPE = term(RDF.type)


def path_text(path: ResultPath) -> str:
    """An rdflib path as a SPARQL property path, every step in parentheses.

    >>> p, q = URIRef("urn:p"), URIRef("urn:q")
    >>> path_text(SequencePath(p, InvPath(q), MulPath(p, "*")))
    '(<urn:p>/^(<urn:q>)/(<urn:p>)*)'
    """
    if isinstance(path, URIRef):
        return term(path)
    if isinstance(path, SequencePath):
        return "(" + "/".join(path_text(p) for p in path.args) + ")"
    if isinstance(path, AlternativePath):
        return "(" + "|".join(path_text(p) for p in path.args) + ")"
    if isinstance(path, InvPath):
        return f"^({path_text(path.arg)})"
    if isinstance(path, MulPath):
        return f"({path_text(path.path)}){path.mod}"
    raise Unsupported(f"property path {path!r}")


@dataclass
class Shape:
    """A node or property shape, as the compiler reads it."""

    node: Identifier
    path_node: Node | None
    path_sparql: str | None
    result_path: ResultPath | None
    severity: Severity
    messages: list[RdfLiteral]
    deactivated: bool

    @property
    def is_property(self) -> bool:
        """True for a property shape (one with ``sh:path``)."""
        return self.path_node is not None


@dataclass
class Check:
    """One query and how its rows become results."""

    sparql: str
    to_results: ToResults
    label: str


@dataclass
class ShapesPlan:
    """The shapes compiled into queries for one data graph.

    Attributes:
        checks: the queries, one per constraint.
        unsupported: what the engine cannot evaluate faithfully, one line each; when not empty
            the plan must not be used (``engine="auto"`` falls back to pySHACL).
    """

    checks: list[Check] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


class Context:
    """The shapes graph, the class hierarchy of the data graph and the plan being built.

    :meth:`conforms` and :meth:`results` dispatch to the components; the compiler
    (:class:`jaif_kg.shacl.fast.compiler.Compiler`) implements them.
    """

    def __init__(
        self,
        shapes: Graph,
        subclasses: dict[Identifier, set[Identifier]],
        run: Callable[[str], Rows] | None = None,
    ) -> None:
        self.g = shapes
        self.subclasses = subclasses
        self._run = run
        self._asked: dict[str, bool] = {}
        self._counter = itertools.count()
        self._shapes: dict[Identifier, Shape] = {}
        self.plan = ShapesPlan()

    def conforms(self, node: Identifier, x: str, stack: Stack = ()) -> str:
        """A SPARQL expression, true when the term ``x`` conforms to shape ``node``."""
        raise NotImplementedError

    def results(self, node: Identifier, focus: Focus, stack: Stack = ()) -> None:
        """Add the checks that report ``node``'s results for the focus nodes of ``focus``."""
        raise NotImplementedError

    def _data_has(self, condition: str) -> bool:
        """Whether a literal ``?o`` of the data graph meets ``condition`` (asked once; true
        when the data graph cannot be asked)."""
        if condition not in self._asked:
            query = f"SELECT ?o WHERE {{ ?s ?p ?o FILTER (isLiteral(?o) && {condition}) }} LIMIT 1"
            self._asked[condition] = self._run is None or bool(self._run(query))
        return self._asked[condition]

    def data_has_final_line_break(self) -> bool:
        """Whether a literal of the data graph ends with a line break."""
        return self._data_has('STRENDS(STR(?o), "\\n")')

    def data_has_nan(self) -> bool:
        """Whether the data graph holds a floating-point NaN."""
        return self._data_has("isNumeric(?o) && ?o != ?o")

    def regex_compiles(self, pattern: str, flags: str) -> bool:
        """Whether SPARQL's ``REGEX`` (Oxigraph's) accepts ``pattern`` with ``flags``."""
        import pyoxigraph as ox

        query = f'SELECT (REGEX("", {sparql_string(pattern)}, {sparql_string(flags)}) AS ?r) {{}}'
        try:
            rows = list(cast(ox.QuerySolutions, ox.Store().query(query)))
        except (SyntaxError, ValueError, OSError):
            return False
        return bool(rows) and rows[0]["r"] is not None

    def var(self, stem: str = "v") -> str:
        """A fresh SPARQL variable."""
        return f"?_{stem}{next(self._counter)}"

    def shape(self, node: Identifier) -> Shape:
        """The shape ``node`` (read once)."""
        if node not in self._shapes:
            path_node = self.g.value(node, SH.path)
            sev = self.g.value(node, SH.severity)
            if sev is not None and not isinstance(sev, URIRef):
                raise Unsupported(
                    f"shape {shape_name(node, self.g)}: sh:severity {term_text(sev)} (not an IRI)"
                )
            sev_name = result_severity(sev) if sev is not None else "Violation"
            result_path = path_from_shacl(self.g, path_node) if path_node is not None else None
            self._shapes[node] = Shape(
                node=node,
                path_node=path_node,
                path_sparql=path_text(result_path) if result_path is not None else None,
                result_path=result_path,
                severity=sev_name,
                messages=[m for m in self.g.objects(node, SH.message) if isinstance(m, RdfLiteral)],
                deactivated=self.g.value(node, SH.deactivated) == RdfLiteral(True),
            )
        return self._shapes[node]

    def objects(self, node: Identifier, predicate: URIRef) -> list[Node]:
        """The values of ``predicate`` on ``node``, in a stable order."""
        return sorted(self.g.objects(node, predicate), key=lambda n: n.n3())

    def one(self, node: Identifier, predicate: URIRef) -> Node | None:
        """The value of ``predicate`` on ``node``, if any; more than one is an error."""
        values = self.objects(node, predicate)
        if len(values) > 1:
            raise InputError(f"{term_text(node)} has more than one {term_text(predicate)}")
        return values[0] if values else None

    def integer(self, node: Identifier, predicate: URIRef) -> int | None:
        """The integer value of ``predicate`` on ``node``, if any."""
        value = self.one(node, predicate)
        if value is None:
            return None
        if not isinstance(value, RdfLiteral) or not isinstance(value.toPython(), int):
            raise InputError(f"{term_text(node)}: {term_text(predicate)} must be an integer")
        return int(value.toPython())

    def members(self, list_node: Node) -> list[Node]:
        """The members of an RDF list of the shapes graph."""
        return list(Collection(self.g, list_node))

    def class_terms(self, cls: Node) -> list[str]:
        """``cls`` and its subclasses in the data graph, as SPARQL terms."""
        classes = {cast(Identifier, cls)} | self.subclasses.get(cast(Identifier, cls), set())
        return sorted(term(c) for c in classes)

    def result(
        self,
        shape: Shape,
        focus: Identifier,
        component: str,
        value: Identifier | None,
        generic: str,
    ) -> ValidationResult:
        """A result of ``shape`` (its message, or else ``generic``) for ``component``."""
        return ValidationResult(
            focus_node=focus,
            result_path=shape.result_path,
            value=value,
            message=choose_message(shape.messages) or generic,
            source_shape=shape.node,
            severity=shape.severity,
            constraint_component=SH[component],
        )

    def add(self, sparql: str, to_results: ToResults, label: str) -> None:
        """Add a check to the plan."""
        self.plan.checks.append(Check(sparql, to_results, label))

    def focus_only(self, shape: Shape, component: str, generic: str) -> ToResults:
        """Results without a value, one per ``?this`` (``{focus}`` in ``generic`` is its N3)."""

        def to_results(rows: Rows) -> list[ValidationResult]:
            return [
                self.result(shape, r["this"], component, None, generic.format(focus=r["this"].n3()))
                for r in rows
            ]

        return to_results
