"""The jaif-kg command line, run as a real subprocess: exit codes, output formats, messages.

Most tests use the small world in ``tests/fixtures/cli/`` (its own ontology, shapes, data and
queries, selected through the ``JAIF_*`` environment variables); a few run on the shipped graph.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from jaif_kg import __version__
from jaif_kg.rdf.canonical import graph_turtle
from jaif_kg.rdf.graph import read_graph

REPO = Path(__file__).resolve().parents[2]
WORLD = REPO / "tests" / "fixtures" / "cli"


def jaif_kg(*args: str, world: Path | None = WORLD) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jaif_kg.cli`` with ``args``; ``world`` picks ontology/data/queries."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    if world is not None:
        env |= {
            "JAIF_ONTOLOGY_DIR": str(world / "ontology"),
            "JAIF_DATA_DIR": str(world / "graph_data"),
            "JAIF_QUERIES_DIR": str(world / "queries"),
        }
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_version_and_help() -> None:
    assert jaif_kg("--version").stdout.strip() == f"jaif-kg {__version__}"
    helped = jaif_kg("--help")
    assert helped.returncode == 0
    for command in ("validate", "query", "fmt"):
        assert command in helped.stdout
    assert jaif_kg().returncode == 2  # no command


# -- validate -------------------------------------------------------------------------------


def test_validate_conforming_world() -> None:
    run = jaif_kg("validate")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == "Conforms: 0 violations, 0 warnings, 0 infos (10 triples, 3 shapes)\n"


def test_validate_reports_a_violation_and_exits_1() -> None:
    run = jaif_kg("validate", str(WORLD / "nameless.ttl"))
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        "Violation: <http://example.org/c>",
        "  path:      <http://example.org/name>",
        "  message:   A thing needs exactly one name.",
        "  shape:     jaifsh:ThingShape-name",
        "  component: sh:MinCountConstraintComponent",
        f"  at:        {WORLD / 'nameless.ttl'}:4",
        "",
        "Does not conform: 1 violation, 0 warnings, 0 infos (5 triples, 3 shapes)",
    ]


def test_fail_on_threshold() -> None:
    noisy = str(WORLD / "noisy.ttl")
    assert jaif_kg("validate", noisy).returncode == 0  # a warning passes by default
    assert jaif_kg("validate", noisy, "--fail-on", "violation").returncode == 0
    run = jaif_kg("validate", noisy, "--fail-on", "warning")
    assert run.returncode == 1
    assert run.stdout.startswith("Warning: <http://example.org/d>\n")
    assert jaif_kg("validate", noisy, "--fail-on", "info").returncode == 1


def test_validate_json_and_turtle() -> None:
    run = jaif_kg("validate", str(WORLD / "nameless.ttl"), "--format", "json")
    assert run.returncode == 1
    document = json.loads(run.stdout)
    assert document["conforms"] is False
    results = document["results"]
    assert len(results) == 1
    assert results[0]["focus_node"] == {"type": "uri", "value": "http://example.org/c"}
    assert (
        results[0]["constraint_component"]["value"]
        == "http://www.w3.org/ns/shacl#MinCountConstraintComponent"
    )

    run = jaif_kg("validate", str(WORLD / "nameless.ttl"), "--format", "turtle")
    assert run.returncode == 1
    report = Graph().parse(data=run.stdout, format="turtle")
    focus = set(report.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode")))
    assert focus == {URIRef("http://example.org/c")}


def test_validate_malformed_turtle_exits_2_with_file_and_line() -> None:
    run = jaif_kg("validate", str(WORLD / "malformed.ttl"))
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"{WORLD / 'malformed.ttl'}:4: syntax error" in run.stderr
    missing = jaif_kg("validate", str(WORLD / "absent.ttl"))
    assert missing.returncode == 2 and "absent.ttl: no such file" in missing.stderr


def test_validate_the_shipped_graph() -> None:
    run = jaif_kg("validate", world=None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Conforms: 0 violations, ")


def test_removing_a_required_fact_fails_validation(tmp_path: Path) -> None:
    """A copy of graph_data/ minus one triple (a project's title) exits 1 and names it."""
    project = URIRef("https://w3id.org/jaif-kg/id/project/asean-ricenet-capacity-development")
    for path in sorted((REPO / "graph_data").glob("*.ttl")):
        shutil.copy(path, tmp_path / path.name)
    projects = tmp_path / "projects.ttl"
    graph = read_graph([projects])
    assert graph.value(project, DCTERMS.title) is not None
    graph.remove((project, DCTERMS.title, None))
    projects.write_text(graph_turtle(graph), encoding="utf-8")

    run = jaif_kg("validate", *map(str, sorted(tmp_path.glob("*.ttl"))), world=None)
    assert run.returncode == 1, run.stdout + run.stderr
    block = run.stdout.split("\n\n")[0].splitlines()
    assert block[0] == "Violation: id:project/asean-ricenet-capacity-development"
    assert "  path:      dcterms:title" in block
    assert "  component: sh:MinCountConstraintComponent" in block
    assert run.stdout.splitlines()[-1].startswith("Does not conform: 1 violation, 0 warnings")


# -- query ----------------------------------------------------------------------------------


def test_query_table() -> None:
    run = jaif_kg("query", "things")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "thing                   name                size  note",
        "----------------------  ------------------  ----  -----------",
        "<http://example.org/a>  Alpha               3",
        '<http://example.org/b>  Beta, "the second"  10    multi\\nline',
        "(2 rows)",
    ]


