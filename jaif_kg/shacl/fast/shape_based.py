"""Shape-based constraint components: ``sh:node``, ``sh:property``, ``sh:qualifiedValueShape``
(with ``sh:qualifiedMinCount``, ``sh:qualifiedMaxCount`` and
``sh:qualifiedValueShapesDisjoint``) (https://www.w3.org/TR/shacl/#core-components-shape).

The conformance of a value to another shape is a condition built from that shape's constraints
(``EXISTS``/``NOT EXISTS``), so nesting costs no extra round trip. As in pySHACL, the results of
the nested validation (``sh:detail``) are not results of the report.
"""

from __future__ import annotations

import functools
from typing import cast

from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Identifier, Node

from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.cardinality import distinct_values
from jaif_kg.shacl.fast.context import Context, Fails, Focus, Shape, Stack

#: (qualifiedMinCount, qualifiedMaxCount, condition on a value) of a qualified value shape.
Qualified = tuple[int | None, int | None, Focus]


def node_fails(c: Context, shape: Node, v: str, stack: Stack = ()) -> str:
    """``v`` does not conform to ``shape`` (4.7.1)."""
    return f"!{c.conforms(cast(Identifier, shape), v, stack)}"


FAILS: dict[URIRef, Fails] = {SH.node: node_fails}


def value_focus(c: Context, shape: Shape, focus: Focus) -> Focus:
    """The value nodes of ``shape`` for ``focus``: the focus nodes of its ``sh:property``
    shapes (4.7.2)."""
    if not shape.is_property:
        return focus

    parent = c.var("f")

    def values(var: str) -> str:
        return (
            f"{{ SELECT DISTINCT {var} WHERE {{ {focus(parent)} "
            f"{parent} {shape.path_sparql} {var} . }} }}"
        )

    return values


def qualified(c: Context, shape: Shape, stack: Stack) -> list[Qualified]:
    """Each ``sh:qualifiedValueShape`` of property shape ``shape`` (4.7.3)."""
    node = shape.node
    found: list[Qualified] = []
    disjoint = c.one(node, SH.qualifiedValueShapesDisjoint) == RdfLiteral(True)
    for q_shape in c.objects(node, SH.qualifiedValueShape):
        siblings: list[Identifier] = []
        if disjoint:
            for parent in sorted(c.g.subjects(SH.property, node), key=lambda n: n.n3()):
                for sibling_ps in c.objects(cast(Identifier, parent), SH.property):
                    for sibling in c.objects(cast(Identifier, sibling_ps), SH.qualifiedValueShape):
                        if sibling != q_shape and sibling not in siblings:
                            siblings.append(cast(Identifier, sibling))
        condition = functools.partial(
            _qualified_condition, c, cast(Identifier, q_shape), tuple(siblings), stack
        )
        found.append(
            (
                c.integer(node, SH.qualifiedMinCount),
                c.integer(node, SH.qualifiedMaxCount),
                condition,
            )
        )
    return found


def _qualified_condition(
    c: Context, q_shape: Identifier, siblings: Stack, stack: Stack, v: str
) -> str:
    """``v`` conforms to the qualified value shape and to none of its siblings."""
    parts = [c.conforms(q_shape, v, stack)]
    parts += [f"!{c.conforms(s, v, stack)}" for s in siblings]
    return " && ".join(parts)


def qualified_conditions(c: Context, shape: Shape, x: str, stack: Stack) -> list[str]:
    """The qualified value shapes of ``shape`` as conditions on the term ``x``."""
    parts = []
    path = shape.path_sparql
    for q_min, q_max, condition in qualified(c, shape, stack):
        if q_min:
            vs = [c.var() for _ in range(q_min)]
            parts.append(f"EXISTS {{ {distinct_values(c, x, path, q_min, vs, condition)} }}")
        if q_max is not None:
            vs = [c.var() for _ in range(q_max + 1)]
            pattern = distinct_values(c, x, path, q_max + 1, vs, condition)
            parts.append(f"NOT EXISTS {{ {pattern} }}")
    return parts


def qualified_checks(c: Context, shape: Shape, focus: Focus) -> None:
    """The checks of the qualified value shapes of ``shape``."""
    path = shape.path_sparql
    for q_min, q_max, condition in qualified(c, shape, ()):
        cond = condition("?v")
        if q_min:
            sparql = (
                f"SELECT ?this WHERE {{ {focus('?this')} "
                f"OPTIONAL {{ ?this {path} ?v . FILTER ({cond}) }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {q_min})"
            )
            c.add(
                sparql,
                c.focus_only(
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
            c.add(
                sparql,
                c.focus_only(
                    shape,
                    "QualifiedMaxCountConstraintComponent",
                    f"Focus node does not conform to shape: more than {q_max} values conform",
                ),
                f"{term_text(shape.node)} qualifiedMaxCount",
            )
