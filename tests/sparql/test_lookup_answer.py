"""Lookups read from the index (:func:`jaif_kg.sparql.lookup.answer_json`) are the engine's
answer byte for byte, or declined.

Every case is a query run two ways over one store whose data is built to trip a writer up: a
default graph of two graphs holding the same triple (the engine keeps both rows), blank nodes,
language tags, datatypes, every control character, non-ASCII text, a triple term and a
directional literal. Add a line to ``SAME`` or ``DECLINED``, get a test; the lookups of
``tests/fixtures/lookups/accepted`` are run over this store too. Over the shipped graph and
through the executor, ``tests/workers/test_inline.py`` compares them with a worker's answer.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.sparql.lookup import Lookup, answer_json, parse_lookup

ACCEPTED = sorted(
    (Path(__file__).resolve().parents[1] / "fixtures" / "lookups" / "accepted").glob("*.rq")
)
E = "http://example.org/"
G = ox.NamedNode(f"{E}g")
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPHS: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph(), G]

SAME = [
    f"SELECT ?p ?o WHERE {{ <{E}s> ?p ?o }}",
    f"SELECT ?o ?p WHERE {{ <{E}s> ?p ?o }}",
    f"SELECT * WHERE {{ <{E}s> ?p ?o }}",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?zeta ?alpha ?mid }",
    f"SELECT ?o WHERE {{ <{E}s> ?p ?o }}",
    f"SELECT ?unbound ?o WHERE {{ <{E}s> <{E}dup> ?o }}",
    f"SELECT * WHERE {{ <{E}s> <{E}dup> <{E}o> }}",
    f"SELECT * WHERE {{ <{E}s> <{E}dup> <{E}nothing> }}",
    f"SELECT ?s WHERE {{ ?s <{E}dup> <{E}o> }}",
    f"SELECT $s $o WHERE {{ $s <{E}text> $o }}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 0",
    f"SELECT ?p WHERE {{ <{E}nobody> ?p ?o }}",
    f"SELECT ?o WHERE {{ <{E}t> ?p ?o }}",
    f"SELECT ?o WHERE {{ <{E}d> ?p ?o }}",
]
#: Lookups the index reader leaves to the engine, and why.
DECLINED = {
    "SELECT * WHERE { ?s ?p 'x' }": "a literal in the pattern",
    "SELECT * WHERE { ?s ?p 2019 }": "a number in the pattern",
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s, o = ox.NamedNode(f"{E}s"), ox.NamedNode(f"{E}o")
    texts = [
        "".join(map(chr, range(32))),
        'quote " backslash \\ slash / del \x7f',
        "日本 é \u2028 😀",
    ]
    quads = [
        ox.Quad(s, ox.NamedNode(f"{E}dup"), o),  # in both graphs: two rows
        ox.Quad(s, ox.NamedNode(f"{E}dup"), o, G),
        ox.Quad(s, ox.NamedNode(f"{E}b"), ox.BlankNode("b1")),
        ox.Quad(ox.BlankNode("b2"), ox.NamedNode(f"{E}b"), s, G),
        ox.Quad(s, ox.NamedNode(f"{E}lang"), ox.Literal("Myanmar", language="en-GB"), G),
        ox.Quad(
            s, ox.NamedNode(f"{E}int"), ox.Literal("01", datatype=ox.NamedNode(f"{XSD}integer")), G
        ),
        ox.Quad(
            s, ox.NamedNode(f"{E}str"), ox.Literal("s", datatype=ox.NamedNode(f"{XSD}string")), G
        ),
        *(ox.Quad(s, ox.NamedNode(f"{E}text"), ox.Literal(t), G) for t in texts),
        ox.Quad(ox.NamedNode(f"{E}t"), ox.NamedNode(f"{E}p"), ox.Triple(s, s, o), G),
        ox.Quad(
            ox.NamedNode(f"{E}d"),
            ox.NamedNode(f"{E}p"),
            ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL),
        ),
        ox.Quad(s, ox.NamedNode(f"{E}hidden"), o, ox.NamedNode(f"{E}other")),  # not in GRAPHS
    ]
    store = ox.Store()
    store.extend(quads)
    return store


def _lookup(text: str) -> Lookup:
    lookup = parse_lookup(text)
    assert lookup is not None, text
    return lookup


def _engine(store: ox.Store, lookup: Lookup) -> bytes:
    result = store.query(lookup.text, default_graph=GRAPHS)  # type: ignore[arg-type]
    return result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr,return-value]


@pytest.mark.parametrize("text", SAME + [p.read_text(encoding="utf-8") for p in ACCEPTED])
def test_the_index_reader_writes_the_engines_bytes(store: ox.Store, text: str) -> None:
    lookup = _lookup(text)
    mine = answer_json(lookup, store, GRAPHS, max_bytes=1 << 20)
    if any(t[0] not in "?$<" for t in lookup.pattern):
        assert mine is None  # (accepted fixtures with a literal constant)
        return
    assert mine == _engine(store, lookup)


def test_the_tricky_rows_are_there(store: ox.Store) -> None:
    """The cases above read the rows they were written for."""
    body = answer_json(_lookup(SAME[0]), store, GRAPHS, max_bytes=1 << 20)
    assert body is not None
    assert body.count(f"{E}dup".encode()) == 2 and b'"bnode"' in body and b"\\u001f" in body
    assert b'"xml:lang":"en-gb"' in body and b"#integer" in body and b"#string" not in body
    assert f"{E}hidden".encode() not in body
    everything = answer_json(_lookup(SAME[3]), store, GRAPHS, max_bytes=1 << 20)
    assert everything is not None
    assert b'"type":"triple"' in everything and b'"its:dir":"rtl"' in everything


MALFORMED = sorted(
    (Path(__file__).resolve().parents[1] / "fixtures" / "lookups" / "malformed").glob("*.rq")
)


@pytest.mark.parametrize("case", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_an_iri_the_grammar_passes_but_rdf_refuses_is_left_to_the_engine(
    store: ox.Store, case: Path
) -> None:
    """The grammar reads IRIREF, not RFC 3987: the engine refuses these with a syntax error,
    and so must the endpoint (``tests/workers/test_inline.py``), not fail inside the reader."""
    lookup = _lookup(case.read_text(encoding="utf-8"))
    assert answer_json(lookup, store, GRAPHS, max_bytes=1 << 20) is None
    with pytest.raises(SyntaxError):
        store.query(lookup.text)


@pytest.mark.parametrize("text", DECLINED, ids=list(DECLINED.values()))
def test_what_it_cannot_write_exactly_is_left_to_the_engine(store: ox.Store, text: str) -> None:
    assert answer_json(_lookup(text), store, GRAPHS, max_bytes=1 << 20) is None


def test_the_caps_decline(store: ox.Store) -> None:
    lookup = _lookup(SAME[0])
    full = answer_json(lookup, store, GRAPHS, max_bytes=1 << 20)
    assert full is not None
    rows = full.count(b'{"p":')
    assert answer_json(lookup, store, GRAPHS, max_bytes=len(full)) == full
    assert answer_json(lookup, store, GRAPHS, max_bytes=len(full) - 1) is None
    assert answer_json(lookup, store, GRAPHS, max_bytes=1 << 20, max_rows=rows) == full
    assert answer_json(lookup, store, GRAPHS, max_bytes=1 << 20, max_rows=rows - 1) is None


def test_it_reads_no_more_entries_than_the_byte_cap_allows() -> None:
    """Every row takes three bytes or more: a cap of 30 bytes reads at most 11 entries."""
    read: list[int] = []

    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(f"{E}s{i}"), ox.NamedNode(f"{E}p"), ox.NamedNode(f"{E}o"))
        for i in range(1000)
    )

    def counted(*args: object) -> object:
        for quad in store.quads_for_pattern(*args):  # type: ignore[arg-type]
            read.append(1)
            yield quad

    class View:
        quads_for_pattern = staticmethod(counted)

    lookup = _lookup("SELECT * WHERE { ?s ?p ?o }")
    assert answer_json(lookup, View(), [ox.DefaultGraph()], max_bytes=30) is None  # type: ignore[arg-type]
    assert len(read) == 30 // 3 + 1
