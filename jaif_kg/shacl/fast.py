"""Fast SHACL validation: every constraint of the shapes as a SPARQL query run on Oxigraph.

pySHACL evaluates SHACL on an rdflib graph, one focus node at a time; a ``sh:sparql``
constraint costs it one run of rdflib's SPARQL engine per focus node, and loading a million
triples into rdflib alone takes half a minute. This engine keeps the data in pyoxigraph and
compiles the shapes into one SELECT query per constraint, each returning only the violations
for all focus nodes at once:

* targets (SHACL 2.1.3): ``sh:targetClass`` (with the ``rdfs:subClassOf`` closure of the data
  graph), implicit class targets, ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``;
* SHACL Core components (section 4): class, datatype, nodeKind, minCount, maxCount,
  minExclusive, minInclusive, maxExclusive, maxInclusive, minLength, maxLength, pattern,
  languageIn, uniqueLang, in, hasValue, node, property, qualifiedValueShape (with
  qualifiedMinCount, qualifiedMaxCount and qualifiedValueShapesDisjoint), not, and, or, xone
  and closed. Shape-expecting components (node, not, and, or, xone, qualifiedValueShape) test
  conformance of a value with a SPARQL expression built from the other shape's constraints
  (``EXISTS``/``NOT EXISTS``), so nesting costs no extra round trip;
* SPARQL-based constraints (section 5): the ``sh:select`` query with its ``sh:prefixes``,
  ``$PATH`` replaced by the property shape's path, evaluated once for all focus nodes by
  joining it with the focus nodes on ``?this``. That equals pre-binding ``$this`` to each
  focus node in turn (section 5.3.1) when ``$this`` occurs in a triple pattern that every
  solution must match and the query has no sub-select, ``MINUS``, ``VALUES``, aggregation,
  ``LIMIT`` or ``OFFSET``; the query is checked for that with rdflib's SPARQL parser, and a
  query that does not qualify makes the shapes unsupported.

The report follows pySHACL's conventions, so that both engines give the same results: node
shapes report the focus node as ``sh:value``; the results of nested validations (pySHACL's
``sh:detail``) are not results of the report; ``sh:uniqueLang`` reports one result per repeated
language without a value; SPARQL results take ``$this``, ``?path`` and ``?value`` from the
solution and fill the message templates (``{?var}``, ``{$this}``); the data type check of
``sh:datatype`` treats as ill-typed what rdflib cannot read for the types pySHACL checks
(string, langString, boolean, integer, decimal, float, double, date, time, dateTime) and accepts
any lexical form of other types.

Anything else (SHACL-AF, custom constraint components, ``sh:equals`` and the other property
pair components, recursive shapes, ``sh:sparql`` inside a shape that another shape uses as a
condition) is reported by :attr:`ShapesPlan.unsupported`; :func:`validate_files` then falls back
to pySHACL (``engine="auto"``) or refuses (``engine="fast"``), never skipping a constraint.

Literals are compared as Oxigraph stores them: it canonicalises valid literals of numeric and
date types (``"01"^^xsd:integer`` is ``"1"``, ``xsd:positiveInteger`` becomes ``xsd:integer``),
so a ``sh:value`` may be written differently than pySHACL writes it, and a ``sh:datatype`` of a
derived integer type cannot match. The shipped data uses ``xsd:integer`` only.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, URIRef, Variable
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Identifier, Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import read_graph, term_text
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.rdf.rebasing import rebase_quads
from jaif_kg.rdf.terms import solution_rows
from jaif_kg.shacl.pyshacl_engine import (
    ResultPath,
    Severity,
    ValidationReport,
    ValidationResult,
    _path_from_shacl,
    count_shapes,
    severity,
)
from jaif_kg.store.files import input_format, parser_limit, read_input

Engine = Literal["auto", "fast", "pyshacl"]

#: The engines :func:`validate_files` knows.
ENGINES: tuple[Engine, ...] = ("auto", "fast", "pyshacl")

_RDF_TYPE = f"<{RDF.type}>"

#: SHACL Core and SHACL-SPARQL parameters this engine evaluates (the other SHACL parameters that
#: pySHACL acts on are listed in :data:`_UNSUPPORTED_PARAMETERS`).
_VALUE_PARAMETERS = (
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minExclusive,
    SH.minInclusive,
    SH.maxExclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH["in"],
    SH.node,
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
)
_UNSUPPORTED_PARAMETERS = (
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.expression,
    SH.js,
    SH.target,
    SH.rule,
)
_UNSAFE_ALGEBRA = frozenset(
    {
        "Minus",
        "MinusGraphPattern",
        "SubSelect",
        "ToMultiSet",
        "Slice",
        "Group",
        "AggregateJoin",
        "values",
        "InlineData",
        "InlineDataOneVar",
        "InlineDataFull",
        "ServiceGraphPattern",
        "Service",
    }
)
_PROLOGUE = re.compile(r"^\s*(PREFIX|BASE)\b", re.IGNORECASE)
_PATH_VAR = re.compile(r"([\s{}()])[$?]PATH\b")
_SELECT_HEAD = re.compile(r"^(\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?)", re.IGNORECASE)

#: Data types whose lexical forms pySHACL checks (through rdflib), as SPARQL conditions on ?v;
#: ``{v}`` is the value. Other data types accept any lexical form (as pySHACL does).
_WELL_FORMED: dict[str, str] = {
    str(XSD.string): "true",
    str(XSD.boolean): 'STR({v}) IN ("true", "false", "1", "0")',
    str(XSD.integer): r'REGEX(STR({v}), "^\\s*[+-]?[0-9]+(_[0-9]+)*\\s*$")',
    str(XSD.decimal): r'REGEX(STR({v}), "^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\s*$")',
    str(XSD.float): "COALESCE(DATATYPE(<{t}>(STR({v}))) = <{t}>, false)",
    str(XSD.double): "COALESCE(DATATYPE(<{t}>(STR({v}))) = <{t}>, false)",
    str(XSD.date): "COALESCE(DATATYPE(<{t}>(STR({v}))) = <{t}>, false)",
    str(XSD.time): "COALESCE(DATATYPE(<{t}>(STR({v}))) = <{t}>, false)",
    str(XSD.dateTime): "COALESCE(DATATYPE(<{t}>(STR({v}))) = <{t}>, false)",
}

_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARISONS = {
    SH.minExclusive: (">", "MinExclusive"),
    SH.minInclusive: (">=", "MinInclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
}


class Unsupported(Exception):
    """A shape uses something this engine does not evaluate faithfully."""


def sparql_term(node: Node) -> str:
    """A term as SPARQL text.

    >>> sparql_term(URIRef("http://example.org/a"))
    '<http://example.org/a>'
    >>> sparql_term(RdfLiteral("x", lang="en"))
    '"x"@en'

    Raises:
        Unsupported: a blank node (a shape cannot name a node of the data graph by it).
    """
    if isinstance(node, BNode):
        raise Unsupported(f"blank node {node.n3()} used as a value in a shape")
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, RdfLiteral):
        text: str = node.n3()
        return text
    raise Unsupported(f"not an RDF term: {node!r}")


def sparql_path(shapes: Graph, node: Node) -> str:
    """A SHACL property path (section 2.3.1) as a SPARQL property path.

    >>> g = Graph()
    >>> sparql_path(g, URIRef("http://example.org/p"))
    '<http://example.org/p>'
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if shapes.value(node, RDF.first) is not None:
        return "(" + "/".join(sparql_path(shapes, n) for n in Collection(shapes, node)) + ")"
    inverse = shapes.value(node, SH.inversePath)
    if inverse is not None:
        return f"^({sparql_path(shapes, inverse)})"
    alternatives = shapes.value(node, SH.alternativePath)
    if alternatives is not None:
        return (
            "(" + "|".join(sparql_path(shapes, n) for n in Collection(shapes, alternatives)) + ")"
        )
    for predicate, modifier in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = shapes.value(node, predicate)
        if inner is not None:
            return f"({sparql_path(shapes, inner)}){modifier}"
    raise InputError(f"not a SHACL property path: {node.n3()}")


