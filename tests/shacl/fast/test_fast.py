"""Differential tests: the fast engine (:mod:`jaif_kg.shacl.fast`) and pySHACL
(:mod:`jaif_kg.shacl.pyshacl_engine`) report the same results.

Both engines validate the same parsed graphs (so blank nodes have the same labels) against the
same shapes graph, and must give the same set of (focus node, path, value, shape, constraint
component, severity). The cases: the shipped graph; every shape fixture under
``tests/fixtures/shapes/`` merged into one graph with the shipped data (the merge is bigger and
odder than any single case, and both engines must still agree; one pySHACL run keeps this fast);
each fixture of the runner's self-test suite on its own shapes; synthetic data with every kind
of injected fault; and small graphs for components the shipped shapes do not use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.bench import synth
from jaif_kg.rdf.graph import read_graph, to_oxigraph_term
from jaif_kg.shacl.fast import oxigraph_rows, validate_store
from jaif_kg.shacl.fast.compiler import compile_shapes
from jaif_kg.shacl.pyshacl_engine import validate_graphs
from jaif_kg.shacl.report import ValidationReport

REPO = Path(__file__).resolve().parents[3]
SHAPES = sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))
ONTOLOGY = REPO / "ontology" / "jaif.ttl"
SHIPPED = sorted((REPO / "graph_data").glob("*.ttl"))
FIXTURES = REPO / "tests" / "fixtures" / "shapes"
SELFTEST = FIXTURES / "_selftest"

Key = tuple[Node, str, Node | None, Node, Node, str]


def _canonical(term: Node | None) -> Node | None:
    """A literal as Oxigraph stores it (it canonicalises valid numbers and dates)."""
    if not isinstance(term, Literal):
        return term
    store = ox.Store()
    s = ox.NamedNode("urn:s")
    store.add(ox.Quad(s, s, to_oxigraph_term(term)))
    stored = next(iter(store)).object
    from jaif_kg.rdf.graph import to_rdflib_term

    return to_rdflib_term(stored)


def keys(report: ValidationReport) -> set[Key]:
    return {
        (
            r.focus_node,
            r.result_path.n3() if r.result_path is not None else "",
            _canonical(r.value),
            r.source_shape,
            r.constraint_component,
            r.severity,
        )
        for r in report.results
    }


def to_store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return store


def both(data: Graph, shapes: Graph) -> tuple[ValidationReport, ValidationReport]:
    return validate_store(to_store(data), shapes), validate_graphs(data, shapes)


def assert_same(data: Graph, shapes: Graph) -> ValidationReport:
    fast, reference = both(data, shapes)
    only_fast, only_pyshacl = keys(fast) - keys(reference), keys(reference) - keys(fast)
    assert not only_fast and not only_pyshacl, (
        f"only the fast engine: {sorted(map(str, only_fast))}\n"
        f"only pySHACL: {sorted(map(str, only_pyshacl))}"
    )
    return fast


def graph_of(paths: Iterable[Path | str]) -> Graph:
    return read_graph(list(paths))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return read_graph(SHAPES)


def test_shipped_graph(shapes: Graph) -> None:
    report = assert_same(graph_of([ONTOLOGY, *SHIPPED]), shapes)
    assert report.engine == "fast"


def test_every_shape_fixture_merged_with_the_shipped_graph(shapes: Graph) -> None:
    cases = sorted(p for p in FIXTURES.rglob("*.ttl") if SELFTEST not in p.parents)
    assert len(cases) >= 100, f"expected the shape fixtures under {FIXTURES}"
    report = assert_same(graph_of([ONTOLOGY, *SHIPPED, *cases]), shapes)
    # the invalid cases make results of many kinds: the comparison is not vacuous
    assert len({r.constraint_component for r in report.results}) >= 8


@pytest.mark.parametrize(
    "case",
    sorted(p for p in SELFTEST.rglob("*.ttl") if p.parent != SELFTEST),
    ids=lambda p: str(p.relative_to(SELFTEST)),
)
def test_selftest_fixture(case: Path) -> None:
    shapes = read_graph(sorted(SELFTEST.glob("*.shapes.ttl")))
    ontology = [p for p in SELFTEST.glob("*.ttl") if not p.name.endswith(".shapes.ttl")]
    assert_same(graph_of([*ontology, case]), shapes)


@pytest.fixture(scope="module")
def fault_reports(
    shapes: Graph, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ValidationReport, ValidationReport]:
    path = tmp_path_factory.mktemp("synth") / "faults.nt"
    path.write_bytes(synth.generate(40, seed=7, faults=len(synth.FAULT_KINDS)))
    return both(graph_of([ONTOLOGY, path]), shapes)


def test_synthetic_data_with_every_fault(
    fault_reports: tuple[ValidationReport, ValidationReport],
) -> None:
    fast, reference = fault_reports
    assert keys(fast) == keys(reference)
    assert len(fast.results) >= len(synth.FAULT_KINDS)
    components = {str(r.constraint_component).rsplit("#", 1)[1] for r in fast.results}
    assert {
        "SPARQLConstraintComponent",
        "XoneConstraintComponent",
        "NodeConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "UniqueLangConstraintComponent",
        "MinInclusiveConstraintComponent",
    } <= components
    assert {r.severity for r in fast.results} == {"Violation", "Warning"}


def test_sparql_results_fill_the_message_templates(
    fault_reports: tuple[ValidationReport, ValidationReport],
) -> None:
    fast, reference = fault_reports
    sparql = SH.SPARQLConstraintComponent
    mine = sorted(r.message for r in fast.results if r.constraint_component == sparql)
    theirs = sorted(r.message for r in reference.results if r.constraint_component == sparql)
    assert mine == theirs
    assert mine and not any("{?" in m or "{$" in m for m in mine)


# -- components the shipped shapes do not use -----------------------------------------------

_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""

_EXTRA_SHAPES = (
    _PREFIXES
    + """
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:closed true ; sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ) ;
    sh:property ex:ThingShape-code , ex:ThingShape-kind , ex:ThingShape-label , ex:ThingShape-size ,
        ex:ThingShape-part .
