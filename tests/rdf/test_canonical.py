"""jaif_kg.rdf.canonical: byte-stable Turtle that reads back as the same graph."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from jaif_kg.errors import InputError
from jaif_kg.rdf.canonical import (
    canonical_turtle,
    canonical_turtle_of,
    default_fmt_paths,
    format_files,
)
from jaif_kg.rdf.files import parse_file
from jaif_kg.settings import Settings

HEAD = (
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
)

# Each case is Turtle that a naive writer gets wrong in some way.
CASES = {
    "literals": HEAD
    + 'ex:a ex:p "01"^^xsd:integer, 1, 1.50, 1.0e3, 1E3, true, "1"^^xsd:boolean, -0, +5,'
    ' "3.0"^^xsd:double, "NaN"^^xsd:double, "abc"^^xsd:integer, "2022-06-30"^^xsd:date,'
    ' "2022"^^xsd:gYear, "x"@en-GB, "x"@en, "x" .\n',
    "strings": HEAD
    + r'ex:a ex:p "tab\tnew\nline \"q\" end\\\"", "x\n\"\"\"y", "\"\"\n", "a\\", "\r\n",'
    r' "ends with newline\n", "\\\n\"" .' + "\n",
    "blank nodes": HEAD
    + "ex:a ex:b [ ex:c [ ex:d 1 ] ], [ ex:c 2 ], [ ex:c 1 ] .\n"
    + "_:s ex:p 1 . ex:x ex:k _:s . ex:y ex:k _:s .\n[] ex:anon 1 .\n"
    + "_:loop ex:next _:loop2 . _:loop2 ex:next _:loop .\n",
    "lists": HEAD + 'ex:a ex:list (1 [ ex:q 2 ] "z" ()) ; sh:in ( ex:x ex:y ) .\n',
    "multi-line sparql": HEAD
    + 'ex:s sh:sparql [ sh:select """SELECT $this WHERE {\n  $this ex:p "x" .\n}""" ] .\n',
    "iris": HEAD
    + "<http://example.org/a.> ex:p <http://other.org/x#y>, <urn:x:1>, ex:b-c, ex:d_e .\n"
    + "<https://w3id.org/jaif-kg/id/country/KHM> a ex:Country .\n",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rdflib_graph(text: str) -> Graph:
    """Parse with rdflib, language tags in lower case: RDF 1.1 Concepts (section 3.3) makes them
    case-insensitive, and pyoxigraph (hence the canonical form) writes them in lower case."""
    graph = Graph()
    for s, p, o in Graph().parse(data=text, format="turtle"):
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_the_same_graph(tmp_path: Path, name: str) -> None:
    text = CASES[name]
    out = canonical_turtle(write(tmp_path / "in.ttl", text))
    # checked with rdflib's parser and isomorphism test (the module checks with pyoxigraph's)
    assert isomorphic(rdflib_graph(text), rdflib_graph(out))


@pytest.mark.parametrize("name", sorted(CASES))
def test_formatting_twice_gives_the_same_bytes(tmp_path: Path, name: str) -> None:
    once = canonical_turtle(write(tmp_path / "in.ttl", CASES[name]))
    twice = canonical_turtle(write(tmp_path / "out.ttl", once))
    assert once == twice
    assert once.endswith(".\n") and not once.endswith("\n\n")
    assert all(line == line.rstrip() for line in once.splitlines() if '"' not in line)


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_does_not_depend_on_triple_order(tmp_path: Path, name: str) -> None:
    parsed = parse_file(write(tmp_path / "in.ttl", CASES[name]))
    outputs = set()
    for seed in range(5):
        triples = list(parsed.triples)
        random.Random(seed).shuffle(triples)
        outputs.add(canonical_turtle_of(triples, parsed.prefixes))
    assert len(outputs) == 1


def test_lexical_forms_are_kept(tmp_path: Path) -> None:
    out = canonical_turtle(write(tmp_path / "in.ttl", CASES["literals"]))
    for written in ('"1"^^xsd:boolean', "01", "1.50", "1.0e3", '"3.0"^^xsd:double', "+5", "-0"):
        assert f"        {written} ,\n" in out or f"        {written} ;\n" in out, written


def test_prefixes_used_are_written_unused_dropped(tmp_path: Path) -> None:
    text = "@prefix unused: <http://unused.org/> .\n" + CASES["iris"]
    out = canonical_turtle(write(tmp_path / "in.ttl", text))
    assert "PREFIX ex: <http://example.org/>" in out
    assert "unused" not in out
    assert "PREFIX sh:" not in out  # declared but not used here


def test_blank_nodes_are_ordered_by_content(tmp_path: Path) -> None:
    out = canonical_turtle(write(tmp_path / "in.ttl", CASES["blank nodes"]))
    assert out.index("ex:c 1 ;") < out.index("ex:c 2 ;")


def test_malformed_input_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.ttl", HEAD + "ex:a ex:p ex:b ;\n  nope:x 1 .\n")
    with pytest.raises(InputError) as info:
        canonical_turtle(path)
    assert (info.value.path, info.value.line) == (str(path), 5)


def test_format_files_check_rewrite_and_all_or_nothing(tmp_path: Path) -> None:
    messy = write(tmp_path / "messy.ttl", CASES["blank nodes"])
    clean = write(tmp_path / "clean.ttl", canonical_turtle(messy))
    assert format_files([clean, messy], check=True) == [messy]
    assert messy.read_text() == CASES["blank nodes"]  # --check writes nothing

    bad = write(tmp_path / "bad.ttl", "<a> <b> .")
    with pytest.raises(InputError):
        format_files([messy, bad], check=False)
    assert messy.read_text() == CASES["blank nodes"]  # nothing written when one file fails

    assert format_files([clean, messy], check=False) == [messy]
    assert messy.read_bytes() == clean.read_bytes()
    assert format_files([clean, messy], check=True) == []


def test_only_turtle_is_formatted(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.ttl"):
        format_files([write(tmp_path / "x.nt", "")], check=True)


def test_shipped_turtle_is_canonical(settings: Settings) -> None:
    """graph_data/, the ontology and the shapes are committed in canonical form (jaif-kg fmt)."""
    paths = default_fmt_paths(settings)
    assert any(p.parent == settings.data_dir for p in paths)
    not_canonical = format_files(paths, check=True)
    assert not not_canonical, f"run `jaif-kg fmt`: {[str(p) for p in not_canonical]}"
