"""jaif_kg.rdf.places: the line of each triple, checked against the fixtures' ``#=N`` comments
(``tests/fixtures/places/``: N triples are placed on that line; ``#=N@L``: on line L), and a
scanner that declines rather than guesses."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.rdf import places
from jaif_kg.rdf.files import ParsedFile, parse_data, parse_file
from jaif_kg.rdf.formats import input_format_named
from jaif_kg.rdf.places import FilePlaces, scan_pieces, statement_ends

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "places"
WITH_LINES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".ttl", ".trig", ".nt", ".nq"))


def expected_lines(path: Path) -> Counter[int]:
    found: Counter[int] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = re.search(r"#=(\d+)(?:@(\d+))?\s*$", line)
        if m:
            found[int(m.group(2) or number)] += int(m.group(1))
    return found


@pytest.mark.parametrize("path", WITH_LINES, ids=lambda p: p.name)
def test_every_triple_is_on_the_line_the_fixture_says(path: Path) -> None:
    found = FilePlaces(parse_file(path))
    assert found.lines is not None, found.reason
    assert found.reason is None
    assert Counter(found.lines) == expected_lines(path)


def test_each_line_holds_the_triple_written_there() -> None:
    """Not only the counts: the triple placed on a line is the one written there."""
    parsed = parse_file(FIXTURES / "long.ttl")
    found = FilePlaces(parsed)
    text = (FIXTURES / "long.ttl").read_text(encoding="utf-8").splitlines()
    for quad, line in zip(parsed.quads, found.lines or [], strict=True):
        if isinstance(quad.object, ox.Literal) and quad.object.value in ("second", "run"):
            assert quad.object.value in text[line - 1]


def test_a_syntax_without_lines_gives_the_file_only() -> None:
    found = FilePlaces(parse_file(FIXTURES / "nolines.jsonld"))
    assert found.lines is None and found.line(0) is None
    assert found.reason == "JSON-LD gives no line per triple"


@pytest.mark.parametrize("path", WITH_LINES, ids=lambda p: p.name)
def test_pieces_that_do_not_reproduce_the_file_are_declined(path: Path) -> None:
    """The bytes of one file with the triples of another: the scanner must refuse, not place."""
    parsed = parse_file(path)
    other = parse_file(FIXTURES / ("lines.nt" if path.name != "lines.nt" else "quads.nq"))
    found = FilePlaces(ParsedFile(parsed.path, parsed.data, other.quads, fmt=parsed.fmt))
    assert found.lines is None
    assert found.reason is not None


def test_one_changed_triple_is_enough_to_decline() -> None:
    parsed = parse_file(FIXTURES / "long.ttl")
    quads = list(parsed.quads)
    q = quads[-1]
    quads[-1] = ox.Quad(q.subject, q.predicate, ox.NamedNode("http://example.org/other"))
    found = FilePlaces(ParsedFile(parsed.path, parsed.data, quads, fmt=parsed.fmt))
    assert found.lines is None
    assert "declined" in (found.reason or "")


def test_two_blank_nodes_merged_are_declined() -> None:
    """Blank nodes are matched one to one: a file whose two nodes became one is not the same."""
    parsed = parse_file(FIXTURES / "lines.nt")
    b = ox.BlankNode("same")
    quads = [
        ox.Quad(
            q.subject if not isinstance(q.subject, ox.BlankNode) else b,
            q.predicate,
            q.object if not isinstance(q.object, ox.BlankNode) else b,
        )
        for q in parsed.quads
    ]
    # N-Triples are placed by lines; the Turtle scanner compares blank nodes
    ttl = ParsedFile(Path("x.ttl"), parsed.data, quads)
    assert FilePlaces(ttl).lines is not None  # one node for one label: the same graph
    two = [*quads[:2], ox.Quad(ox.BlankNode("other"), quads[2].predicate, quads[2].object)]
    assert FilePlaces(ParsedFile(Path("x.ttl"), parsed.data, two)).lines is None


def test_rdf_star_is_declined_not_scanned() -> None:
    with pytest.raises(Exception, match="RDF-star"):
        scan_pieces("<< <a:s> <a:p> <a:o> >> <a:q> 1 .")


def test_a_statement_is_cut_only_at_a_dot_that_ends_it() -> None:
    data = b'e:s e:p "a . b" ; e:q """c .\nd""" . # e . f\ne:s e:p 1.5. e:s e:p e:o.e:x e:p 2 .\n'
    ends = statement_ends(data)
    assert [data[:end].rsplit(b"\n", 1)[-1][-6:] for end in ends] == [
        b'd""" .',
        b"p 1.5.",
        b":p 2 .",
        b"",
    ]


def test_a_cut_the_parser_does_not_confirm_is_declined(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cut inside a string (a scanner that misread it): its marker is swallowed, and no
    line of the file is given."""
    parsed = parse_file(FIXTURES / "tricky.ttl")
    inside = parsed.data.index(b"first . line") + len(b"first .")

    def wrong(data: bytes) -> list[int]:
        return [inside, len(data)]

    monkeypatch.setattr(places, "statement_ends", wrong)
    found = FilePlaces(parsed)
    assert found.lines is None and found.line(0) is None
    assert "a cut between statements is not one" in (found.reason or "")


def test_lines_asked_for_are_those_of_every_line() -> None:
    parsed = parse_file(FIXTURES / "tricky.ttl")
    every = FilePlaces(parsed).lines
    assert every is not None
    asked = [0, 5, 13, len(every) - 1]
    assert FilePlaces(parsed).lines_at(asked) == {i: every[i] for i in asked}


def test_a_changed_triple_leaves_its_statement_without_line_not_the_others() -> None:
    """Only the statements asked about are compared: another statement's line is still given,
    the changed one's is not, and the reason says the scanner declined."""
    parsed = parse_file(FIXTURES / "long.ttl")
    quads = list(parsed.quads)
    q = quads[-1]
    quads[-1] = ox.Quad(q.subject, q.predicate, ox.NamedNode("http://example.org/other"))
    found = FilePlaces(ParsedFile(parsed.path, parsed.data, quads, fmt=parsed.fmt))
    assert found.line(0) == 7 and found.reason is None
    assert found.line(len(quads) - 1) is None
    assert "declined" in (found.reason or "")
    assert found.line(0) == 7


def test_a_directive_glued_to_a_dot_is_found_and_one_missed_is_declined_not_guessed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A directive right after a statement's dot is found and applies to the pieces after it;
    a directive missed (here: none found) leaves those pieces unparsed and their lines unknown,
    while the statements that do not need it keep theirs."""
    text = b"@prefix e: <http://e/> .\ne:s e:p e:o.@prefix f: <http://f/> .\nf:s e:p 1 .\n"
    path = Path("glued.ttl")
    parsed = ParsedFile(path, text, parse_file_data(text, path))
    found = FilePlaces(parsed)
    assert found.lines_at([0, 1]) == {0: 2, 1: 3} and found.reason is None
    monkeypatch.setattr(places, "directive_places", lambda data: [])
    missed = FilePlaces(parsed)
    assert missed.line(1) is None and "declined" in (missed.reason or "")
    assert missed.line(0) is None  # the statement with the directive needs e: declared too


def parse_file_data(data: bytes, path: Path) -> list[ox.Quad]:
    return parse_data(data, path, input_format_named("turtle")).quads
