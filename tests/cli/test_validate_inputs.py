"""``jaif-kg validate`` reads what a user has: files of every RDF syntax, folders, standard input,
relative IRIs, JSON-LD with a context given by URL; it refuses what it cannot read with every
error, file and line; without a path it reads ``./graph_data`` of the current directory.

Run as a real subprocess, as users run it. The files are in ``tests/fixtures/inputs/``:
``read/`` holds what must be read (with files a folder search must skip), ``refused/`` what must
be refused; the tables below say what each gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from jaif_kg.publish.dumps import context_url, jsonld_context, to_jsonld
from jaif_kg.rdf.files import parse_file, project_context, project_contexts
from jaif_kg.settings import Settings

REPO = Path(__file__).resolve().parents[2]
INPUTS = REPO / "tests" / "fixtures" / "inputs"
READ = INPUTS / "read"
REFUSED = INPUTS / "refused"
ONTOLOGY_TRIPLES = len(parse_file(REPO / "ontology" / "jaif.ttl").quads)

#: file under read/ -> (syntax it is read as, triples)
READABLE: dict[str, tuple[str, int]] = {
    "relative.ttl": ("turtle", 3),
    "turtle-compatible.n3": ("turtle", 6),
    "ontology.owl": ("rdfxml", 1),
    "project-context.jsonld": ("jsonld", 1),
    "dataset.trig": ("trig", 1),
    "quads.nq": ("nquads", 1),
    "nested/deeper/deep.nt": ("ntriples", 1),
}

#: file under refused/ -> (line of each error, in order; phrase of the first)
REFUSALS: dict[str, tuple[list[int | None], str]] = {
    "formula.n3": ([3], "N3 that is not Turtle starts here"),
    "variable.n3": ([3], "N3 that is not Turtle starts here"),
    "remote-context.jsonld": (
        [None],
        "the JSON-LD @context <https://example.org/elsewhere.jsonld> is not read from the "
        "network: give a local copy with --context https://example.org/elsewhere.jsonld=FILE",
    ),
    "two-errors.ttl": ([3, 5], "syntax error"),
    "relative.nt": ([1], "No scheme found in an absolute IRI"),  # N-Triples has no base
    "broken.jsonld": ([3], "syntax error"),
    "data.json": ([None], "not read as RDF by its suffix alone: name its syntax"),
    "data.txt": ([None], "the suffix .txt names no RDF syntax"),
}


def jaif_kg(
    *args: str | Path, cwd: Path = REPO, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**environment, **(env or {})},
    )


def as_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 2, done.stdout
    return [line for line in done.stderr.splitlines() if ": error: " in line]


# -- what is read ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(READABLE))
def test_each_syntax_is_read_by_its_suffix(name: str) -> None:
    syntax, triples = READABLE[name]
    parsed = parse_file(READ / name)
    assert parsed.fmt is not None and parsed.fmt.name == syntax
    assert len(parsed.quads) == triples
    report = as_json(jaif_kg("validate", READ / name, "--format", "json"))
    assert report["triples"] == ONTOLOGY_TRIPLES + triples


def test_a_folder_is_every_rdf_file_under_it_and_nothing_else() -> None:
    """Hidden files and folders, notes.txt and package.json are skipped: if any were read the
    run would fail (each is not RDF)."""
    report = as_json(jaif_kg("validate", READ, "--format", "json"))
    assert report["triples"] == ONTOLOGY_TRIPLES + sum(t for _, t in READABLE.values())


def test_relative_iris_are_resolved_against_the_files_url() -> None:
    here = (READ / "relative.ttl").resolve().as_uri()
    objects = {q.object.value for q in parse_file(READ / "relative.ttl").quads}
    subjects = {q.subject.value for q in parse_file(READ / "relative.ttl").quads}
    assert subjects == {here}
    assert {here + "#it", here.rsplit("/", 1)[0] + "/other.ttl"} <= objects


def test_standard_input_needs_its_syntax_and_takes_a_base() -> None:
    text = '<thing> <http://purl.org/dc/terms/title> "from stdin" .\n'
    refused = error_lines(jaif_kg("validate", "-", stdin=text))
    assert refused == [
        "jaif-kg validate: error: <stdin>: standard input (-) has no suffix to tell its syntax: "
        "name it with --input-format"
    ]
    report = as_json(
        jaif_kg("validate", "-", "--input-format", "turtle", "--format", "json", stdin=text)
    )
    assert report["triples"] == ONTOLOGY_TRIPLES + 1
    moved = jaif_kg(
        "validate",
        "-",
        "--input-format",
        "turtle",
        "--stdin-base",
        "not a base",
        stdin=text,
    )
    assert error_lines(moved) == [  # the base is used: a bad one is refused
        "jaif-kg validate: error: <stdin>: the base IRI of standard input, 'not a base', is not "
        "an absolute IRI: Invalid IRI code point ' '"
    ]


def test_input_format_reads_a_named_json_file_as_json_ld(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(
        '{"@id": "http://example.org/s", "http://example.org/p": "v"}', encoding="utf-8"
    )
    assert error_lines(jaif_kg("validate", path))
    report = as_json(jaif_kg("validate", path, "--input-format", "jsonld", "--format", "json"))
    assert report["triples"] == ONTOLOGY_TRIPLES + 1


def test_an_empty_file_is_a_warning(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    done = jaif_kg("validate", empty)
    assert done.returncode == 0, done.stderr
    assert f"jaif-kg validate: warning: {empty}: no triples in it" in done.stderr.splitlines()


# -- JSON-LD contexts -------------------------------------------------------------------------


def test_the_built_in_context_is_the_one_the_dump_publishes() -> None:
    settings = Settings()
    assert json.loads(project_context(settings.base_iri)) == jsonld_context(settings.base_iri)
    assert context_url(settings) in project_contexts(settings.base_iri, settings.public_url)


def test_the_projects_own_json_ld_dump_is_read(tmp_path: Path) -> None:
    graph = Graph().parse(REPO / "graph_data" / "countries.ttl")
    dump = tmp_path / "jaif-kg.jsonld"
    dump.write_bytes(to_jsonld(graph, context_url(Settings())))
    assert b'"@context": "https://w3id.org/jaif-kg/dumps/context.jsonld"' in dump.read_bytes()
    report = as_json(jaif_kg("validate", dump, "--format", "json"))
    assert report["triples"] == ONTOLOGY_TRIPLES + len(graph)


def test_a_remote_context_is_read_from_the_local_copy_given(tmp_path: Path) -> None:
    context = tmp_path / "elsewhere.jsonld"
    context.write_text('{"@context": {"p": "http://example.org/p"}}', encoding="utf-8")
    url = "https://example.org/elsewhere.jsonld"
    document = REFUSED / "remote-context.jsonld"
    report = as_json(
        jaif_kg("validate", document, "--context", f"{url}={context}", "--format", "json")
    )
    assert report["triples"] == ONTOLOGY_TRIPLES + 1
    missing = jaif_kg("validate", document, "--context", f"{url}={tmp_path / 'absent'}")
    assert "no such file (--context" in error_lines(missing)[0]


# -- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_each_refusal_names_the_file_and_line(name: str) -> None:
    lines, phrase = REFUSALS[name]
    errors = error_lines(jaif_kg("validate", REFUSED / name))
    path = REFUSED / name
    expected = [f"{path}:{line}: " if line else f"{path}: " for line in lines]
    assert [
        e.split("error: ", 1)[1][: len(x)] for e, x in zip(errors, expected, strict=False)
    ] == expected
    assert len(errors) == len(lines), errors
    assert phrase in errors[0]


def test_every_error_of_every_file_is_reported_at_once() -> None:
    names = ["two-errors.ttl", "formula.n3", "data.txt"]
    errors = error_lines(jaif_kg("validate", *(REFUSED / n for n in names), READ))
    assert len(errors) == sum(len(REFUSALS[n][0]) for n in names)
    for name in names:
        assert any(str(REFUSED / name) in e for e in errors), name


def test_a_folder_without_rdf_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (errors,) = [error_lines(jaif_kg("validate", tmp_path))]
    assert errors[0].startswith(f"jaif-kg validate: error: {tmp_path}: no RDF file in this folder")


# -- without paths: the current directory's graph_data/ ---------------------------------------


def test_without_paths_the_current_directorys_graph_data_is_read(tmp_path: Path) -> None:
    errors = error_lines(jaif_kg("validate", cwd=tmp_path))
    assert errors == [
        f"jaif-kg validate: error: no graph_data/ folder in the current directory ({tmp_path}): "
        "name the files or folders to validate (jaif-kg validate PATH...)"
    ]
    (tmp_path / "graph_data").mkdir()
    (tmp_path / "graph_data" / "mine.nt").write_text(
        "<https://w3id.org/jaif-kg/id/project/nameless> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/jaif-kg/ontology#Project> .\n",
        encoding="utf-8",
    )
    report = as_json(jaif_kg("validate", "--format", "json", cwd=tmp_path))
    assert report["triples"] == ONTOLOGY_TRIPLES + 1
    assert not report["conforms"]
    setting = jaif_kg("validate", cwd=tmp_path, env={"JAIF_DATA_DIR": str(tmp_path / "absent")})
    assert error_lines(setting) == [
        f"jaif-kg validate: error: {tmp_path / 'absent'}: no such folder (JAIF_DATA_DIR)"
    ]


def test_from_the_repository_root_the_repositorys_graph_data_is_read() -> None:
    from jaif_kg.rdf.graph import shipped_paths

    shipped = sum(len(parse_file(p).quads) for p in shipped_paths(Settings()))
    report = as_json(jaif_kg("validate", "--format", "json", cwd=REPO))
    assert report["triples"] == shipped


def test_relative_iris_of_standard_input_are_resolved_against_stdin_base(tmp_path: Path) -> None:
    shapes = tmp_path / "named.shapes.ttl"
    shapes.write_text(NAMED_SHAPES, encoding="utf-8")
    text = '<Thing> <http://example.org/name> "a thing without a comment" .\n'
    args = ("validate", "-", "--input-format", "ttl", "--only-shapes", shapes, "--format", "json")
    for base, focus in [
        ("http://example.org/", "http://example.org/Thing"),
        (None, "file:///dev/Thing"),  # the default base, file:///dev/stdin
    ]:
        more = () if base is None else ("--stdin-base", base)
        done = jaif_kg(*args, *more, stdin=text)
        (result,) = as_json(done)["results"]
        assert result["focus_node"]["value"] == focus
        # the line finder reads the pieces against the same base: the line is found
        assert (result["file"], result["line"]) == ("<stdin>", 1), done.stderr
        assert done.stderr == ""


# -- shapes: --shapes adds, --only-shapes replaces -------------------------------------------

EXTRA_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix e: <http://example.org/> .
e:ThingShape a sh:NodeShape ;
    sh:targetNode <http://example.org/Thing> ;
    sh:property e:ThingShape-comment .
e:ThingShape-comment a sh:PropertyShape ;
    sh:path <http://www.w3.org/2000/01/rdf-schema#comment> ;
    sh:minCount 1 ;
    sh:severity sh:Violation ;
    sh:message "a thing needs a comment" .
"""


