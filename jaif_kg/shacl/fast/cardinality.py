"""Cardinality constraint components: ``sh:minCount``, ``sh:maxCount``
(https://www.w3.org/TR/shacl/#core-components-count)."""

from __future__ import annotations

import itertools

from rdflib.namespace import SH

from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import Context, Focus, Shape


def distinct_values(
    c: Context,
    x: str,
    path: str | None,
    n: int,
    vs: list[str] | None = None,
    condition: Focus | None = None,
) -> str:
    """A pattern matching ``n`` pairwise distinct values of ``x path`` (that pass ``condition``).

    >>> from rdflib import Graph
    >>> distinct_values(Context(Graph(), {}), "?x", "<urn:p>", 2, ["?a", "?b"])
    '?x <urn:p> ?a . ?x <urn:p> ?b . FILTER (!sameTerm(?a, ?b))'
    """
    vs = vs or [c.var() for _ in range(n)]
    lines = [f"{x} {path} {v} ." for v in vs]
    filters = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
    if condition is not None:
        filters += [condition(v) for v in vs]
    if filters:
        lines.append(f"FILTER ({' && '.join(filters)})")
    return " ".join(lines)


def conditions(c: Context, shape: Shape, x: str) -> list[str]:
    """The counts of property shape ``shape`` as conditions on the term ``x``."""
    parts = []
    min_count = c.integer(shape.node, SH.minCount)
    if min_count:
        parts.append(f"EXISTS {{ {distinct_values(c, x, shape.path_sparql, min_count)} }}")
    max_count = c.integer(shape.node, SH.maxCount)
    if max_count is not None:
        pattern = distinct_values(c, x, shape.path_sparql, max_count + 1)
        parts.append(f"NOT EXISTS {{ {pattern} }}")
    return parts


def checks(c: Context, shape: Shape, focus: Focus) -> None:
    """The checks of ``sh:minCount`` and ``sh:maxCount`` on property shape ``shape``."""
    path = shape.path_sparql
    for param, component in ((SH.minCount, "MinCount"), (SH.maxCount, "MaxCount")):
        n = c.integer(shape.node, param)
        if n is None or (param == SH.minCount and n == 0):
            continue
        if param == SH.minCount and n == 1:
            sparql = (
                f"SELECT ?this WHERE {{ {focus('?this')} FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
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
        c.add(
            sparql,
            c.focus_only(
                shape,
                f"{component}ConstraintComponent",
                f"{word} than {n} values on {{focus}}->{term_text(shape.path_node)}",
            ),
            f"{term_text(shape.node)} {component}",
        )
