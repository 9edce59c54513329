"""jaif_kg.shacl.fast.compiler: the shapes compile completely, and what the fast engine does not
evaluate faithfully is declined (listed), never skipped."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import read_graph
from jaif_kg.shacl import validate
from jaif_kg.shacl.fast import oxigraph_rows
from jaif_kg.shacl.fast.compiler import compile_shapes

REPO = Path(__file__).resolve().parents[3]
SHAPES = sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))

_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


def unsupported_features(shapes: Graph) -> list[str]:
    """What the fast engine declines in ``shapes`` (what makes ``auto`` run pySHACL)."""
    return compile_shapes(shapes, oxigraph_rows(ox.Store())).unsupported


def _select(where: str) -> str:
    return f'sh:sparql [ sh:select "SELECT $this WHERE {{ {where}" ]'


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ("sh:property [ sh:path ex:p ; sh:equals ex:q ]", "sh:equals"),
        (
            "sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:q ; sh:object 1 ]",
            "sh:rule",
        ),
        ("sh:node ex:S", "recursive"),
        (
            _select("$this <http://example.org/p> ?x } LIMIT 1"),
            "Slice",
        ),
        (
            _select("OPTIONAL { $this <http://example.org/p> ?x } }"),
            "triple pattern",
        ),
        (
            _select("$this <http://example.org/p> ?x MINUS { ?x <http://example.org/q> 1 } }"),
            "Minus",
        ),
    ],
)
def test_unsupported_shapes_are_reported(shape: str, reason: str, tmp_path: Path) -> None:
    text = _PREFIXES + f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; {shape} .\n"
    shapes = Graph().parse(data=text, format="turtle")
    problems = unsupported_features(shapes)
    assert any(reason in p for p in problems), problems
    shapes_file = tmp_path / "s.shapes.ttl"
    shapes_file.write_text(text)
    data = tmp_path / "d.ttl"
    data.write_text(_PREFIXES + "ex:x a ex:C ; ex:p 1 .\n")
    with pytest.raises(InputError, match="cannot evaluate"):
        validate([data], [shapes_file], engine="fast")
    if "sh:sparql" not in shape:  # (pySHACL itself refuses those queries)
        # auto falls back to pySHACL, which runs them
        assert validate([data], [shapes_file], engine="auto").engine == "pyshacl"


def test_the_shipped_shapes_compile_completely() -> None:
    plan = compile_shapes(read_graph(SHAPES), oxigraph_rows(ox.Store()))
    assert not plan.unsupported, plan.unsupported
    assert len(plan.checks) > 50


def test_blank_node_values_in_shapes_are_refused() -> None:
    text = _PREFIXES + "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:hasValue [] .\n"
    assert unsupported_features(Graph().parse(data=text, format="turtle"))


def test_terms_that_cannot_be_written_into_a_query_are_declined() -> None:
    """THE escaper refuses them; the engine declines the shape (auto hands it to pySHACL)."""
    shapes = Graph()
    shape = URIRef("http://example.org/S")
    shapes.add((shape, SH.targetNode, URIRef("http://example.org/a\tb")))
    shapes.add((shape, SH.hasValue, Literal("x")))
    (problem,) = unsupported_features(shapes)
    assert "not a valid IRI" in problem