NAMED_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix e: <http://example.org/> .
e:NamedShape a sh:NodeShape ;
    sh:targetSubjectsOf e:name ;
    sh:property e:NamedShape-comment .
e:NamedShape-comment a sh:PropertyShape ;
    sh:path <http://www.w3.org/2000/01/rdf-schema#comment> ;
    sh:minCount 1 ;
    sh:severity sh:Violation ;
    sh:message "a named thing needs a comment" .
"""


def test_shapes_adds_and_only_shapes_replaces(tmp_path: Path) -> None:
    shapes = tmp_path / "extra.shapes.ttl"
    shapes.write_text(EXTRA_SHAPES, encoding="utf-8")
    data = READ / "ontology.owl"
    project = as_json(jaif_kg("validate", data, "--format", "json"))
    added = as_json(jaif_kg("validate", data, "--shapes", shapes, "--format", "json"))
    only = as_json(jaif_kg("validate", data, "--only-shapes", shapes, "--format", "json"))
    assert project["conforms"] and not added["conforms"] and not only["conforms"]
    assert added["shapes"] == project["shapes"] + 2
    assert only["shapes"] == 2


# -- the settings are documented --------------------------------------------------------------


def test_the_settings_table_of_the_docs_is_the_settings() -> None:
    from jaif_kg.settings import settings_table

    text = (REPO / "docs" / "VALIDATION.md").read_text(encoding="utf-8")
    table = text.split("<!-- settings table:", 1)[1].split("<!-- end of settings table -->")[0]
    documented = [line.split("|")[1].strip().strip("`") for line in table.splitlines()[3:]]
    assert documented == [name for name, _, _ in settings_table()]


def test_help_lists_every_setting_with_its_description() -> None:
    from jaif_kg.settings import settings_table

    done = jaif_kg("--help")
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    for name, _, description in settings_table():
        assert f" {name} {' '.join(description.split())}" in flat, name


def symlink_loop(folder: Path) -> None:
    """``loop1.ttl -> loop2.ttl -> loop1.ttl``, and ``d/x.ttl -> ../loop1.ttl``."""
    (folder / "loop2.ttl").symlink_to("loop1.ttl")
    (folder / "loop1.ttl").symlink_to("loop2.ttl")
    (folder / "d").mkdir()
    (folder / "d" / "x.ttl").symlink_to("../loop1.ttl")


#: arguments -> the file the one error names
LOOPS: list[tuple[list[str], str]] = [
    (["loop1.ttl"], "loop1.ttl"),
    (["d"], "d/x.ttl"),
    (["--only-shapes", "loop1.ttl", str(READ / "relative.ttl")], "loop1.ttl"),
    (["--shapes", "loop1.ttl", str(READ / "relative.ttl")], "loop1.ttl"),
]


@pytest.mark.parametrize(("args", "named"), LOOPS)
def test_a_symlink_loop_is_an_input_error(tmp_path: Path, args: list[str], named: str) -> None:
    symlink_loop(tmp_path)
    done = jaif_kg("validate", *args, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        f"jaif-kg validate: error: {named}: symlink loop\n",
    )
    done = jaif_kg("validate", "--format", "json", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["errors"] == [
        {"file": named, "line": None, "message": "symlink loop"}
    ]


ILL_TYPED = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/Thing> <http://example.org/name> "yes"^^xsd:boolean, "1,5"^^xsd:decimal,
    "1d"^^xsd:double, "abc"^^xsd:integer .
"""
#: every value of the data above is a result, so each format writes it
STRINGS_ONLY = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/S> a sh:NodeShape ; sh:targetSubjectsOf <http://example.org/name> ;
    sh:property <http://example.org/S-name> .
<http://example.org/S-name> sh:path <http://example.org/name> ; sh:datatype xsd:string .
"""


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
@pytest.mark.parametrize("fmt", ["text", "turtle", "json"])
def test_ill_typed_literals_print_no_python_warning(tmp_path: Path, engine: str, fmt: str) -> None:
    """rdflib warns (``UserWarning: Parsing weird boolean``...) when it reads or writes such
    literals; the run prints only its own output."""
    data, shapes = tmp_path / "ill.ttl", tmp_path / "named.shapes.ttl"
    data.write_text(ILL_TYPED, encoding="utf-8")
    shapes.write_text(STRINGS_ONLY, encoding="utf-8")
    done = jaif_kg("validate", data, "--only-shapes", shapes, "--engine", engine, "--format", fmt)
    assert "1,5" in done.stdout
    assert (done.returncode, done.stderr) == (1, "")
