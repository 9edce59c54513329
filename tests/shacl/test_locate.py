"""jaif_kg.shacl.locate: each result gets the file and line of the triple that shows it."""

from __future__ import annotations

from pathlib import Path

from jaif_kg.rdf.files import parse_file
from jaif_kg.shacl import validate
from jaif_kg.shacl.locate import locate

SELFTEST = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "_selftest"
SHAPES = [SELFTEST / "selftest.shapes.ttl"]
ONTOLOGY = [SELFTEST / "ontology.ttl"]

# The same thing described by two files: a result about its value points at the file and line
# of the value; one about a missing property points at the first file that describes it.
FIRST = """@prefix ex: <http://example.org/> .

ex:noisy a ex:Gadget ;
    ex:name "Noisy" .
ex:nameless a ex:Thing .
"""
SECOND = """@prefix ex: <http://example.org/> .
ex:noisy
    ex:note "a" ,
        "b" ;
    ex:code "C" .
ex:nameless ex:code "C" .
"""


def test_results_point_at_the_triple_that_shows_them(tmp_path: Path) -> None:
    first, second = tmp_path / "first.ttl", tmp_path / "second.ttl"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    files = [parse_file(first), parse_file(second)]
    for engine in ("pyshacl", "fast"):
        report = locate(validate([first, second], SHAPES, ONTOLOGY, engine=engine), files)
        places = {
            (
                str(r.focus_node).rsplit("/", 1)[-1],
                str(r.result_path).rsplit("/", 1)[-1],
                str(r.value) if r.value is not None else None,
            ): (Path(r.file or "").name, r.line)
            for r in report.results
        }
        assert places[("nameless", "name", None)] == ("first.ttl", 5), engine
        # the code "C" is shared: each result about it points at its own holder's triple
        codes = {k: v for k, v in places.items() if k[1] == "code"}
        assert set(codes.values()) <= {("second.ttl", 5), ("second.ttl", 6)}, engine
        notes = {k: v for k, v in places.items() if k[1] == "note"}
        # too many notes: no one value is at fault, so the focus node's first triple
        assert set(notes.values()) == {("first.ttl", 3)}, engine


def test_order_and_results_are_kept(tmp_path: Path) -> None:
    first = tmp_path / "first.ttl"
    first.write_text(FIRST + SECOND.split("\n", 1)[1], encoding="utf-8")
    report = validate([first], SHAPES, ONTOLOGY, engine="pyshacl")
    located = locate(report, [parse_file(first)])
    assert located.results == report.results
    assert all(r.file == str(first) and r.line is not None for r in located.results)


def test_no_files_no_places(tmp_path: Path) -> None:
    first = tmp_path / "first.ttl"
    first.write_text(FIRST, encoding="utf-8")
    report = locate(validate([first], SHAPES, ONTOLOGY, engine="pyshacl"), [])
    assert report.results and all(r.file is None and r.line is None for r in report.results)


NESTED = Path(__file__).resolve().parents[1] / "fixtures" / "places" / "nested.ttl"
BAD_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:NoBad a sh:NodeShape ; sh:targetSubjectsOf ex:bad ;
    sh:property [ sh:path ex:bad ; sh:maxCount 0 ] .
"""


def test_a_blank_node_inside_brackets_is_on_the_line_of_its_own_triple(tmp_path: Path) -> None:
    """``[ ex:bad "x" ]`` nested two deep, and a list item ``[ ex:bad "y" ]``: each result is on
    the line of its ``ex:bad`` triple (``tests/fixtures/places/nested.ttl``), not of the
    statement that holds it."""
    shapes = tmp_path / "s.ttl"
    shapes.write_text(BAD_SHAPES, encoding="utf-8")
    files = [parse_file(NESTED)]
    for engine in ("pyshacl", "fast"):
        report = locate(validate(files, [shapes], [], engine=engine), files)
        assert sorted(r.line for r in report.results) == [6, 10], engine


PLACES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs" / "places"


def test_a_result_without_a_place_says_why(tmp_path: Path) -> None:
    """A literal focus node and a sh:targetNode that no file holds have no place, and say why;
    a file without lines (RDF/XML) gives the file and why there is no line."""
    from rdflib import Graph

    data = tmp_path / "data.rdf"
    Graph().parse(PLACES / "data.ttl").serialize(data, format="xml")
    parsed = parse_file(data)
    report = validate([parsed], [PLACES / "shapes.ttl"], engine="pyshacl")
    notes = {(str(r.focus_node), r.file, r.place_note) for r in locate(report, [parsed]).results}
    assert ("two\nlines", None, "a literal is not in any file") in notes
    assert ("http://example.org/nowhere", None, "not in any data file") in notes
    assert ("http://example.org/a", str(data), "RDF/XML gives no line per triple") in notes
    assert all(note is not None for _, _, note in notes)
