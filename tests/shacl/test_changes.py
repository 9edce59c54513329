"""jaif_kg.shacl.changes and ``jaif-kg validate --changed-since/--baseline``: only the results a
change is responsible for, in a real git repository, through the real command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import SH

from jaif_kg.errors import InputError
from jaif_kg.shacl.changes import keep_new, keep_touched, read_baseline
from jaif_kg.shacl.render import result_id
from jaif_kg.shacl.report import ValidationReport, ValidationResult

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "cli"
NAMELESS = "PREFIX ex: <http://example.org/>\n{} a ex:Thing .\n"


def result(focus: URIRef | BNode, value: URIRef | None = None) -> ValidationResult:
    return ValidationResult(
        focus, None, value, "m", URIRef("urn:shape"), "Violation", SH.MinCountConstraintComponent
    )


@pytest.mark.parametrize(
    ("focus", "value", "kept"),
    [
        (URIRef("urn:touched"), None, True),
        (URIRef("urn:other"), URIRef("urn:touched"), True),  # a link to a changed resource
        (URIRef("urn:other"), None, False),
        (BNode(), None, True),  # no telling which resource owns it: never hidden
    ],
)
def test_keep_touched(focus: URIRef | BNode, value: URIRef | None, kept: bool) -> None:
    report, left_out = keep_touched(ValidationReport([result(focus, value)]), {"urn:touched"})
    assert (len(report.results), left_out) == ((1, 0) if kept else (0, 1))


def test_keep_new_matches_on_result_ids() -> None:
    old = result(URIRef("urn:a"))
    baseline = {result_id(old)}
    fresh = result(URIRef("urn:b"))
    report, left_out = keep_new(ValidationReport([old, fresh]), baseline)
    assert report.results == [fresh]
    assert left_out == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "report.json:1: not JSON"),
        ('{"results": 3}', "report.json: not a report of `jaif-kg validate --format json`"),
        ("[]", "report.json: not a report of `jaif-kg validate --format json`"),
        ('{"results": [{"focus_node": "x"}]}', "report.json: not a report of"),
        (None, "report.json: no such file"),
    ],
)
def test_read_baseline_refuses(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "report.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_baseline(path)
    assert str(caught.value).replace(str(tmp_path) + "/", "").startswith(message)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The CLI test world in a git repository, committed with one violation (ex:old has no
    name) and one resource that is fine (ex:a)."""
    shutil.copytree(WORLD / "ontology", tmp_path / "ontology")
    shutil.copytree(WORLD / "graph_data", tmp_path / "graph_data")
    (tmp_path / "graph_data" / "old.ttl").write_text(NAMELESS.format("ex:old"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "test@example.org")
    git(tmp_path, "config", "user.name", "Test")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "data")
    return tmp_path


def validate(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    env["JAIF_ONTOLOGY_DIR"] = str(repo / "ontology")
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "validate", *args],
        capture_output=True,
        text=True,
        cwd=repo,
        env=env,
        check=False,
    )


def focus_nodes(stdout: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in stdout.splitlines() if line.startswith("Violation")]


def test_changed_since_reports_only_touched_resources(repo: Path) -> None:
    done = validate(repo, "--changed-since", "HEAD")
    assert (done.returncode, focus_nodes(done.stdout)) == (0, []), done.stderr
    assert "1 result(s) left out: about resources unchanged since HEAD." in done.stdout

    (repo / "graph_data" / "new.ttl").write_text(NAMELESS.format("ex:new"))
    done = validate(repo, "--changed-since", "HEAD")
    assert (done.returncode, focus_nodes(done.stdout)) == (1, ["<http://example.org/new>"])

    # a removed statement touches its subject: ex:a loses its name
    things = repo / "graph_data" / "things.ttl"
    things.write_text(things.read_text().replace('ex:name "Alpha" ;', ""))
    done = validate(repo, "--changed-since", "HEAD")
    assert focus_nodes(done.stdout) == ["<http://example.org/a>", "<http://example.org/new>"]


def test_changed_since_counts_a_deleted_file(repo: Path) -> None:
    git(repo, "rm", "-q", "graph_data/old.ttl")
    git(repo, "commit", "-q", "-m", "delete")
    (repo / "graph_data" / "old.ttl").write_text(NAMELESS.format("ex:old"))
    # HEAD~1 had the file, HEAD did not: since HEAD, ex:old is new again
    assert focus_nodes(validate(repo, "--changed-since", "HEAD").stdout) == [
        "<http://example.org/old>"
    ]
    assert focus_nodes(validate(repo, "--changed-since", "HEAD~1").stdout) == []


def test_changed_since_an_unknown_revision_is_unusable_input(repo: Path) -> None:
    done = validate(repo, "--changed-since", "no-such-branch")
    assert done.returncode == 2
    assert done.stderr == "jaif-kg validate: error: no such git revision 'no-such-branch'\n"


def test_baseline_reports_only_new_results(repo: Path) -> None:
    baseline = repo / "baseline.json"
    baseline.write_text(validate(repo, "--format", "json").stdout)
    done = validate(repo, "--baseline", str(baseline))
    assert (done.returncode, focus_nodes(done.stdout)) == (0, [])
    assert f"1 result(s) left out: already in the baseline {baseline}." in done.stdout
    (repo / "graph_data" / "new.ttl").write_text(NAMELESS.format("ex:new"))
    done = validate(repo, "--baseline", str(baseline), "--format", "json")
    assert done.returncode == 1
    results = json.loads(done.stdout)["results"]
    assert [r["focus_node"]["value"] for r in results] == ["http://example.org/new"]
    assert "1 result(s) left out" in done.stderr


def test_changed_since_outside_a_git_repository_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jaif_kg.rdf.files import parse_file
    from jaif_kg.shacl.changes import touched_since

    data = tmp_path / "a.ttl"
    data.write_text("<http://e/a> <http://e/b> <http://e/c> .\n", encoding="utf-8")
    # git must not find a repository above tmp_path
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    with pytest.raises(InputError, match="not a git repository"):
        touched_since("HEAD", [parse_file(data)], cwd=tmp_path)