def test_query_json_is_an_array_of_objects() -> None:
    run = jaif_kg("query", "things", "--param", "min_size=5", "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [
        {
            "thing": "http://example.org/b",
            "name": 'Beta, "the second"',
            "size": 10,
            "note": "multi\nline",
        }
    ]
    run = jaif_kg("query", "things", "-p", "kind=http://example.org/Gadget", "--format", "json")
    assert [row["name"] for row in json.loads(run.stdout)] == ["Alpha"]
    assert json.loads(jaif_kg("query", "has-things", "--format", "json").stdout) is True


def test_query_csv_is_rfc_4180() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    env["JAIF_QUERIES_DIR"] = str(WORLD / "queries")
    env["JAIF_DATA_DIR"] = str(WORLD / "graph_data")
    env["JAIF_ONTOLOGY_DIR"] = str(WORLD / "ontology")
    raw = subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "query", "things", "--format", "csv"],
        capture_output=True,
        env=env,
        check=True,
    ).stdout  # bytes: text mode would turn CRLF into LF
    assert raw.startswith(b"thing,name,size,note\r\nhttp://example.org/a,Alpha,3,\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert rows == [
        ["thing", "name", "size", "note"],
        ["http://example.org/a", "Alpha", "3", ""],
        ["http://example.org/b", 'Beta, "the second"', "10", "multi\nline"],
    ]


def test_query_construct_prints_turtle() -> None:
    run = jaif_kg("query", "thing", "-p", "thing=http://example.org/a")
    assert run.returncode == 0, run.stderr
    graph = Graph().parse(data=run.stdout, format="turtle")
    assert len(graph) == 3
    rows = json.loads(
        jaif_kg("query", "thing", "-p", "thing=<http://example.org/a>", "--format", "json").stdout
    )
    assert {r["predicate"] for r in rows} == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://example.org/name",
        "http://example.org/size",
    }