def choose_message(messages: Iterable[RdfLiteral]) -> str:
    """The message a report shows: English or untagged first, then alphabetical (as
    :mod:`jaif_kg.shacl.pyshacl_engine` reads pySHACL's report).

    >>> choose_message([RdfLiteral("b", lang="fr"), RdfLiteral("z"), RdfLiteral("a", lang="en")])
    'a'
    """
    ordered = sorted(messages, key=lambda m: (m.language not in (None, "en"), str(m)))
    return str(ordered[0]) if ordered else ""


def fill_message(template: str, bindings: dict[str, Identifier]) -> str:
    """Fill ``{?var}`` and ``{$var}`` in a SPARQL constraint's message (SHACL 5.3.2).

    >>> fill_message("{?value} of {$this}", {"value": RdfLiteral(3), "this": URIRef("urn:a")})
    '3 of urn:a'
    """
    for name, value in bindings.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", _replacement(str(value)), template)
    return template


def _replacement(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


# -- the shapes ------------------------------------------------------------------------------


@dataclass
class _Shape:
    node: Identifier
    path_node: Node | None
    path_sparql: str | None
    result_path: ResultPath | None
    severity: Severity
    messages: list[RdfLiteral]
    deactivated: bool

    @property
    def is_property(self) -> bool:
        return self.path_node is not None


@dataclass
class _Check:
    """One query and how its rows become results."""

    sparql: str
    to_results: Callable[[list[dict[str, Identifier]]], list[ValidationResult]]
    label: str


@dataclass
class ShapesPlan:
    """The shapes compiled into queries for one data graph.

    Attributes:
        checks: the queries, one per constraint.
        unsupported: what the engine cannot evaluate faithfully, one line each; when not empty
            the plan must not be used (:func:`validate_files` falls back to pySHACL).
    """

    checks: list[_Check] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def faithful(self) -> bool:
        """True when every constraint of the shapes is compiled."""
        return not self.unsupported


class _Compiler:
    """Compiles a shapes graph against the class hierarchy of one data graph."""

    def __init__(self, shapes: Graph, subclasses: dict[Identifier, set[Identifier]]) -> None:
        self.g = shapes
        self.subclasses = subclasses
        self._counter = itertools.count()
        self._shapes: dict[Identifier, _Shape] = {}
        self.plan = ShapesPlan()

    # -- helpers

    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self._counter)}"

    def shape(self, node: Identifier) -> _Shape:
        if node not in self._shapes:
            path_node = self.g.value(node, SH.path)
            sev = self.g.value(node, SH.severity)
            try:
                sev_name = severity(str(sev)) if sev is not None else "Violation"
            except InputError:
                raise Unsupported(f"{term_text(node)}: severity {term_text(sev)}") from None
            self._shapes[node] = _Shape(
                node=node,
                path_node=path_node,
                path_sparql=sparql_path(self.g, path_node) if path_node is not None else None,
                result_path=_path_from_shacl(self.g, path_node) if path_node is not None else None,
                severity=sev_name,
                messages=[m for m in self.g.objects(node, SH.message) if isinstance(m, RdfLiteral)],
                deactivated=self.g.value(node, SH.deactivated) == RdfLiteral(True),
            )
        return self._shapes[node]

    def objects(self, node: Identifier, predicate: URIRef) -> list[Node]:
        return sorted(self.g.objects(node, predicate), key=lambda n: n.n3())

    def one(self, node: Identifier, predicate: URIRef) -> Node | None:
        values = self.objects(node, predicate)
        if len(values) > 1:
            raise InputError(f"{term_text(node)} has more than one {term_text(predicate)}")
        return values[0] if values else None

    def integer(self, node: Identifier, predicate: URIRef) -> int | None:
        value = self.one(node, predicate)
        if value is None:
            return None
        if not isinstance(value, RdfLiteral) or not isinstance(value.toPython(), int):
            raise InputError(f"{term_text(node)}: {term_text(predicate)} must be an integer")
        return int(value.toPython())

    def members(self, list_node: Node) -> list[Node]:
        return list(Collection(self.g, list_node))

    def class_terms(self, cls: Node) -> list[str]:
        """``cls`` and its subclasses in the data graph, as SPARQL terms."""
        classes = {cast(Identifier, cls)} | self.subclasses.get(cast(Identifier, cls), set())
        return sorted(sparql_term(c) for c in classes)

    # -- conformance of a node to a shape, as a SPARQL boolean expression

    def conforms(self, node: Identifier, x: str, stack: tuple[Identifier, ...] = ()) -> str:
        """A SPARQL expression, true when the term ``x`` conforms to shape ``node``."""
        if node in stack:
            raise Unsupported(f"recursive shapes: {' -> '.join(term_text(s) for s in stack)}")
        stack = (*stack, node)
        shape = self.shape(node)
        if shape.deactivated:
            return "true"
        if next(self.g.objects(node, SH.sparql), None) is not None:
            raise Unsupported(
                f"{term_text(node)}: sh:sparql in a shape used as a condition (sh:node, sh:or...)"
            )
        self._refuse_unsupported(node, shape)
        parts: list[str] = []
        if shape.is_property:
            parts += self._property_conditions(shape, x, stack)
        else:
            for param in _VALUE_PARAMETERS:
                for value in self.objects(node, param):
                    parts.append(f"!({self.violates(param, value, x, stack)})")
            for value in self.objects(node, SH.hasValue):
                parts.append(f"sameTerm({x}, {sparql_term(value)})")
            closed = self._closed_pattern(node, x, self.var("p"), self.var("o"))
            if closed:
                parts.append(f"NOT EXISTS {{ {closed} }}")
        for prop in self.objects(node, SH.property):
            parts.append(self.conforms(cast(Identifier, prop), x, stack))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _property_conditions(
        self, shape: _Shape, x: str, stack: tuple[Identifier, ...]
    ) -> list[str]:
        node, path = shape.node, shape.path_sparql
        parts: list[str] = []
        min_count = self.integer(node, SH.minCount)
        if min_count:
            parts.append(f"EXISTS {{ {self._distinct_values(x, path, min_count)} }}")
        max_count = self.integer(node, SH.maxCount)
        if max_count is not None:
            parts.append(f"NOT EXISTS {{ {self._distinct_values(x, path, max_count + 1)} }}")
        for param in _VALUE_PARAMETERS:
            for value in self.objects(node, param):
                v = self.var()
                cond = self.violates(param, value, v, stack)
                parts.append(f"NOT EXISTS {{ {x} {path} {v} . FILTER ({cond}) }}")
        for value in self.objects(node, SH.hasValue):
            parts.append(f"EXISTS {{ {x} {path} {sparql_term(value)} }}")
        if self.one(node, SH.uniqueLang) == RdfLiteral(True):
            a, b = self.var("a"), self.var("b")
            parts.append(f"NOT EXISTS {{ {self._same_lang_pair(x, path, a, b)} }}")
        for qualified in self._qualified(shape, stack):
            q_min, q_max, condition = qualified
            if q_min:
                vs = [self.var() for _ in range(q_min)]
                parts.append(f"EXISTS {{ {self._distinct_values(x, path, q_min, vs, condition)} }}")
            if q_max is not None:
                vs = [self.var() for _ in range(q_max + 1)]
                parts.append(
                    f"NOT EXISTS {{ {self._distinct_values(x, path, q_max + 1, vs, condition)} }}"
                )
        return parts

    def _distinct_values(
        self,
        x: str,
        path: str | None,
        n: int,
        vs: list[str] | None = None,
        condition: Callable[[str], str] | None = None,
    ) -> str:
        """A pattern matching ``n`` pairwise distinct values of ``x path`` (that pass
        ``condition``)."""
        vs = vs or [self.var() for _ in range(n)]
        lines = [f"{x} {path} {v} ." for v in vs]
        filters = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
        if condition is not None:
            filters += [condition(v) for v in vs]
        if filters:
            lines.append(f"FILTER ({' && '.join(filters)})")
        return " ".join(lines)

    def _same_lang_pair(self, x: str, path: str | None, a: str, b: str) -> str:
        return (
            f"{x} {path} {a} . {x} {path} {b} . FILTER (!sameTerm({a}, {b}) && "
            f'LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b})))'
        )

    def _qualified(
        self, shape: _Shape, stack: tuple[Identifier, ...]
    ) -> list[tuple[int | None, int | None, Callable[[str], str]]]:
        """(min, max, condition on a value) of each ``sh:qualifiedValueShape``."""
        node = shape.node
        found: list[tuple[int | None, int | None, Callable[[str], str]]] = []
        disjoint = self.one(node, SH.qualifiedValueShapesDisjoint) == RdfLiteral(True)
        for q_shape in self.objects(node, SH.qualifiedValueShape):
            siblings: list[Identifier] = []
            if disjoint:
                for parent in sorted(self.g.subjects(SH.property, node), key=lambda n: n.n3()):
                    for sibling_ps in self.objects(cast(Identifier, parent), SH.property):
                        for sibling in self.objects(
                            cast(Identifier, sibling_ps), SH.qualifiedValueShape
                        ):
                            if sibling != q_shape and sibling not in siblings:
                                siblings.append(cast(Identifier, sibling))

            condition = functools.partial(
                self._qualified_condition, cast(Identifier, q_shape), tuple(siblings), stack
            )
            found.append(
                (
                    self.integer(node, SH.qualifiedMinCount),
                    self.integer(node, SH.qualifiedMaxCount),
                    condition,
                )
            )
        return found

    def _qualified_condition(
        self,
        q_shape: Identifier,
        siblings: tuple[Identifier, ...],
        stack: tuple[Identifier, ...],
        v: str,
    ) -> str:
        """``v`` conforms to the qualified value shape and to none of its siblings."""
        parts = [self.conforms(q_shape, v, stack)]
        parts += [f"!{self.conforms(s, v, stack)}" for s in siblings]
        return " && ".join(parts)

    def _closed_pattern(self, node: Identifier, x: str, p: str, o: str) -> str:
        """A pattern matching a triple ``x p o`` whose property the closed shape does not
        allow; empty when the shape is not closed."""
        if self.one(node, SH.closed) != RdfLiteral(True):
            return ""
        allowed: set[Node] = set()
        for prop in self.objects(node, SH.property):
            path = self.g.value(cast(Identifier, prop), SH.path)
            if isinstance(path, URIRef):
                allowed.add(path)
        ignored = self.one(node, SH.ignoredProperties)
        if ignored is not None:
            allowed.update(self.members(ignored))
        listed = ", ".join(sorted(sparql_term(a) for a in allowed))
        test = f"FILTER ({p} NOT IN ({listed}))" if listed else ""
        return f"{x} {p} {o} . {test}"

    def violates(
        self, param: URIRef, value: Node, v: str, stack: tuple[Identifier, ...] = ()
    ) -> str:
        """A SPARQL expression, true when the value node ``v`` fails the component of
        ``param`` with the parameter value ``value``."""
        if param == SH["class"]:
            t = self.var("t")
            classes = " ".join(self.class_terms(value))
            return f"NOT EXISTS {{ {v} {_RDF_TYPE} {t} . VALUES {t} {{ {classes} }} }}"
        if param == SH.datatype:
            return f"!({self._datatype_ok(value, v)})"
        if param == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise InputError(f"unknown sh:nodeKind {term_text(value)}")
            return "!" + _NODE_KINDS[cast(URIRef, value)].format(v=v)
        if param in _COMPARISONS:
            op = _COMPARISONS[param][0]
            return f"!COALESCE({v} {op} {sparql_term(value)}, false)"
        if param in (SH.minLength, SH.maxLength):
            op = ">=" if param == SH.minLength else "<="
            if param == SH.minLength and value == RdfLiteral(0):
                return "false"
            return f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) {op} {sparql_term(value)}, false))"
        if param == SH.pattern:
            return self._pattern_fails(value, v)
        if param == SH.languageIn:
            return self._language_fails(value, v)
        if param == SH["in"]:
            same = [f"sameTerm({v}, {sparql_term(m)})" for m in self.members(value)]
            return f"!({' || '.join(same) or 'false'})"
        if param == SH.node:
            return f"!{self.conforms(cast(Identifier, value), v, stack)}"
        if param == SH["not"]:
            return self.conforms(cast(Identifier, value), v, stack)
        if param == SH["and"]:
            each = [self.conforms(cast(Identifier, s), v, stack) for s in self.members(value)]
            return f"!({' && '.join(each) or 'true'})"
        if param == SH["or"]:
            each = [self.conforms(cast(Identifier, s), v, stack) for s in self.members(value)]
            return f"!({' || '.join(each) or 'false'})"
        if param == SH.xone:
            each = [
                f"IF({self.conforms(cast(Identifier, s), v, stack)}, 1, 0)"
                for s in self.members(value)
            ]
            return f"(({' + '.join(each) or '0'}) != 1)"
        raise Unsupported(f"{term_text(param)}")

    def _datatype_ok(self, datatype: Node, v: str) -> str:
        dt = str(datatype)
        if datatype == RDF.langString:
            return f'(isLiteral({v}) && LANG({v}) != "")'
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        base = f"(isLiteral({v}) && DATATYPE({v}) = <{dt}>"
        if dt == str(XSD.string):
            base = f'(isLiteral({v}) && LANG({v}) = "" && DATATYPE({v}) = <{dt}>'
        check = _WELL_FORMED.get(dt)
        if check is None or check == "true":
            return base + ")"
        return f"{base} && {check.format(v=v, t=dt)})"

    def _pattern_fails(self, pattern: Node, v: str) -> str:
        text = str(pattern)
        if re.search(r"\(\?[=!<]|\\[1-9]|\(\?[a-z]", text):
            raise Unsupported(f"sh:pattern {text!r}: look-around, back-references or inline flags")
        flags = ""
        for shape in self.g.subjects(SH.pattern, pattern):
            flag = self.g.value(shape, SH.flags)
            if flag is not None:
                flags = str(flag)
        regex = sparql_term(RdfLiteral(text))
        flag_arg = f", {sparql_term(RdfLiteral(flags))}" if flags else ""
        return f"(isBlank({v}) || !REGEX(STR({v}), {regex}{flag_arg}))"

    def _language_fails(self, languages: Node, v: str) -> str:
        wanted = [str(m).lower() for m in self.members(languages)]
        if "*" in wanted:
            return f'!(isLiteral({v}) && LANG({v}) != "")'
        options = " || ".join(
            f'LCASE(LANG({v})) = "{w}" || LCASE(STRBEFORE(LANG({v}), "-")) = "{w}"' for w in wanted
        )
        return f"!(isLiteral({v}) && ({options or 'false'}))"

    def _refuse_unsupported(self, node: Identifier, shape: _Shape) -> None:
        params = list(_UNSUPPORTED_PARAMETERS)
        if shape.is_property:
            params.append(SH.closed) if self.one(node, SH.closed) == RdfLiteral(True) else None
        else:
            # pySHACL refuses or ignores these on node shapes
            params += [SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape]
        for param in params:
            if next(self.g.objects(node, param), None) is not None:
                raise Unsupported(f"{term_text(node)}: {term_text(param)}")

    # -- the report: results of a shape for a set of focus nodes

    def results(
        self, node: Identifier, focus: Callable[[str], str], stack: tuple[Identifier, ...] = ()
    ) -> None:
        """Add the checks that report ``node``'s results for the focus nodes that ``focus(var)``
        binds to ``var`` (a SPARQL group pattern)."""
        if node in stack:
            raise Unsupported(f"recursive shapes: {' -> '.join(term_text(s) for s in stack)}")
        stack = (*stack, node)
        shape = self.shape(node)
        if shape.deactivated:
            return
        self._refuse_unsupported(node, shape)
        for param in _VALUE_PARAMETERS:
            for value in self.objects(node, param):
                self._value_check(shape, focus, param, value)
        for value in self.objects(node, SH.hasValue):
            self._has_value_check(shape, focus, value)
        if shape.is_property:
            self._count_checks(shape, focus)
            if self.one(node, SH.uniqueLang) == RdfLiteral(True):
                self._unique_lang_check(shape, focus)
            self._qualified_checks(shape, focus)
        if self._closed_pattern(node, "?this", "?path", "?value"):
            self._closed_check(shape, focus)
        for prop in self.objects(node, SH.property):
            self.results(cast(Identifier, prop), self._value_focus(shape, focus), stack)
        for constraint in self.objects(node, SH.sparql):
            self._sparql_check(shape, focus, cast(Identifier, constraint))

    def _value_focus(self, shape: _Shape, focus: Callable[[str], str]) -> Callable[[str], str]:
        """The value nodes of ``shape`` for ``focus``, as a focus set (for sh:property)."""
        if not shape.is_property:
            return focus

        parent = self.var("f")

        def values(var: str) -> str:
            return (
                f"{{ SELECT DISTINCT {var} WHERE {{ {focus(parent)} "
                f"{parent} {shape.path_sparql} {var} . }} }}"
            )

        return values

    def _messages(self, shape: _Shape, generic: str) -> str:
        return choose_message(shape.messages) or generic

    def _result(
        self,
        shape: _Shape,
        focus: Identifier,
        component: str,
        value: Identifier | None,
        generic: str,
    ) -> ValidationResult:
        return ValidationResult(
            focus_node=focus,
            result_path=shape.result_path,
            value=value,
            message=self._messages(shape, generic),
            source_shape=shape.node,
            severity=shape.severity,
            constraint_component=SH[component],
        )

    def _add(
        self,
        sparql: str,
        to_results: Callable[[list[dict[str, Identifier]]], list[ValidationResult]],
        label: str,
    ) -> None:
        self.plan.checks.append(_Check(sparql, to_results, label))

    def _value_check(
        self, shape: _Shape, focus: Callable[[str], str], param: URIRef, value: Node
    ) -> None:
        component = _component_of(param)
        if shape.is_property:
            v = "?value"
            pattern = f"{focus('?this')} ?this {shape.path_sparql} ?value ."
        else:
            v = "?this"
            pattern = focus("?this")
        cond = self.violates(param, value, v)
        selected = "?this ?value" if shape.is_property else "?this"
        sparql = f"SELECT DISTINCT {selected} WHERE {{ {pattern} FILTER ({cond}) }}"
        generic = _generic_message(param, value)

        def to_results(rows: list[dict[str, Identifier]]) -> list[ValidationResult]:
            return [
                self._result(shape, r["this"], component, r.get("value", r["this"]), generic)
                for r in rows
            ]

        self._add(sparql, to_results, f"{term_text(shape.node)} {component}")

    def _has_value_check(self, shape: _Shape, focus: Callable[[str], str], value: Node) -> None:
        term = sparql_term(value)
        if shape.is_property:
            cond = f"NOT EXISTS {{ ?this {shape.path_sparql} {term} }}"
        else:
            cond = f"!sameTerm(?this, {term})"
        sparql = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} FILTER ({cond}) }}"
        generic = f"Missing expected value {term_text(value)}"

        def to_results(rows: list[dict[str, Identifier]]) -> list[ValidationResult]:
            return [
                self._result(
                    shape,
                    r["this"],
                    "HasValueConstraintComponent",
                    None if shape.is_property else r["this"],
                    generic,
                )
                for r in rows
            ]

        self._add(sparql, to_results, f"{term_text(shape.node)} hasValue")

    def _count_checks(self, shape: _Shape, focus: Callable[[str], str]) -> None:
        path = shape.path_sparql
        for param, component in ((SH.minCount, "MinCount"), (SH.maxCount, "MaxCount")):
            n = self.integer(shape.node, param)
            if n is None or (param == SH.minCount and n == 0):
                continue
            if param == SH.minCount and n == 1:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus('?this')} "
                    f"FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
                )
            elif param == SH.minCount:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus('?this')} OPTIONAL {{ ?this {path} ?v }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
                )
            else:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus('?this')} ?this {path} ?v }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                )
            word = "Less" if param == SH.minCount else "More"
            self._add(
                sparql,
                self._focus_only(
                    shape,
                    f"{component}ConstraintComponent",
                    f"{word} than {n} values on {{focus}}->{term_text(shape.path_node)}",
                ),
                f"{term_text(shape.node)} {component}",
            )

    def _focus_only(
        self, shape: _Shape, component: str, generic: str
    ) -> Callable[[list[dict[str, Identifier]]], list[ValidationResult]]:
        def to_results(rows: list[dict[str, Identifier]]) -> list[ValidationResult]:
            return [
                self._result(
                    shape, r["this"], component, None, generic.format(focus=r["this"].n3())
                )
                for r in rows
            ]

        return to_results

    def _unique_lang_check(self, shape: _Shape, focus: Callable[[str], str]) -> None:
        pair = self._same_lang_pair("?this", shape.path_sparql, "?a", "?b")
        sparql = (
            f"SELECT DISTINCT ?this (LCASE(LANG(?a)) AS ?lang) WHERE {{ {focus('?this')} {pair} }}"
        )
        self._add(
            sparql,
            self._focus_only(
                shape,
                "UniqueLangConstraintComponent",
                "More than one String shares the same Language",
            ),
            f"{term_text(shape.node)} uniqueLang",
        )

    def _qualified_checks(self, shape: _Shape, focus: Callable[[str], str]) -> None:
        path = shape.path_sparql
        for q_min, q_max, condition in self._qualified(shape, ()):
            cond = condition("?v")
            if q_min:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus('?this')} "
                    f"OPTIONAL {{ ?this {path} ?v . FILTER ({cond}) }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {q_min})"
                )
                self._add(
                    sparql,
                    self._focus_only(
                        shape,
                        "QualifiedMinCountConstraintComponent",
                        f"Focus node does not conform to shape: fewer than {q_min} values conform",
                    ),
                    f"{term_text(shape.node)} qualifiedMinCount",
                )
            if q_max is not None:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus('?this')} ?this {path} ?v . FILTER ({cond}) }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {q_max})"
                )
                self._add(
                    sparql,
                    self._focus_only(
                        shape,
                        "QualifiedMaxCountConstraintComponent",
                        f"Focus node does not conform to shape: more than {q_max} values conform",
                    ),
                    f"{term_text(shape.node)} qualifiedMaxCount",
                )

    def _closed_check(self, shape: _Shape, focus: Callable[[str], str]) -> None:
        pattern = self._closed_pattern(shape.node, "?this", "?path", "?value")
        sparql = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {focus('?this')} {pattern} }}"

        def to_results(rows: list[dict[str, Identifier]]) -> list[ValidationResult]:
            found = []
            for r in rows:
                result = self._result(
                    shape,
                    r["this"],
                    "ClosedConstraintComponent",
                    r["value"],
                    f"Node {term_text(r['this'])} is closed: it cannot have {term_text(r['path'])}",
                )
                found.append(
                    ValidationResult(
                        focus_node=result.focus_node,
                        result_path=cast(URIRef, r["path"]),
                        value=result.value,
                        message=result.message,
                        source_shape=result.source_shape,
                        severity=result.severity,
                        constraint_component=result.constraint_component,
                    )
                )
            return found

        self._add(sparql, to_results, f"{term_text(shape.node)} closed")

    # -- SPARQL-based constraints (SHACL section 5)

    def _prefixes(self, constraint: Identifier) -> dict[str, str]:
        """Prefixes of a constraint: its ``sh:prefixes`` nodes' ``sh:declare`` (pySHACL also
        adds those of the shapes graph's ontologies when the node is not one)."""
        ontologies = set(self.g.subjects(RDF.type, OWL.Ontology))
        global_declares = {d for o in ontologies for d in self.g.objects(o, SH.declare)}
        found: dict[str, str] = {}
        for holder in self.objects(constraint, SH.prefixes):
            own = set(self.g.objects(cast(Identifier, holder), SH.declare))
            declares = own if (own and holder in ontologies) else own | global_declares
            for declare in sorted(declares, key=lambda d: d.n3()):
                prefix = self.g.value(cast(Identifier, declare), SH.prefix)
                namespace = self.g.value(cast(Identifier, declare), SH.namespace)
                if prefix is None or namespace is None:
                    raise InputError(
                        f"sh:declare {term_text(declare)} needs sh:prefix and sh:namespace"
                    )
                found[str(prefix)] = str(namespace)
        return found

    def _sparql_check(
        self, shape: _Shape, focus: Callable[[str], str], constraint: Identifier
    ) -> None:
        if self.g.value(constraint, SH.deactivated) == RdfLiteral(True):
            return
        select = self.one(constraint, SH.select)
        if select is None:
            raise Unsupported(f"{term_text(shape.node)}: a sh:sparql constraint without sh:select")
        text = str(select)
        if _PROLOGUE.match(text):
            raise Unsupported(f"{term_text(shape.node)}: PREFIX or BASE inside sh:select")
        if re.search(r"[$?](currentShape|shapesGraph)\b", text):
            raise Unsupported(f"{term_text(shape.node)}: $currentShape or $shapesGraph")
        if shape.is_property:
            text = _PATH_VAR.sub(lambda m: m.group(1) + str(shape.path_sparql), text)
        prefixes = self._prefixes(constraint)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
        projected = _check_prebinding(prologue + text, term_text(shape.node))
        if "this" not in projected:
            head = _SELECT_HEAD.match(text)
            if head is None:
                raise Unsupported(f"{term_text(shape.node)}: cannot read the SELECT clause")
            text = head.group(1) + "?this " + text[head.end() :]
        text = _decorrelate(prologue, text)
        sparql = f"{prologue}SELECT * WHERE {{ {focus('?this')} {{ {text} }} }}"
        messages = [m for m in self.g.objects(constraint, SH.message) if isinstance(m, RdfLiteral)]

        def to_results(rows: list[dict[str, Identifier]]) -> list[ValidationResult]:
            return _sparql_results(shape, constraint, projected, messages, rows)

        self._add(sparql, to_results, f"{term_text(shape.node)} sparql")


