"""``jaif-kg validate``: a result without a place says why, literal focus nodes are quoted, two
runs print the same bytes, the verdict says 'Passes' below --fail-on, a bad ``sh:severity``
names its shape, and ``--only-shapes`` leaves the project's ontology out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLACES = REPO / "tests" / "fixtures" / "inputs" / "places"
DATA = str(PLACES / "data.ttl")
SHAPES = str(PLACES / "shapes.ttl")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "validate", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_a_result_without_a_place_says_why_and_a_literal_is_quoted() -> None:
    done = run(DATA, "--only-shapes", SHAPES)
    assert done.returncode == 1, done.stderr
    blocks = done.stdout.split("\n\n")
    literal = next(b for b in blocks if "two" in b.splitlines()[0])
    assert literal.splitlines()[0] == 'Violation: "two\\nlines"'
    assert "  at:        (no line: a literal is not in any file)" in literal.splitlines()
    absent = next(b for b in blocks if b.startswith("Violation: <http://example.org/nowhere>"))
    assert "  at:        (no line: not in any data file)" in absent.splitlines()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("markdown", "| (no line: a literal is not in any file) |"),
        ("markdown", '| Violation | "two\\nlines" |'),
        ("github", "(no line: not in any data file)"),
        ("junit", "at: (no line: not in any data file)"),
        ("junit", 'name="&quot;two\\nlines&quot;"'),
    ],
)
def test_ci_formats_say_why_there_is_no_place(fmt: str, expected: str) -> None:
    done = run(DATA, "--only-shapes", SHAPES, "--format", fmt)
    assert expected in done.stdout


def test_json_and_sarif_say_why_there_is_no_place() -> None:
    results = json.loads(run(DATA, "--only-shapes", SHAPES, "--format", "json").stdout)["results"]
    nowhere = next(r for r in results if r["focus_node"]["value"] == "http://example.org/nowhere")
    assert (nowhere["file"], nowhere["line"]) == (None, None)
    assert nowhere["place_note"] == "not in any data file"
    placed = next(r for r in results if r["line"] is not None)
    assert placed["place_note"] is None
    sarif = json.loads(run(DATA, "--only-shapes", SHAPES, "--format", "sarif").stdout)
    unplaced = [r for r in sarif["runs"][0]["results"] if "locations" not in r]
    assert len(unplaced) == 2
    assert all(
        r["message"]["text"].endswith(")") and "(no line: " in r["message"]["text"]
        for r in unplaced
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "junit", "sarif", "github"])
def test_two_runs_print_the_same_bytes(fmt: str) -> None:
    """Blank focus nodes and blank-node shapes get new labels every run: none is printed, and
    the order does not depend on them."""
    first = run(DATA, "--only-shapes", SHAPES, "--format", fmt, "--engine", "pyshacl")
    second = run(DATA, "--only-shapes", SHAPES, "--format", fmt, "--engine", "pyshacl")
    assert first.stdout == second.stdout
    assert "_:" not in first.stdout
    if fmt == "text":
        assert "shape:     <http://example.org/ThingShape>/<http://example.org/name>" in (
            first.stdout
        )


def test_json_order_is_the_same_every_run() -> None:
    def order() -> list[tuple[object, ...]]:
        results = json.loads(run(DATA, "--only-shapes", SHAPES, "--format", "json").stdout)
        return [(r["id"], r["file"], r["line"]) for r in results["results"]]

    assert order() == order()


def test_results_below_fail_on_pass_and_conform_does_not_say_so() -> None:
    done = run(DATA, "--only-shapes", str(PLACES / "types.shapes.ttl"))
    assert done.returncode == 0, done.stderr
    summary = done.stdout.splitlines()[-1]
    assert summary.startswith("Passes at --fail-on violation: 0 violations, 4 warnings, ")
    doc = json.loads(
        run(DATA, "--only-shapes", str(PLACES / "types.shapes.ttl"), "--format", "json").stdout
    )
    assert (doc["conforms"], doc["passes"]) == (False, True)
    markdown = run(DATA, "--only-shapes", str(PLACES / "types.shapes.ttl"), "--format", "markdown")
    assert markdown.stdout.startswith("## jaif-kg validate: ✅ passes at --fail-on violation\n")
    failing = run(DATA, "--only-shapes", str(PLACES / "types.shapes.ttl"), "--fail-on", "warning")
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[-1].startswith("Does not conform: 0 violations, 4 warn")


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_a_bad_severity_names_its_shape(engine: str) -> None:
    done = run(DATA, "--only-shapes", str(PLACES / "bad-severity.shapes.ttl"), "--engine", engine)
    assert done.returncode == 2
    assert (
        "shape <http://example.org/ThingShape>/<http://example.org/name>: sh:severity must be "
        'an IRI, not "high"' in done.stderr
    )


def test_only_shapes_leaves_the_project_ontology_out() -> None:
    """A user's shapes that target every typed subject see the user's data alone; with
    --with-ontology, the project's ontology is validated too."""
    types = str(PLACES / "types.shapes.ttl")
    alone = json.loads(run(DATA, "--only-shapes", types, "--format", "json").stdout)
    assert alone["counts"]["Warning"] == 4
    assert alone["triples"] == 7  # data.ttl alone
    merged = json.loads(
        run(DATA, "--only-shapes", types, "--with-ontology", "--format", "json").stdout
    )
    assert merged["counts"]["Warning"] > 4
    assert merged["triples"] > alone["triples"]
