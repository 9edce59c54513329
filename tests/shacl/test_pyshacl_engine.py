"""jaif_kg.shacl.pyshacl_engine: running pySHACL, and what its report holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SH

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import ontology_path, read_graph, shapes_paths, shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.shacl import ValidationReport, render_text, validate

EX = "http://example.org/"
ONTOLOGY = [
    Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "_selftest" / "ontology.ttl"
]


def test_results_are_complete_and_sorted(report: ValidationReport) -> None:
    seen = [
        (str(r.focus_node).removeprefix(EX), r.severity, str(r.source_shape).split("#")[1])
        for r in report.results
    ]
    # severity, then focus node, then path (none sorts first), shape, value
    assert seen == [
        ("nameless", "Violation", "UniqueCodeShape"),
        ("nameless", "Violation", "ThingShape-name"),
        ("noisy", "Violation", "UniqueCodeShape"),
        ("noisy", "Warning", "ThingShape-note"),
    ]
    assert report.counts() == {"Violation": 3, "Warning": 1, "Info": 0}
    assert report.shapes == 4
    assert report.triples == len(read_graph(ONTOLOGY)) + 9
    sparql = [r for r in report.results if r.constraint_component == SH.SPARQLConstraintComponent]
    assert {r.source_constraint for r in sparql} == {
        URIRef("https://w3id.org/jaif-kg/shapes#UniqueCodeShape-sparql")
    }
    assert {r.message for r in sparql} == {
        f"Code C is also the code of {EX}noisy.",
        f"Code C is also the code of {EX}nameless.",
    }


def test_unusable_shapes(tmp_path: Path, data: Path) -> None:
    shapes = tmp_path / "broken.shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="shapes cannot be used"):
        validate([data], [shapes], engine="pyshacl")


def test_shipped_graph_conforms(settings: Settings) -> None:
    """The shipped ontology and data pass every shape (warnings included)."""
    report = validate(
        shipped_paths(settings), shapes_paths(settings), [ontology_path(settings)], engine="pyshacl"
    )
    assert report.results == [], render_text(report, "info")
    assert report.shapes > 0 and report.triples > 1000


@pytest.mark.parametrize(
    ("constraint", "reason"),
    [
        ('sh:pattern "[a-z"', "sh:pattern '\\[a-z' is not a valid regular expression"),
        (
            'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p $shapesGraph }" ]',
            "\\$shapesGraph in a SPARQL query is not supported",
        ),
        ('sh:sparql [ sh:select "SELECT $this WHERE {" ]', "sh:select query does not parse"),
        ('sh:sparql [ sh:select "ASK {}" ]', "a SELECT query is expected"),
        (
            "sh:property [ sh:path ex:p ; sh:minExclusive ex:x ]",
            "sh:minExclusive must be a literal",
        ),
        (
            'sh:property [ sh:path ex:p ; sh:pattern "a" ; sh:flags ex:i ]',
            "sh:flags must be a string",
        ),
    ],
)
def test_what_pyshacl_crashes_on_is_an_input_error_naming_the_shape(
    tmp_path: Path, data: Path, constraint: str, reason: str
) -> None:
    """pySHACL stops with a Python exception on these: the engine names the shape instead."""
    shapes = tmp_path / "crash.shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; {constraint} .\n",
        encoding="utf-8",
    )
    for engine in ("pyshacl", "auto", "fast"):
        with pytest.raises(InputError, match=f"S>.*: .*{reason}|cannot evaluate"):
            validate([data], [shapes], engine=engine)
    with pytest.raises(InputError, match=reason):
        validate([data], [shapes], engine="pyshacl")
