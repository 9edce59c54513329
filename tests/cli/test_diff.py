"""``jaif-kg diff``, run as a real subprocess: exit codes (0 same, 1 different, 2 unusable),
the three formats, and versions named by git revision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "diff"


def jaif_kg(*args: str, cwd: Path = CASES) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "diff", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("same-reordered/old.ttl", "same-reordered/new.ttl", 0),
        ("moved-between-files/old", "moved-between-files/new", 0),
        ("value-changed/old.ttl", "value-changed/new.ttl", 1),
        ("value-changed/old.ttl", "no-such.ttl", 2),
    ],
)
def test_exit_code(old: str, new: str, code: int) -> None:
    done = jaif_kg(old, new)
    assert done.returncode == code, done.stderr
    if code == 2:
        assert (
            done.stderr
            == "jaif-kg diff: error: no-such.ttl: no such file, folder or git revision\n"
        )


def test_json_lists_each_statement_in_n_triples_form() -> None:
    done = jaif_kg("added-removed/old.ttl", "added-removed/new.ttl", "--format", "json")
    report = json.loads(done.stdout)
    assert report["same"] is False
    assert report["counts"] == {"added": 2, "removed": 2, "changed": 0, "resources": 3}
    fresh = report["resources"][0]
    assert fresh["resource"] == "http://example.org/fresh"
    assert fresh["label"] == "Fresh"
    assert fresh["added"] == [
        ["<http://example.org/fresh>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"Fresh"']
    ]


def test_markdown_has_a_diff_block_per_resource() -> None:
    done = jaif_kg("value-changed/old.ttl", "value-changed/new.ttl", "--format", "markdown")
    assert done.returncode == 1
    assert "### <http://example.org/a> (Project A)\n\n```diff\n" in done.stdout
    assert '- <http://example.org/budget> "100"^^xsd:integer\n' in done.stdout
    assert '+ <http://example.org/budget> "120"^^xsd:integer\n' in done.stdout


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_a_bare_revision_means_the_other_sides_path_then(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "test@example.org")
    git(tmp_path, "config", "user.name", "Test")
    data = tmp_path / "graph_data"
    data.mkdir()
    turtle = (CASES / "value-changed" / "old.ttl").read_text()
    (data / "a.ttl").write_text(turtle)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    assert jaif_kg("HEAD", "graph_data", cwd=tmp_path).returncode == 0
    (data / "a.ttl").write_text(turtle.replace("100", "120"))
    done = jaif_kg("HEAD", "graph_data", cwd=tmp_path)
    assert done.returncode == 1
    assert '  - <http://example.org/budget> "100"^^xsd:integer\n' in done.stdout
    (data / "a.ttl").write_text(turtle + "<oops")
    git(tmp_path, "commit", "-q", "-a", "-m", "broken")
    done = jaif_kg("HEAD:graph_data", "HEAD~1:graph_data", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("jaif-kg diff: error: HEAD:graph_data/a.ttl:4: syntax error")


def test_every_error_of_both_sides_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad1.ttl").write_text("ex:a ex:b .\n")
    (tmp_path / "bad2.nt").write_text("<a> <b> .\n")
    done = jaif_kg("bad1.ttl", "bad2.nt", cwd=tmp_path)
    assert done.returncode == 2
    assert [line.split(": ")[2] for line in done.stderr.splitlines()] == ["bad1.ttl:1", "bad2.nt:1"]


def test_a_folder_without_rdf_files_is_an_input_error_as_in_validate(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "ok.ttl").write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    done = jaif_kg("ok.ttl", "empty", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("jaif-kg diff: error: empty: no RDF file in this folder")


def test_a_symlink_loop_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "loop2.ttl").symlink_to("loop1.ttl")
    (tmp_path / "loop1.ttl").symlink_to("loop2.ttl")
    (tmp_path / "ok.ttl").write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    done = jaif_kg("loop1.ttl", "ok.ttl", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "jaif-kg diff: error: loop1.ttl: symlink loop\n")


def test_json_ld_contexts_come_from_context_as_in_validate(tmp_path: Path) -> None:
    url = "https://example.org/c.jsonld"
    (tmp_path / "r.jsonld").write_text(json.dumps({"@context": url, "@id": "http://e/s", "p": 1}))
    (tmp_path / "c.jsonld").write_text(json.dumps({"@context": {"p": "http://e/p"}}))
    (tmp_path / "ok.ttl").write_text("<http://e/s> <http://e/p> 1 .\n")
    refused = jaif_kg("r.jsonld", "ok.ttl", cwd=tmp_path)
    assert refused.returncode == 2
    assert f"--context {url}=FILE" in refused.stderr
    done = jaif_kg("r.jsonld", "ok.ttl", "--context", f"{url}=c.jsonld", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
