"""Validating a merged dataset (:mod:`jaif_kg.shacl.dataset`): the shipped graph plus named
graphs of other data, each with its own shapes (``tests/fixtures/union/``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

from jaif_kg.shacl import validate
from jaif_kg.shacl.dataset import DataGraph, graphs_from_options, validate_dataset
from jaif_kg.shacl.report import ValidationReport

REPO = Path(__file__).resolve().parents[2]
UNION = REPO / "tests" / "fixtures" / "union"
SHAPES = sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))
ONTOLOGY = [REPO / "ontology" / "jaif.ttl"]
SHIPPED = sorted((REPO / "graph_data").glob("*.ttl"))
INTEGRATOR = UNION / "integrator.ttl"
GRAPH = "http://example.org/integrator/graph"
ID = "https://w3id.org/jaif-kg/id/"


def dataset(*graphs: DataGraph) -> ValidationReport:
    return validate_dataset(SHIPPED, graphs, SHAPES, ONTOLOGY, "fast")


def test_an_integrators_own_resources_are_not_the_projects() -> None:
    """SKOS country concepts, ORG organisations, schema:Country resources, a membership and a
    period outside ``{base}id/``, in a graph of their own: the project's shapes see none."""
    report = dataset(DataGraph(GRAPH, (INTEGRATOR,)))
    assert report.results == []


def test_the_same_data_merged_into_one_graph_is_not_reported_either() -> None:
    """Merged plainly (no graph), the integrator's resources are still not the project's: the
    project's shapes target the project's own classes (tests/shacl/test_union.py)."""
    report = validate([*SHIPPED, INTEGRATOR], SHAPES, ONTOLOGY, "fast")
    assert not [r for r in report.results if "example.org/integrator" in str(r.focus_node)]


def test_a_graphs_shapes_check_that_graph_with_the_shipped_data_for_reference() -> None:
    """The integrator's shapes target every skos:Concept: only the graph's concepts are reported
    (the shipped concepts have no skos:exactMatch, and are not reported), KH matches a shipped
    country, LA matches none; the result names the graph and its file and line."""
    graph = DataGraph(GRAPH, (INTEGRATOR,), (UNION / "integrator.shapes.ttl",))
    report = dataset(graph)
    assert [str(r.focus_node) for r in report.results] == [
        "http://example.org/integrator/country/LA"
    ]
    (result,) = report.results
    assert result.message.endswith(f"(graph <{GRAPH}>)")
    assert result.file is not None and Path(result.file).name == "integrator.ttl"
    assert result.line == 16  # the first triple about LA


def test_the_projects_classes_in_an_extra_graph_are_checked_by_the_projects_shapes() -> None:
    """An IATI activity without an identifier in an integrator's graph is the project's kind of
    resource: reported, naming the graph; the concept beside it is not the project's."""
    report = dataset(DataGraph(GRAPH, (UNION / "iati.ttl",)))
    found = {(str(r.focus_node), str(r.source_shape).split("#")[-1]) for r in report.results}
    assert found == {
        ("http://example.org/integrator/activity/1", "IatiActivityShape-identifier"),
    }
    assert all(r.message.endswith(f"(graph <{GRAPH}>)") for r in report.results)


OBSERVATION = """
@prefix qb: <http://purl.org/linked-data/cube#> .
<http://example.org/integrator/obs/1> a qb:Observation .
"""


def test_a_graph_named_under_the_base_is_the_projects_own(tmp_path: Path) -> None:
    """A graph named ``{base}graph/...`` (what ``jaif-kg import`` writes) is validated whole by
    the project's shapes, so an observation there without area, period or measure is reported;
    in an integrator's graph, the same observation is theirs, not the project's."""
    data = tmp_path / "observation.ttl"
    data.write_text(OBSERVATION, encoding="utf-8")
    focus = URIRef("http://example.org/integrator/obs/1")
    ours = dataset(DataGraph("https://w3id.org/jaif-kg/graph/wdi-x", (data,)))
    assert focus in {r.focus_node for r in ours.results}
    theirs = dataset(DataGraph(GRAPH, (data,)))
    assert focus not in {r.focus_node for r in theirs.results}


def test_shapes_for_a_graph_that_is_not_given_are_refused() -> None:
    with pytest.raises(ValueError, match="no --graph urn:x=FILE"):
        graphs_from_options([("urn:g", Path("a.ttl"))], [("urn:x", Path("x.shapes.ttl"))])


def test_the_cli_takes_graphs_with_their_shapes() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jaif_kg.cli",
            "validate",
            "--graph",
            f"{GRAPH}={INTEGRATOR}",
            "--graph-shapes",
            f"{GRAPH}={UNION / 'integrator.shapes.ttl'}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "integrator/country/LA" in done.stdout
    assert f"(graph <{GRAPH}>)" in done.stdout
    assert "integrator.ttl:16" in done.stdout