ex:ThingShape-code a sh:PropertyShape ; sh:path ex:code ;
    sh:minLength 2 ; sh:maxLength 3 ; sh:pattern "^a" ; sh:flags "i" .
ex:ThingShape-kind a sh:PropertyShape ; sh:path ex:kind ;
    sh:in ( ex:small ex:large ) ; sh:hasValue ex:small .
ex:ThingShape-label a sh:PropertyShape ; sh:path ex:label ;
    sh:languageIn ( "en" "fr" ) ; sh:datatype xsd:string ; sh:minCount 2 .
ex:ThingShape-size a sh:PropertyShape ; sh:path ex:size ;
    sh:minExclusive 0 ; sh:maxInclusive 10 ; sh:datatype xsd:decimal .
ex:ThingShape-part a sh:PropertyShape ; sh:path ( ex:part [ sh:zeroOrMorePath ex:sub ] ) ;
    sh:not ex:Broken ; sh:and ( ex:Named ex:Typed ) .
ex:Broken a sh:NodeShape ; sh:property [ sh:path ex:broken ; sh:minCount 1 ] .
ex:Named a sh:NodeShape ; sh:property [ sh:path [ sh:inversePath ex:part ] ; sh:maxCount 1 ] .
ex:Typed a sh:NodeShape ; sh:nodeKind sh:IRI .
ex:Targeted a sh:NodeShape ; sh:targetNode ex:nowhere , ex:a ; sh:targetSubjectsOf ex:code ;
    sh:targetObjectsOf ex:part ; sh:property [ sh:path ex:note ; sh:minCount 1 ;
    sh:severity sh:Info ] .
"""
)

_EXTRA_DATA = (
    _PREFIXES
    + """