def _sparql_results(
    shape: _Shape,
    constraint: Identifier,
    projected: set[str],
    messages: list[RdfLiteral],
    rows: list[dict[str, Identifier]],
) -> list[ValidationResult]:
    """Results of a SPARQL constraint's solutions, as pySHACL makes them (one per distinct
    solution; ``?failure``, ``?this``, ``?path`` and ``?value`` read from it)."""
    results = []
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        focus = row["this"]
        bound = {k: row[k] for k in sorted(projected) if k in row}
        default_value = None if shape.is_property else focus
        failure = bound.pop("failure", None)
        if failure is not None:
            key: tuple[Any, ...] = (focus, "failure")
            path, value, this = None, default_value, None
            fill = dict(bound)
        else:
            path, value, this = (
                bound.pop("path", None),
                bound.pop("value", None),
                bound.pop("this", None),
            )
            if path is None and value is None and this is None:
                continue  # pySHACL reports nothing for such a solution
            key = (focus, this, path, value, tuple(sorted(bound.items())))
            if value is None:
                value = default_value
            fill = dict(bound)
            for name, term in (("this", this), ("path", path), ("value", value)):
                if term is not None:
                    fill[name] = term
        if key in seen:
            continue
        seen.add(key)
        texts = [RdfLiteral(fill_message(str(m), fill)) for m in [*messages, *shape.messages]]
        results.append(
            ValidationResult(
                focus_node=this or focus,
                result_path=cast(URIRef, path) if path is not None else shape.result_path,
                value=value,
                message=choose_message(texts),
                source_shape=shape.node,
                severity=shape.severity,
                constraint_component=SH.SPARQLConstraintComponent,
                source_constraint=constraint,
            )
        )
    return results


