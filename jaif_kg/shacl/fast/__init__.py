"""The fast engine: every constraint of the shapes as a SPARQL query run on Oxigraph.

pySHACL evaluates SHACL on an rdflib graph, one focus node at a time; a ``sh:sparql``
constraint costs it one run of rdflib's SPARQL engine per focus node, and loading a million
triples into rdflib alone takes half a minute. This engine keeps the data in pyoxigraph and
compiles the shapes (:mod:`~jaif_kg.shacl.fast.compiler`) into one SELECT query per constraint,
each returning only the violations for all focus nodes at once. Its modules follow the spec:
targets and the walk over the shapes in ``compiler``; SHACL Core components (section 4) in
``value_type``, ``cardinality``, ``value_range``, ``string_based``, ``property_pair``,
``logical``, ``shape_based`` and ``other``; SPARQL-based constraints (section 5) in
``sparql_based``.

The report follows pySHACL's conventions, so that both engines give the same results (a
differential test holds them to it): node shapes report the focus node as ``sh:value``; the
results of nested validations (``sh:detail``) are not results of the report.

It gives exactly pySHACL's results or declines: what it does not evaluate exactly as pySHACL
does (SHACL vocabulary it does not know, custom constraint components, SHACL-AF, classes declared
``rdfs:subClassOf`` SHACL's, the property pair components, recursive shapes, nested property
shapes in property shapes, SPARQL constraints whose pre-binding a join cannot reproduce, regular
expressions Oxigraph and Python could read differently, a term it cannot write into a query) is
listed in :attr:`~jaif_kg.shacl.fast.context.ShapesPlan.unsupported` (the whole-graph checks are
in :mod:`~jaif_kg.shacl.fast.declined`): :func:`jaif_kg.shacl.validate` then falls back to
pySHACL (``engine="auto"``) or refuses (``engine="fast"``), never skipping a constraint. Shapes
that pySHACL crashes on are an :class:`~jaif_kg.errors.InputError` in both engines
(:mod:`~jaif_kg.shacl.fast.unusable`). docs/FAST-ENGINE.md lists both.

Literals are compared as Oxigraph stores them: it canonicalises valid literals of numeric and
date types (``"01"^^xsd:integer`` is ``"1"``, ``xsd:positiveInteger`` becomes ``xsd:integer``),
so a ``sh:value`` may be written differently than pySHACL writes it, and a ``sh:datatype`` of a
derived integer type cannot match. The shipped data uses ``xsd:integer`` only.
"""

from __future__ import annotations

from typing import cast

import pyoxigraph as ox
from rdflib import Graph

from jaif_kg.errors import InputError
from jaif_kg.rdf.terms import solution_rows
from jaif_kg.shacl.fast.compiler import RunQuery, compile_shapes
from jaif_kg.shacl.fast.context import Rows, ShapesPlan
from jaif_kg.shacl.report import ValidationReport, ValidationResult, count_shapes


def oxigraph_rows(
    store: ox.Store, default_graph: list[ox.NamedNode | ox.DefaultGraph] | None = None
) -> RunQuery:
    """Run SELECT queries on a pyoxigraph store, over ``default_graph`` (the merge of those
    graphs; default: the store's default graph); rows as rdflib terms (unbound left out)."""

    def run(sparql: str) -> Rows:
        answer = store.query(sparql, default_graph=default_graph)  # type: ignore[arg-type]
        return solution_rows(cast(ox.QuerySolutions, answer))[1]

    return run


def validate_rows(
    rows: RunQuery, shapes: Graph, *, triples: int = 0, plan: ShapesPlan | None = None
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


def validate_store(
    store: ox.Store,
    shapes: Graph,
    plan: ShapesPlan | None = None,
    *,
    default_graph: list[ox.NamedNode | ox.DefaultGraph] | None = None,
) -> ValidationReport:
    """Validate the default graph of a pyoxigraph store (or the merge of ``default_graph``)
    against ``shapes``.

    Raises:
        InputError: the shapes use what this engine does not support (listed), or are invalid.
    """
    counted = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        default_graph=default_graph,  # type: ignore[arg-type]
    )
    triples = int(cast(ox.Literal, next(iter(cast(ox.QuerySolutions, counted)))["n"]).value)
    return validate_rows(oxigraph_rows(store, default_graph), shapes, triples=triples, plan=plan)