ex:a a ex:Thing ; ex:code "abc" , "Zed" , "a" , "abcde" ; ex:kind ex:large , ex:medium ;
    ex:label "one"@en , "deux"@fr , "drei"@de , "plain" ;
    ex:size 5.5 , 0 , 11 , "3" ; ex:part ex:p1 , _:b ; ex:colour "red" .
ex:b a ex:Thing ; ex:kind ex:small ; ex:label "x"@en-GB , "y"@EN ; ex:part ex:p1 .
ex:p1 ex:sub ex:p2 ; ex:note "n" .
ex:p2 ex:broken true .
_:b ex:note "anonymous" .
"""
)


def test_other_core_components() -> None:
    shapes = Graph().parse(data=_EXTRA_SHAPES, format="turtle")
    data = Graph().parse(data=_EXTRA_DATA, format="turtle")
    report = assert_same(data, shapes)
    components = {str(r.constraint_component).rsplit("#", 1)[1] for r in report.results}
    assert {
        "ClosedConstraintComponent",
        "MinLengthConstraintComponent",
        "MaxLengthConstraintComponent",
        "PatternConstraintComponent",
        "InConstraintComponent",
        "HasValueConstraintComponent",
        "LanguageInConstraintComponent",
        "MinExclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent",
        "NotConstraintComponent",
        "AndConstraintComponent",
        "DatatypeConstraintComponent",
        "MinCountConstraintComponent",
    } <= components
    assert "Info" in {r.severity for r in report.results}


def test_target_node_not_in_the_data_is_still_validated() -> None:
    text = (
        _PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetNode ex:ghost ; "
        + "sh:property [ sh:path ex:p ; sh:minCount 1 ] .\n"
    )
    shapes = Graph().parse(data=text, format="turtle")
    report = assert_same(Graph(), shapes)
    assert [r.focus_node for r in report.results] == [URIRef("http://example.org/ghost")]


def test_sparql_constraint_with_braces_and_keywords_in_strings_and_comments() -> None:
    """The FILTER NOT EXISTS rewrite finds the group with THE lexer: braces and keywords in
    strings and comments do not mislead it, and the rewritten query gives pySHACL's results."""
    select = (
        "SELECT $this ?value WHERE {\\n"
        "  $this ex:label ?value . # a comment with { and FILTER NOT EXISTS {\\n"
        '  FILTER NOT EXISTS { $this ex:note \\"}\\" }\\n'
        '  FILTER (?value != \\"FILTER NOT EXISTS { }\\")\\n'
        "}"
    )
    shapes = Graph().parse(
        data=_PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql ex:S-sparql .\n"
        + f'ex:S-sparql sh:select "{select}" ; sh:prefixes ex:prefixes .\n'
        + 'ex:prefixes sh:declare [ sh:prefix "ex" ; '
        + 'sh:namespace "http://example.org/"^^xsd:anyURI ] .\n',
        format="turtle",
    )
    data = Graph().parse(
        data=_PREFIXES
        + 'ex:a a ex:C ; ex:label "x" .\n'
        + 'ex:b a ex:C ; ex:label "y" ; ex:note "}" .\n'
        + 'ex:c a ex:C ; ex:label "FILTER NOT EXISTS { }" .\n',
        format="turtle",
    )
    (check,) = compile_shapes(shapes, oxigraph_rows(ox.Store())).checks
    assert 'OPTIONAL {  $this ex:note "}"  BIND (true AS ?_notExists0) }' in check.sparql
    assert "FILTER NOT EXISTS { $this" not in check.sparql
    assert "# a comment with { and FILTER NOT EXISTS {\n" in check.sparql
    assert '(?value != "FILTER NOT EXISTS { }")' in check.sparql
    report = assert_same(data, shapes)
    assert [(r.focus_node, r.value) for r in report.results] == [
        (URIRef("http://example.org/a"), Literal("x"))
    ]
