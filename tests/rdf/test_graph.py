"""jaif_kg.rdf.graph: which files make the graph, reading them, loading a store."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Literal, Namespace, URIRef

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import (
    read_graph,
    shapes_paths,
    shipped_paths,
    to_oxigraph_term,
    to_rdflib_term,
)
from jaif_kg.settings import Settings

EX = "http://example.org/"
# a plain Namespace: rdflib's closed XSD namespace warns when pytest inspects the module
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_paths_are_the_ontology_then_sorted_data(settings: Settings) -> None:
    paths = shipped_paths(settings)
    assert paths[0] == settings.ontology_dir / "jaif.ttl"
    data = paths[1:]
    assert data == sorted(data)
    assert data, "graph_data/ holds no Turtle"
    assert all(p.parent == settings.data_dir and p.suffix == ".ttl" for p in data)
    assert not any(p.name.endswith(".shapes.ttl") for p in paths)


def test_shapes_paths_are_sorted_shapes_files(settings: Settings) -> None:
    paths = shapes_paths(settings)
    assert paths, "ontology/shapes/ holds no *.shapes.ttl"
    assert paths == sorted(paths)
    assert all(p.name.endswith(".shapes.ttl") for p in paths)


def test_paths_follow_the_settings(tmp_path: Path) -> None:
    (tmp_path / "onto" / "shapes").mkdir(parents=True)
    (tmp_path / "data").mkdir()
    for name in ("data/b.ttl", "data/a.ttl", "data/notes.txt", "onto/shapes/x.shapes.ttl"):
        write(tmp_path / name, "")
    s = Settings(ontology_dir=tmp_path / "onto", data_dir=tmp_path / "data")
    assert [p.name for p in shipped_paths(s)] == ["jaif.ttl", "a.ttl", "b.ttl"]
    assert [p.name for p in shapes_paths(s)] == ["x.shapes.ttl"]


def test_read_graph_merges_files_and_keeps_blank_nodes_apart(tmp_path: Path) -> None:
    a = write(tmp_path / "a.ttl", f"@prefix ex: <{EX}> .\nex:a ex:p _:b .\n_:b ex:q 1 .\n")
    b = write(tmp_path / "b.ttl", f"@prefix ex: <{EX}> .\nex:c ex:p _:b .\n_:b ex:q 2 .\n")
    graph = read_graph([a, b, a])  # a file named twice is read once
    assert len(graph) == 4
    blanks = set(graph.objects(None, URIRef(EX + "p")))
    assert len(blanks) == 2 and all(isinstance(x, BNode) for x in blanks)
    # project prefixes and the files' own are bound
    prefixes = dict(graph.namespaces())
    assert str(prefixes["jaif"]) == "https://w3id.org/jaif-kg/ontology#"
    assert str(prefixes["ex"]) == EX


def test_read_graph_keeps_lexical_forms(tmp_path: Path) -> None:
    path = write(
        tmp_path / "l.ttl",
        f'@prefix ex: <{EX}> . @prefix xsd: <{XSD}> .\nex:a ex:p "01"^^xsd:integer, 1.50 .\n',
    )
    values = {str(o) for o in read_graph([path]).objects()}
    assert values == {"01", "1.50"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (f"@prefix ex: <{EX}> .\nex:a ex:b ex:c .\nex:a foo:b ex:c .\n", 3, "foo:"),
        (f'@prefix ex: <{EX}> .\n\nex:a ex:b "no end .\n', 3, "syntax error"),
        ("<http://e/s> <http://e/p> <http://e/a b> .\n", 1, "IRI"),
        (f"@prefix ex: <{EX}> .\nex:a ex:b ex:c\n", 3, "Unexpected end"),
    ],
)
def test_malformed_turtle_names_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path / "bad.ttl", text)
    with pytest.raises(InputError) as info:
        read_graph([path])
    assert info.value.path == str(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert words in str(info.value)


def test_other_formats_by_suffix(tmp_path: Path) -> None:
    nt = write(tmp_path / "x.nt", f"<{EX}a> <{EX}p> <{EX}b> .\n")
    nq = write(tmp_path / "x.nq", f"<{EX}a> <{EX}p> <{EX}c> <{EX}g> .\n")
    graph = read_graph([nt, nq])
    assert set(graph.objects()) == {URIRef(EX + "b"), URIRef(EX + "c")}


def test_shipped_graph_loads(shipped_store: object, settings: Settings) -> None:
    graph = read_graph(shipped_paths(settings))
    assert len(graph) > 1000
    # the store holds the same triples (blank nodes aside, the counts agree)
    assert shipped_store.count() == len(graph)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "term",
    [
        URIRef(EX + "a"),
        Literal("x"),
        Literal("chat", lang="fr"),
        Literal("01", datatype=XSD.integer, normalize=False),
        Literal("abc", datatype=XSD.integer, normalize=False),
        Literal("2022-06-30", datatype=XSD.date),
    ],
)
def test_term_conversion_round_trips(term: Literal | URIRef) -> None:
    back = to_rdflib_term(to_oxigraph_term(term))
    assert back == term and str(back) == str(term)


def test_the_data_folder_is_every_rdf_file_in_it_and_every_loader_reads_them(
    tmp_path: Path,
) -> None:
    """serve and load read a .nt or .jsonld file beside the .ttl ones (they once read *.ttl
    only, and said nothing)."""
    from jaif_kg.store import open_store
    from jaif_kg.store.shipped import load_shipped

    data = tmp_path / "data"
    (data / "more" / ".git").mkdir(parents=True)
    write(data / "a.ttl", f"<{EX}a> <{EX}p> <{EX}b> .\n")
    write(data / "b.nt", f"<{EX}b> <{EX}p> <{EX}c> .\n")
    write(data / "more" / "c.jsonld", f'{{"@id": "{EX}c", "{EX}p": {{"@id": "{EX}d"}}}}')
    write(data / "more" / ".git" / "HEAD.ttl", "not RDF {")
    write(data / "notes.txt", "not RDF {")
    onto = tmp_path / "onto"
    onto.mkdir()
    write(onto / "jaif.ttl", f"<{EX}Thing> a <http://www.w3.org/2002/07/owl#Class> .\n")
    settings = Settings(ontology_dir=onto, data_dir=data, store="oxigraph")
    assert [p.relative_to(tmp_path).as_posix() for p in shipped_paths(settings)] == [
        "onto/jaif.ttl",
        "data/a.ttl",
        "data/b.nt",
        "data/more/c.jsonld",
    ]
    assert load_shipped(open_store(settings), settings) == 4