def _check_prebinding(query: str, where: str) -> set[str]:
    """The variables a SPARQL constraint's query projects, after checking that running it once
    for all focus nodes equals pre-binding ``$this`` (see the module docstring).

    Raises:
        Unsupported: the query does not parse with rdflib, or does not qualify.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception as exc:  # rdflib raises several unrelated types for a bad query
        raise Unsupported(f"{where}: the sh:select query cannot be analysed ({exc})") from None
    if algebra.name != "SelectQuery":
        raise Unsupported(f"{where}: sh:select is not a SELECT query")
    this = Variable("this")
    for node in _algebra_nodes(algebra):
        if node.name in _UNSAFE_ALGEBRA:
            raise Unsupported(f"{where}: the sh:select query uses {node.name}")
        if node.name == "Extend" and node.get("var") == this:
            raise Unsupported(f"{where}: the sh:select query binds $this")
    if not _binds_this(algebra.p):
        raise Unsupported(f"{where}: $this is not in a triple pattern that every solution matches")
    return {str(v) for v in algebra.PV}


_NOT_EXISTS = re.compile(r"FILTER\s*NOT\s+EXISTS\s*\{", re.IGNORECASE)
_IRI_REF = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def _code_spans(text: str) -> Iterator[tuple[int, str]]:
    """(position, character) of the query text outside strings, IRIs and comments."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and text[i : i + len(quote)] != quote:
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        if c == "<":
            iri = _IRI_REF.match(text, i)
            if iri:
                i = iri.end()
                continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        yield i, c
        i += 1