def test_query_list() -> None:
    run = jaif_kg("query", "--list")
    assert run.returncode == 0
    assert run.stdout.startswith("has-things  (ask)  Is there a thing at all?\n")
    assert "    --param min_size=…  integer, optional; Smallest size" in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "no named query 'nope'; known: has-things, thing, things"),
        ((), "name a query; known: has-things, thing, things"),
        (("things", "-p", "min_size=big"), "parameter 'min_size' (integer): 'big' is not valid"),
        (
            ("things", "-p", "colour=red"),
            "has no parameter 'colour'; its parameters: kind, min_size",
        ),
        (("things", "-p", "min_size"), "--param 'min_size': write KEY=VALUE"),
        (("things", "-p", 'kind=http://x/"> } #'), "parameter 'kind' (iri)"),
        (("thing",), "needs parameter 'thing' (iri): The thing"),
    ],
)
def test_query_errors_exit_2_with_a_clear_message(args: tuple[str, ...], message: str) -> None:
    run = jaif_kg("query", *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith("jaif-kg query: error: ")
    assert message in run.stderr


def test_query_on_the_shipped_graph() -> None:
    run = jaif_kg("query", "projects", "--param", "country=KHM", "--format", "json", world=None)
    assert run.returncode == 0, run.stderr
    titles = {row["title"] for row in json.loads(run.stdout)}
    assert (
        "Training on Writing Business Plan for Entrepreneurs, and Small and Medium "
        "Enterprises (SMEs) in Cambodia, Lao PDR, and Viet Nam (CLV)" in titles
    )
    myanmar = jaif_kg("query", "projects", "-p", "country=MMR", "--format", "json", world=None)
    assert not any("(CLV)" in row["title"] for row in json.loads(myanmar.stdout))


# -- fmt ------------------------------------------------------------------------------------


def test_fmt_check_and_rewrite(tmp_path: Path) -> None:
    clean = tmp_path / "clean.ttl"
    shutil.copy(WORLD / "graph_data" / "things.ttl", clean)
    messy = tmp_path / "messy.ttl"
    shutil.copy(WORLD / "not-canonical.ttl", messy)

    assert jaif_kg("fmt", "--check", str(clean)).returncode == 0
    run = jaif_kg("fmt", "--check", str(clean), str(messy))
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"would reformat {messy}",
        "1 of 2 files are not canonical; run: jaif-kg fmt",
    ]
    assert messy.read_text() == (WORLD / "not-canonical.ttl").read_text()

    run = jaif_kg("fmt", str(clean), str(messy))
    assert run.returncode == 0
    assert run.stdout == f"reformatted {messy}\n"
    assert jaif_kg("fmt", "--check", str(clean), str(messy)).returncode == 0
    assert (
        messy.read_text() == "PREFIX ex: <http://example.org/>\n\nex:y\n    ex:p 1 ;\n.\n\n"
        "ex:z\n    ex:p 2 ;\n.\n"
    )


def test_fmt_malformed_exits_2(tmp_path: Path) -> None:
    run = jaif_kg("fmt", "--check", str(WORLD / "malformed.ttl"))
    assert run.returncode == 2
    assert f"{WORLD / 'malformed.ttl'}:4:" in run.stderr


def test_fmt_defaults_to_the_worlds_turtle() -> None:
    run = jaif_kg("fmt", "--check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == "3 files are canonical\n"


def test_validate_with_other_shapes(tmp_path: Path) -> None:
    strict = tmp_path / "strict.shapes.ttl"
    strict.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        "ex:SizeShape a sh:NodeShape ; sh:targetClass ex:Thing ;\n"
        "  sh:property [ sh:path ex:size ; sh:maxInclusive 5 ] .\n",
        encoding="utf-8",
    )
    shapes = WORLD / "ontology" / "shapes" / "things.shapes.ttl"
    run = jaif_kg("validate", "--shapes", str(strict), "--shapes", str(shapes))
    assert run.returncode == 1
    assert run.stdout.startswith("Violation: <http://example.org/b>\n")
    assert "sh:MaxInclusiveConstraintComponent" in run.stdout
    assert run.stdout.endswith("(10 triples, 5 shapes)\n")  # 4 named, 1 blank node
