"""jaif_kg.rdf.places: the line of each triple, checked against the fixtures' ``#=N`` comments
(``tests/fixtures/places/``: N triples are placed on that line; ``#=N@L``: on line L), and a scanner that declines
rather than guesses."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.rdf.files import ParsedFile, parse_file
from jaif_kg.rdf.places import FilePlaces, scan_pieces

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
    places = FilePlaces(parse_file(path))
    assert places.reason is None
    assert places.lines is not None
    assert Counter(places.lines) == expected_lines(path)


def test_each_line_holds_the_triple_written_there() -> None:
    """Not only the counts: the triple placed on a line is the one written there."""
    parsed = parse_file(FIXTURES / "long.ttl")
    places = FilePlaces(parsed)
    text = (FIXTURES / "long.ttl").read_text(encoding="utf-8").splitlines()
    for quad, line in zip(parsed.quads, places.lines or [], strict=True):
        if isinstance(quad.object, ox.Literal) and quad.object.value in ("second", "run"):
            assert quad.object.value in text[line - 1]


def test_a_syntax_without_lines_gives_the_file_only() -> None:
    places = FilePlaces(parse_file(FIXTURES / "nolines.jsonld"))
    assert places.lines is None and places.line(0) is None
    assert places.reason == "JSON-LD gives no line per triple"


@pytest.mark.parametrize("path", WITH_LINES, ids=lambda p: p.name)
def test_pieces_that_do_not_reproduce_the_file_are_declined(path: Path) -> None:
    """The bytes of one file with the triples of another: the scanner must refuse, not place."""
    parsed = parse_file(path)
    other = parse_file(FIXTURES / ("lines.nt" if path.name != "lines.nt" else "quads.nq"))
    places = FilePlaces(ParsedFile(parsed.path, parsed.data, other.quads, fmt=parsed.fmt))
    assert places.lines is None
    assert places.reason is not None


def test_one_changed_triple_is_enough_to_decline() -> None:
    parsed = parse_file(FIXTURES / "long.ttl")
    quads = list(parsed.quads)
    q = quads[-1]
    quads[-1] = ox.Quad(q.subject, q.predicate, ox.NamedNode("http://example.org/other"))
    places = FilePlaces(ParsedFile(parsed.path, parsed.data, quads, fmt=parsed.fmt))
    assert places.lines is None
    assert "declined" in (places.reason or "")


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


def test_a_run_of_n_triples_lines_is_read_as_one_piece() -> None:
    text = '<a:s> <a:p> <a:o> .\n<a:s> <a:p> "x" .\n'
    pieces, runs = scan_pieces(text)
    assert runs == {1: 2} and len(pieces) == 1