def _top_level_not_exists(text: str) -> list[tuple[int, int]]:
    """(start, end) of each ``FILTER NOT EXISTS { ... }`` directly in the WHERE group."""
    depth = 0
    found: list[tuple[int, int]] = []
    opened: int | None = None
    for i, c in _code_spans(text):
        if c == "{":
            depth += 1
            if opened is not None and depth == 2 and opened < 0:
                opened = -opened  # the brace that opens a candidate's group
        elif c == "}":
            if depth == 2 and opened is not None and opened > 0:
                found.append((opened, i + 1))
                opened = None
            depth -= 1
        elif depth == 1 and c in "Ff" and opened is None:
            match = _NOT_EXISTS.match(text, i)
            if match:
                opened = -i
    return found


def _variables(node: Any) -> set[Variable]:
    if isinstance(node, Variable):
        return {node}
    found: set[Variable] = set()
    if isinstance(node, dict):
        for value in node.values():
            found |= _variables(value)
    elif isinstance(node, list | tuple):
        for item in node:
            found |= _variables(item)
    return found


def _decorrelate(prologue: str, text: str) -> str:
    """Rewrite each ``FILTER NOT EXISTS { P }`` of the top-level group as
    ``OPTIONAL { P BIND (true AS ?found) } FILTER (!BOUND(?found))`` where that is equivalent.

    Oxigraph evaluates ``NOT EXISTS`` once per solution, planning ``P`` without the outer
    bindings (an ``OPTIONAL`` or a path inside ``P`` is then evaluated over the whole graph
    each time); the left join is planned once. The two agree (SPARQL 1.1, 18.6: substitution
    versus join) when every variable of ``P`` that is also used outside it either occurs in a
    triple pattern of ``P``'s own group or only in ``P``'s own filters (which the left join
    evaluates on the merged solution). Otherwise the filter is kept as written.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    spans = _top_level_not_exists(text)
    if not spans:
        return text
    where = parseQuery(prologue + text)[1]["where"]
    parts = list(where.get("part") or [])
    filters = [
        k
        for k, part in enumerate(parts)
        if part.name == "Filter" and getattr(part.expr, "name", None) == "Builtin_NOTEXISTS"
    ]
    if len(filters) != len(spans):
        return text
    head = _variables(parseQuery(prologue + text)[1].get("projection"))
    out, last = [], 0
    for n, (k, (start, end)) in enumerate(zip(filters, spans, strict=True)):
        group = parts[k].expr.graph
        outside = head | _variables([p for j, p in enumerate(parts) if j != k])
        mandatory: set[Variable] = set()
        loose: set[Variable] = set()
        for part in group.get("part") or []:
            if part.name == "TriplesBlock":
                mandatory |= _variables(part)
            elif part.name != "Filter":
                loose |= _variables(part)
        if (loose & outside) - mandatory:
            continue
        body = text[text.index("{", start) + 1 : end - 1]
        flag = f"?_notExists{n}"
        out.append(text[last:start])
        out.append(f"OPTIONAL {{ {body} BIND (true AS {flag}) }} FILTER (!BOUND({flag}))")
        last = end
    out.append(text[last:])
    return "".join(out)


def _algebra_nodes(node: Any) -> Iterator[Any]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _algebra_nodes(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _algebra_nodes(item)


def _binds_this(node: Any) -> bool:
    """True when ``?this`` occurs in a triple pattern on a path of the algebra that every
    solution goes through (joins, filters, projections, the left side of OPTIONAL)."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return any(Variable("this") in triple for triple in node.triples)
    if name == "Join":
        return _binds_this(node.p1) or _binds_this(node.p2)
    if name == "LeftJoin":
        return _binds_this(node.p1)
    if name in ("Project", "Distinct", "Reduced", "OrderBy", "Filter", "Extend", "Graph"):
        return _binds_this(node.p)
    return False


