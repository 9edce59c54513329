"""jaif_kg.rdf.diff: the difference of two graphs per resource, blank nodes compared after
RDFC-1.0, and versions read from files, folders and git revisions.

Each case of ``tests/fixtures/diff/<case>/`` holds an old and a new version (two files, or two
folders) and ``expected.txt``, the text ``jaif-kg diff`` prints; "No difference" there means
the versions must compare equal.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.cli.diff import render_text
from jaif_kg.errors import InputError
from jaif_kg.rdf.diff import diff_graphs, files_at_revision, read_path, read_version

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "diff"
EX = "http://example.org/"


def versions(case: Path) -> tuple[Path, Path]:
    """The old and new version of a case: two folders, or two files."""
    if (case / "old").is_dir():
        return case / "old", case / "new"
    return case / "old.ttl", case / "new.ttl"


@pytest.mark.parametrize("case", sorted(CASES.iterdir()), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    old, new = versions(case)
    diff = diff_graphs(read_path(old), read_path(new))
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert render_text(diff) == expected
    assert diff.same == expected.startswith("No difference")


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def test_blank_nodes_belong_to_the_smallest_iri_through_chains_and_cycles() -> None:
    a, b, c = ox.BlankNode("a"), ox.BlankNode("b"), ox.BlankNode("c")
    old = [
        ox.Triple(n("z"), n("p"), a),
        ox.Triple(a, n("p"), b),
        ox.Triple(b, n("p"), c),
        ox.Triple(c, n("p"), a),  # a cycle back to the first blank node
        ox.Triple(n("m"), n("p"), b),  # m < z: b and c, then a through the cycle, belong to m
        ox.Triple(a, n("q"), ox.Literal("old")),
    ]
    new = [*old[:-1], ox.Triple(a, n("q"), ox.Literal("new"))]
    diff = diff_graphs(old, new)
    assert [r.resource for r in diff.resources] == [EX + "m"]
    assert diff.touched() == {EX + "m"}


def test_touched_names_subjects_owners_and_iri_objects() -> None:
    old = [ox.Triple(n("a"), n("p"), n("b")), ox.Triple(n("c"), n("p"), ox.BlankNode("x"))]
    new = [ox.Triple(n("a"), n("p"), n("d")), ox.Triple(ox.BlankNode("x"), n("q"), n("e"))]
    touched = diff_graphs(old, new).touched()
    # a (subject), b and d (objects), c (owned a blank node it lost); e hangs from a blank node
    # no IRI reaches, but it is an object of an added statement
    assert touched == {EX + x for x in "abcde"}


def test_labels_prefer_skos_then_english_and_fall_back_to_the_old_version() -> None:
    label, pref = (
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    )
    old = [
        ox.Triple(n("a"), label, ox.Literal("label")),
        ox.Triple(n("a"), pref, ox.Literal("préféré", language="fr")),
        ox.Triple(n("a"), pref, ox.Literal("preferred", language="en")),
        ox.Triple(n("gone"), label, ox.Literal("Gone")),
    ]
    new = [*old[:3], ox.Triple(n("a"), n("p"), n("b"))]
    diff = diff_graphs(old, new)
    assert {r.resource: r.label for r in diff.resources} == {
        EX + "a": "preferred",
        EX + "gone": "Gone",
    }


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose data/ has two files at HEAD~1; at HEAD one changed, one deleted,
    one broken file added; the work tree changes the first again."""
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "test@example.org")
    git(tmp_path, "config", "user.name", "Test")
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.nt").write_text(f'<{EX}a> <{EX}p> "1" .\n')
    (data / "b.nt").write_text(f'<{EX}b> <{EX}p> "2" .\n')
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    (data / "a.nt").write_text(f'<{EX}a> <{EX}p> "10" .\n')
    (data / "b.nt").unlink()
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "second")
    (data / "a.nt").write_text(f'<{EX}a> <{EX}p> "100" .\n')
    return tmp_path


def objects(triples: list[ox.Triple]) -> set[str]:
    return {str(t.object) for t in triples}


def test_read_version_reads_folders_files_and_revisions(repo: Path) -> None:
    assert objects(read_version("data", cwd=repo)) == {'"100"'}
    assert objects(read_version("HEAD~1:data", cwd=repo)) == {'"1"', '"2"'}
    assert objects(read_version("HEAD:data/a.nt", cwd=repo)) == {'"10"'}
    assert objects(read_version("HEAD~1", other="data", cwd=repo)) == {'"1"', '"2"'}
    assert objects(read_version("HEAD:./data/a.nt", cwd=repo)) == {'"10"'}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nothing", "nothing: no such file, folder or git revision"),
        ("HEAD~1", "HEAD~1: no such file, folder or git revision"),  # no other side's path
        ("nope:data", "nope:data: no such git revision 'nope'"),
        ("HEAD~1:other", "HEAD~1:other: revision HEAD~1 has no such file or folder"),
        ("HEAD:broken.ttl", "HEAD:broken.ttl:1: syntax error"),
    ],
)
def test_read_version_refuses_with_the_name_typed(repo: Path, spec: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_version(spec, cwd=repo)
    assert str(caught.value).startswith(message)


def test_files_at_revision_counts_deleted_files_and_new_paths_as_empty(repo: Path) -> None:
    paths = [repo / "data" / "a.nt", repo / "data" / "new.nt"]
    assert objects(files_at_revision("HEAD~1", paths, cwd=repo)) == {'"1"', '"2"'}
    assert objects(files_at_revision("HEAD", paths, cwd=repo)) == {'"10"'}
    with pytest.raises(InputError, match="no such git revision"):
        files_at_revision("nope", paths, cwd=repo)
