"""Other constraint components: ``sh:closed`` (with ``sh:ignoredProperties``), ``sh:hasValue``,
``sh:in`` (https://www.w3.org/TR/shacl/#core-components-others)."""

from __future__ import annotations

import dataclasses
from typing import cast

from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Identifier, Node

from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import Context, Fails, Focus, Rows, Shape, Stack, term
from jaif_kg.shacl.report import ValidationResult


def closed_pattern(c: Context, node: Identifier, x: str, p: str, o: str) -> str:
    """A pattern matching a triple ``x p o`` whose property the closed shape ``node`` does not
    allow (4.8.1); empty when the shape is not closed."""
    if c.one(node, SH.closed) != RdfLiteral(True):
        return ""
    allowed: set[Node] = set()
    for prop in c.objects(node, SH.property):
        path = c.g.value(cast(Identifier, prop), SH.path)
        if isinstance(path, URIRef):
            allowed.add(path)
    ignored = c.one(node, SH.ignoredProperties)
    if ignored is not None:
        allowed.update(c.members(ignored))
    listed = ", ".join(sorted(term(a) for a in allowed))
    test = f"FILTER ({p} NOT IN ({listed}))" if listed else ""
    return f"{x} {p} {o} . {test}"


def closed_check(c: Context, shape: Shape, focus: Focus) -> None:
    """The check of ``sh:closed`` on node shape ``shape`` (one result per disallowed triple)."""
    pattern = closed_pattern(c, shape.node, "?this", "?path", "?value")
    if not pattern:
        return
    sparql = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {focus('?this')} {pattern} }}"

    def to_results(rows: Rows) -> list[ValidationResult]:
        return [
            dataclasses.replace(
                c.result(
                    shape,
                    r["this"],
                    "ClosedConstraintComponent",
                    r["value"],
                    f"Node {term_text(r['this'])} is closed: it cannot have {term_text(r['path'])}",
                ),
                result_path=cast(URIRef, r["path"]),
            )
            for r in rows
        ]

    c.add(sparql, to_results, f"{term_text(shape.node)} closed")


def has_value_condition(shape: Shape, x: str, value: Node) -> str:
    """``x`` has the value ``value`` (a property shape) or is it (a node shape) (4.8.2)."""
    if shape.is_property:
        return f"EXISTS {{ {x} {shape.path_sparql} {term(value)} }}"
    return f"sameTerm({x}, {term(value)})"


def has_value_check(c: Context, shape: Shape, focus: Focus, value: Node) -> None:
    """The check of ``sh:hasValue value`` on ``shape``."""
    if shape.is_property:
        cond = f"NOT EXISTS {{ ?this {shape.path_sparql} {term(value)} }}"
    else:
        cond = f"!sameTerm(?this, {term(value)})"
    sparql = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} FILTER ({cond}) }}"
    generic = f"Missing expected value {term_text(value)}"

    def to_results(rows: Rows) -> list[ValidationResult]:
        return [
            c.result(
                shape,
                r["this"],
                "HasValueConstraintComponent",
                None,  # pySHACL gives no sh:value, on node shapes too
                generic,
            )
            for r in rows
        ]

    c.add(sparql, to_results, f"{term_text(shape.node)} hasValue")


def in_fails(c: Context, members: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is none of the list ``members`` (4.8.3)."""
    same = [f"sameTerm({v}, {term(m)})" for m in c.members(members)]
    return f"!({' || '.join(same) or 'false'})"


FAILS: dict[URIRef, Fails] = {SH["in"]: in_fails}