def _component_of(param: URIRef) -> str:
    local = str(param).rsplit("#", 1)[-1]
    return local[0].upper() + local[1:] + "ConstraintComponent"


def _generic_message(param: URIRef, value: Node) -> str:
    name = term_text(param)
    shown = term_text(value) if not isinstance(value, BNode) else "a list"
    return f"Value does not satisfy {name} {shown}"


# -- running ---------------------------------------------------------------------------------

Rows = Callable[[str], list[dict[str, Identifier]]]


def oxigraph_rows(store: ox.Store) -> Rows:
    """Run SELECT queries on a pyoxigraph store; rows as rdflib terms (unbound left out)."""

    def run(sparql: str) -> list[dict[str, Identifier]]:
        return solution_rows(cast(ox.QuerySolutions, store.query(sparql)))[1]

    return run


def _subclasses(rows: Rows) -> dict[Identifier, set[Identifier]]:
    """Class -> every class below it by ``rdfs:subClassOf`` (in the data graph)."""
    direct: dict[Identifier, set[Identifier]] = {}
    for row in rows(f"SELECT ?sub ?super WHERE {{ ?sub <{RDFS.subClassOf}> ?super }}"):
        direct.setdefault(row["super"], set()).add(row["sub"])
    closure: dict[Identifier, set[Identifier]] = {}
    for cls in direct:
        seen: set[Identifier] = set()
        todo = [cls]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        seen.discard(cls)
        closure[cls] = seen
    return closure


