"""``jaif-kg validate --format``: every format names file:line, and a machine format still
prints a document on exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORLD = REPO / "tests" / "fixtures" / "cli"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"JAIF_ONTOLOGY_DIR": str(WORLD / "ontology"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "validate", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("fmt", "place"),
    [
        ("text", "at:        tests/fixtures/cli/nameless.ttl:4"),
        ("github", "file=tests/fixtures/cli/nameless.ttl,line=4,"),
        ("markdown", "tests/fixtures/cli/nameless.ttl:4"),
        ("junit", 'file="tests/fixtures/cli/nameless.ttl" line="4"'),
        ("sarif", '"startLine": 4'),
        ("json", '"line": 4'),
    ],
)
def test_each_format_names_the_place(fmt: str, place: str) -> None:
    done = run("tests/fixtures/cli/nameless.ttl", "--format", fmt)
    assert done.returncode == 1, done.stderr
    assert place in done.stdout


def test_json_on_exit_2_is_still_a_document() -> None:
    done = run(str(WORLD / "malformed.ttl"), "--format", "json")
    assert done.returncode == 2
    doc = json.loads(done.stdout)
    assert doc["conforms"] is None
    assert doc["error"]["errors"][0]["line"] == 4
    assert "malformed.ttl:4: syntax error" in done.stderr
    assert run(str(WORLD / "malformed.ttl")).stdout == ""  # text: stderr only


#: format -> what it prints on exit 2 for two files with an error each (None: nothing)
ON_EXIT_2 = {
    "github": "::error file=tests/fixtures/cli/malformed.ttl,line=4,title=jaif-kg validate::",
    "markdown": "- `tests/fixtures/cli/malformed.ttl:4`: syntax error",
    "json": '"line": 4',
    "junit": 'line="4"',
    "sarif": '"startLine": 4',
    "text": None,
    "turtle": None,
}


@pytest.mark.parametrize("fmt", sorted(ON_EXIT_2))
def test_each_format_on_exit_2_shows_every_input_error(fmt: str, tmp_path: Path) -> None:
    """CI shows syntax errors: github annotates each, markdown lists each."""
    other = tmp_path / "other.nt"
    other.write_text("<a> <b> .\n")
    done = run("tests/fixtures/cli/malformed.ttl", str(other), "--format", fmt)
    assert done.returncode == 2
    expected = ON_EXIT_2[fmt]
    if expected is None:
        assert done.stdout == ""
        return
    assert expected in done.stdout
    assert "other.nt" in done.stdout
    if fmt == "github":
        assert len(done.stdout.splitlines()) == 2
        assert all(line.startswith("::error file=") for line in done.stdout.splitlines())


CUSTOM = WORLD / "custom-severity"


@pytest.mark.parametrize("fmt", ["text", "turtle", "json", "junit", "sarif", "github", "markdown"])
@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_a_custom_severity_fails_the_run_in_every_format(fmt: str, engine: str) -> None:
    """SHACL allows any IRI as a severity: it ranks with Violation, and every format writes it."""
    done = run(
        str(CUSTOM / "data.ttl"),
        "--only-shapes",
        str(CUSTOM / "shapes.ttl"),
        "--engine",
        engine,
        "--format",
        fmt,
        "--fail-on",
        "info",
    )
    assert done.returncode == 1, done.stderr
    assert "Critical" in done.stdout or fmt in ("github", "sarif", "junit")
    assert "A P needs a name." in done.stdout
