"""jaif_kg.rdf.files: the one reader of RDF files (format, limit, errors, rebasing)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.errors import InputError, InputErrors
from jaif_kg.rdf.files import PARSER_LIMIT, load_oxigraph, parse_file, parse_files

EX = "http://example.org/"
BASE = "http://example.org/kg/"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_folder_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as info:
        parse_file(tmp_path / "absent.ttl")
    assert info.value.path == str(tmp_path / "absent.ttl")
    with pytest.raises(InputError, match="is a folder, not a file"):
        parse_file(tmp_path)
    with pytest.raises(InputError, match="names no RDF syntax"):
        parse_file(write(tmp_path / "notes.txt", "hello"))


def test_a_dataset_file_lands_in_the_default_graph(tmp_path: Path) -> None:
    nq = write(tmp_path / "x.nq", f"<{EX}a> <{EX}p> <{EX}c> <{EX}g> .\n")
    (quad,) = parse_file(nq).quads
    assert quad.graph_name == ox.DefaultGraph()


def test_prefixes_and_bytes_are_kept_and_rebased(tmp_path: Path) -> None:
    text = "@prefix id: <https://w3id.org/jaif-kg/id/> .\nid:x <http://e/p> 1 .\n"
    path = write(tmp_path / "a.ttl", text)
    parsed = parse_file(path)
    assert parsed.data == text.encode()
    assert parsed.prefixes == {"id": "https://w3id.org/jaif-kg/id/"}
    rebased = parse_file(path, base=BASE)
    assert rebased.prefixes == {"id": BASE + "id/"}
    assert rebased.triples[0].subject == ox.NamedNode(BASE + "id/x")


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.ttl", f"<{EX}a> <{EX}p> 1 .\n")
    assert [p.path for p in parse_files([a, tmp_path / "." / "a.ttl"])] == [a]


def test_a_piece_longer_than_the_parser_reads_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    path.write_bytes(b'\n\n<http://e/s> <http://e/p> "' + b"a" * (PARSER_LIMIT + 1) + b'" .\n')
    with pytest.raises(InputError, match="longer than 16 MiB") as info:
        parse_file(path)
    assert (info.value.path, info.value.line) == (str(path), 3)


@pytest.mark.parametrize("base", [None, BASE])
def test_load_oxigraph_merges_files_with_blank_nodes_apart(
    tmp_path: Path, base: str | None
) -> None:
    a = write(tmp_path / "a.ttl", f"<{EX}a> <{EX}p> _:b .\n_:b <{EX}q> 1 .\n")
    b = write(tmp_path / "b.ttl", f"<{EX}c> <{EX}p> _:b .\n_:b <{EX}q> 2 .\n")
    plain = write(tmp_path / "c.nt", f"<{EX}d> <{EX}p> <https://w3id.org/jaif-kg/id/x> .\n")
    store = load_oxigraph([a, b, plain, a], **({} if base is None else {"base": base}))
    assert len(store) == 5
    objects = {q.object for q in store.quads_for_pattern(ox.NamedNode(EX + "d"), None, None)}
    assert objects == {ox.NamedNode((base or "https://w3id.org/jaif-kg/") + "id/x")}
    blanks = {q.object for q in store.quads_for_pattern(None, ox.NamedNode(EX + "p"), None)}
    assert sum(isinstance(o, ox.BlankNode) for o in blanks) == 2


def test_load_oxigraph_names_the_file_and_line_of_a_syntax_error(tmp_path: Path) -> None:
    good = write(tmp_path / "good.nt", f"<{EX}a> <{EX}p> <{EX}b> .\n")
    bad = write(tmp_path / "bad.nt", f"<{EX}a> <{EX}p> <{EX}b> .\n<{EX}a> <{EX}p> .\n")
    with pytest.raises(InputError, match="syntax error") as info:
        load_oxigraph([good, bad])
    assert (info.value.path, info.value.line) == (str(bad), 2)


def test_a_symlink_loop_is_named_by_every_reader(tmp_path: Path) -> None:
    """``serve`` and ``load`` read the data folder with :func:`parse_files` and
    :func:`load_oxigraph`: a loop there is an :class:`InputError`, not a ``RuntimeError``."""
    (tmp_path / "b.ttl").symlink_to("a.ttl")
    (tmp_path / "a.ttl").symlink_to("b.ttl")
    loop = tmp_path / "a.ttl"
    for read in (parse_file, lambda p: parse_files([p]), lambda p: load_oxigraph([p])):
        with pytest.raises(InputError, match=r"a\.ttl: symlink loop$"):
            read(loop)


def test_a_json_ld_import_of_a_url_is_taken_from_the_local_contexts(tmp_path: Path) -> None:
    """``@import`` (JSON-LD 1.1, section 4.1.10) is resolved from ``--context``, nested imports
    too; the importing context's own terms win; a URL not given names it and ``--context``."""
    doc = tmp_path / "imp.jsonld"
    doc.write_text(
        '{"@context": {"@version": 1.1, "@import": "https://example.org/other.jsonld",'
        ' "name": "http://example.org/nom"}, "@id": "http://example.org/s",'
        ' "name": "x", "code": "c"}',
        encoding="utf-8",
    )
    contexts = {
        "https://example.org/other.jsonld": b'{"@context": {"@import": "deeper.jsonld",'
        b' "name": "http://example.org/name"}}',
        "https://example.org/deeper.jsonld": b'{"@context": {"code": "http://example.org/code"}}',
    }
    quads = {
        (str(q.predicate.value), q.object.value) for q in parse_file(doc, contexts=contexts).quads
    }
    assert quads == {("http://example.org/nom", "x"), ("http://example.org/code", "c")}
    with pytest.raises(
        InputError,
        match=r"<https://example.org/deeper.jsonld> is not read from "
        r"the network: give a local copy with --context https://example.org/deeper",
    ):
        parse_file(doc, contexts={k: v for k, v in contexts.items() if "deeper" not in k})


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "bad.nt",
            '<http://e/s> <http://e/p> "ok" .\n<http://e/s> <http://e/p> "open .\n'
            '<http://e/s> <http://e/p> "x" .\n',
        ),
        ("bad.ttl", '@prefix e: <http://e/> .\ne:s e:p "open .\ne:s e:p "x" .\ne:s e:q e:o .\n'),
    ],
)
def test_a_literal_that_runs_on_is_one_error(tmp_path: Path, name: str, text: str) -> None:
    """An unterminated literal on line 2 was reported, then the lines after it as errors of
    their own (its closing quote on line 3 read as an opening one): one error, on line 2."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_file(path)
    assert not isinstance(info.value, InputErrors), str(info.value)
    assert info.value.line == 2
    assert "runs on" in str(info.value) and len(str(info.value).splitlines()) == 1


def test_errors_on_several_lines_are_all_reported(tmp_path: Path) -> None:
    """Errors that do not run on are each reported (one per line)."""
    path = tmp_path / "two.nt"
    line = "<http://e/s> <http://e/p> .\n"
    path.write_text('<http://e/s> <http://e/p> "ok" .\n' + line + line, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        parse_file(path)
    assert [e.line for e in info.value.errors] == [2, 3]