def _target_shapes(shapes: Graph) -> list[Identifier]:
    """Shapes that have targets (SHACL 2.1.3), in a stable order."""
    found: set[Node] = set()
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        found.update(shapes.subjects(predicate, None))
    classes = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, shape_type):
            if any(t in classes for t in shapes.objects(shape, RDF.type)):
                found.add(shape)
    return sorted((cast(Identifier, s) for s in found), key=lambda n: n.n3())


def _target_focus(compiler: _Compiler, shape: Identifier) -> Callable[[str], str]:
    g = compiler.g
    branches: list[str] = []
    classes = [*g.objects(shape, SH.targetClass)]
    implicit = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
    if any(t in implicit for t in g.objects(shape, RDF.type)):
        classes.append(shape)
    if classes:
        listed = " ".join(sorted({c for cls in classes for c in compiler.class_terms(cls)}))
        branches.append(f"{{ VALUES ?_c {{ {listed} }} ?this {_RDF_TYPE} ?_c }}")
    nodes = sorted(g.objects(shape, SH.targetNode), key=lambda n: n.n3())
    if nodes:
        branches.append(f"{{ VALUES ?this {{ {' '.join(sparql_term(n) for n in nodes)} }} }}")
    for p in sorted(g.objects(shape, SH.targetSubjectsOf), key=lambda n: n.n3()):
        branches.append(f"{{ ?this {sparql_term(p)} ?_o }}")
    for p in sorted(g.objects(shape, SH.targetObjectsOf), key=lambda n: n.n3()):
        branches.append(f"{{ ?_s {sparql_term(p)} ?this }}")
    union = " UNION ".join(branches)

    def focus(var: str) -> str:
        if var == "?this":
            return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
        return f"{{ SELECT DISTINCT (?this AS {var}) WHERE {{ {union} }} }}"

    return focus


def _refuse_custom_components(shapes: Graph) -> list[str]:
    problems = []
    for component in shapes.subjects(RDF.type, SH.ConstraintComponent):
        problems.append(f"custom constraint component {term_text(component)}")
    for predicate in (SH.target, SH.rule, SH.js, SH.expression):
        for subject in shapes.subjects(predicate, None):
            problems.append(
                f"{term_text(subject)}: {term_text(predicate)} (SHACL Advanced Features)"
            )
    return sorted(set(problems))


def compile_shapes(shapes: Graph, rows: Rows) -> ShapesPlan:
    """Compile ``shapes`` into queries for the data graph that ``rows`` queries."""
    compiler = _Compiler(shapes, _subclasses(rows))
    compiler.plan.unsupported.extend(_refuse_custom_components(shapes))
    for shape in _target_shapes(shapes):
        before = len(compiler.plan.checks)
        try:
            compiler.results(shape, _target_focus(compiler, shape))
        except Unsupported as exc:
            del compiler.plan.checks[before:]
            compiler.plan.unsupported.append(str(exc))
    return compiler.plan


def unsupported_features(shapes: Graph) -> list[str]:
    """What the fast engine cannot evaluate in ``shapes`` (empty: it is faithful for them)."""
    return compile_shapes(shapes, oxigraph_rows(ox.Store())).unsupported


def validate_rows(
    rows: Rows, shapes: Graph, *, triples: int = 0, plan: ShapesPlan | None = None
) -> ValidationReport:
    """Validate the data graph that ``rows`` queries against ``shapes`` (compiled as ``plan``
    when given).

    Raises:
        InputError: the shapes use what this engine does not support (listed), or are invalid.
    """
    plan = plan or compile_shapes(shapes, rows)
    if plan.unsupported:
        raise InputError(
            "the fast validation engine cannot evaluate these shapes faithfully: "
            + "; ".join(plan.unsupported)
            + " (use --engine pyshacl)"
        )
    results: list[ValidationResult] = []
    for check in plan.checks:
        try:
            found = rows(check.sparql)
        except SyntaxError as exc:
            raise InputError(f"{check.label}: the compiled query does not parse: {exc}") from None
        results.extend(check.to_results(found))
    return ValidationReport(
        results=results,
        triples=triples,
        shapes=count_shapes(shapes),
        engine="fast",
        shapes_graph=shapes,
    )


def _default_graph_size(store: ox.Store) -> int:
    count = cast(ox.QuerySolutions, store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    return int(cast(ox.Literal, next(iter(count))["n"]).value)


def validate_store(
    store: ox.Store, shapes: Graph, plan: ShapesPlan | None = None
) -> ValidationReport:
    """Validate the default graph of a pyoxigraph store against ``shapes``.

    Raises:
        InputError: the shapes use what this engine does not support (listed), or are invalid.
    """
    rows = oxigraph_rows(store)
    return validate_rows(rows, shapes, triples=_default_graph_size(store), plan=plan)


def load_files(paths: Iterable[Path | str], *, base: str = DEFAULT_BASE) -> ox.Store:
    """Read RDF files into one in-memory pyoxigraph store (their merge, in the default graph).

    Blank node labels are kept apart between files. Under another ``base`` than the default,
    the files are read rebased.

    Raises:
        InputError: a file is missing, of an unknown format or malformed (file and line).
    """
    from jaif_kg.rdf.graph import _syntax_error

    store = ox.Store()
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        fmt = input_format(path).oxigraph
        data = read_input(path)
        try:
            with parser_limit(path, data):
                _load_file(store, data, fmt, base)
        except SyntaxError as exc:
            raise _syntax_error(exc, path) from None
    return store


def _load_file(store: ox.Store, data: bytes, fmt: ox.RdfFormat, base: str) -> None:
    """Add the triples of one file's ``data`` to the default graph of ``store``."""
    if base != DEFAULT_BASE:
        parsed = [
            ox.Quad(q.subject, q.predicate, q.object)
            for q in ox.parse(data, fmt, rename_blank_nodes=True)
        ]
        store.extend(rebase_quads(parsed, base))
    elif b"_:" in data or fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        store.extend(
            ox.Quad(q.subject, q.predicate, q.object)
            for q in ox.parse(data, fmt, rename_blank_nodes=True)
        )
    else:
        store.load(data, fmt)


def validate_fast(
    data_paths: Sequence[Path | str],
    shapes_paths: Sequence[Path | str],
    ontology_paths: Sequence[Path | str] = (),
    *,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate the merge of ``data_paths`` and ``ontology_paths`` with the fast engine.

    Every file is read under ``base`` (rebased when it is not the default base).

    Raises:
        InputError: a file is missing or malformed, or the shapes are not supported.
    """
    if not shapes_paths:
        raise InputError("no shapes to validate against")
    shapes = read_graph(shapes_paths, base=base)
    store = load_files([*ontology_paths, *data_paths], base=base)
    return validate_store(store, shapes)


def validate_files(
    data_paths: Sequence[Path | str],
    shapes_paths: Sequence[Path | str],
    ontology_paths: Sequence[Path | str] = (),
    engine: Engine | str = "auto",
    *,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate files with the engine asked for, every file read under ``base``.

    ``pyshacl`` runs :func:`jaif_kg.shacl.pyshacl_engine.validate`; ``fast`` runs
    :func:`validate_fast`
    and refuses shapes it does not support; ``auto`` runs the fast engine when it supports the
    shapes, else pySHACL.

    Raises:
        InputError: a file is missing or malformed, an unknown engine, or (``fast``) shapes the
            fast engine does not support.
    """
    from jaif_kg.shacl.pyshacl_engine import validate

    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if engine == "pyshacl":
        return validate(data_paths, shapes_paths, ontology_paths, base=base)
    if not shapes_paths:
        raise InputError("no shapes to validate against")
    shapes = read_graph(shapes_paths, base=base)
    store = load_files([*ontology_paths, *data_paths], base=base)
    plan = compile_shapes(shapes, oxigraph_rows(store))
    if engine == "auto" and plan.unsupported:
        return validate(data_paths, shapes_paths, ontology_paths, base=base)
    return validate_store(store, shapes, plan)
