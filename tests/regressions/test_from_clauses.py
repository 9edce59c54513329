"""``FROM`` / ``FROM NAMED`` are taken out of the query text and become the dataset selection.

Guards: the blanking in ``jaif_kg.sparql.prepare.prepare_query`` was tested only by its doctests,
so
mutations of it (a FROM left in the text, FROM NAMED taken for FROM, a prefixed or relative IRI
not expanded, a protocol dataset not overriding the query's, line numbers shifted) passed the
suite. A FROM left in the text is a URL the engine may dereference; here every spelling of it
must be gone from the text and show up as IRIs in ``default_graphs`` / ``named_graphs``
(SPARQL 1.1 Query §13.2; Protocol §2.1.4 for the override).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from jaif_kg.sparql.prepare import PreparedQuery, prepare_query

WHERE = "WHERE { ?s ?p ?o }"


def _no_from(prepared: PreparedQuery, original: str) -> None:
    """The text has no FROM keyword left, the same lines as the original, and still parses."""
    words = re.findall(r"[A-Za-z]+", re.sub(r"<[^>]*>|\"[^\"]*\"|#[^\n]*", " ", prepared.text))
    assert "from" not in {w.lower() for w in words}, prepared.text
    assert prepared.text.count("\n") == original.count("\n")
    ox.Store().query(prepared.text)  # a SyntaxError here means the blanking left half a clause


@pytest.mark.parametrize(
    ("text", "default_graphs", "named_graphs"),
    [
        (f"SELECT * FROM <http://g> {WHERE}", ("http://g",), ()),
        (f"SELECT * from <http://g> {WHERE}", ("http://g",), ()),
        (f"SELECT * FrOm <http://g> {WHERE}", ("http://g",), ()),
        (f"SELECT * FROM NAMED <http://n> {WHERE}", (), ("http://n",)),
        (f"SELECT * from named <http://n> {WHERE}", (), ("http://n",)),
        (
            f"SELECT * FROM <http://g1> FROM NAMED <http://n1> FROM <http://g2> "
            f"FROM NAMED <http://n2> {WHERE}",
            ("http://g1", "http://g2"),
            ("http://n1", "http://n2"),
        ),
        ("ASK FROM <http://g> { ?s ?p ?o }", ("http://g",), ()),
        (f"CONSTRUCT {{ ?s ?p ?o }} FROM NAMED <http://n> {WHERE}", (), ("http://n",)),
        (f"DESCRIBE ?s FROM <http://g> {WHERE}", ("http://g",), ()),
    ],
    ids=[
        "upper",
        "lower",
        "mixed-case",
        "named",
        "named-lower",
        "several-in-order",
        "ask",
        "construct",
        "describe",
    ],
)
def test_from_clauses_become_the_dataset(
    text: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]
) -> None:
    prepared = prepare_query(text)
    assert (prepared.default_graphs, prepared.named_graphs) == (default_graphs, named_graphs)
    assert prepared.from_clauses == default_graphs + named_graphs
    for iri in default_graphs + named_graphs:
        assert iri + ">" not in prepared.text
    _no_from(prepared, text)
    assert prepared.text.endswith(WHERE) or prepared.text.endswith("{ ?s ?p ?o }")


def test_prefixed_names_are_expanded() -> None:
    text = (
        "PREFIX ex: <http://example.org/>\nPREFIX : <http://default.example/>\n"
        f"SELECT * FROM ex:g FROM NAMED ex:n\\.1 FROM :d {WHERE}"
    )
    prepared = prepare_query(text)
    assert prepared.default_graphs == ("http://example.org/g", "http://default.example/d")
    assert prepared.named_graphs == ("http://example.org/n.1",)
    assert "ex:g" not in prepared.text and "ex:n" not in prepared.text and ":d" not in prepared.text
    _no_from(prepared, text)


def test_relative_iris_resolve_against_the_endpoint_or_the_query_base() -> None:
    text = f"SELECT * FROM <g> FROM NAMED <../n> {WHERE}"
    prepared = prepare_query(text, base_iri="http://host/data/sparql")
    assert prepared.default_graphs == ("http://host/data/g",)
    assert prepared.named_graphs == ("http://host/n",)
    _no_from(prepared, text)

    text = f"BASE <http://b.example/dir/>\nSELECT * FROM <g> {WHERE}"
    prepared = prepare_query(text, base_iri="http://host/data/sparql")
    assert prepared.default_graphs == ("http://b.example/dir/g",)  # the query's BASE wins
    _no_from(prepared, text)

    text = f"PREFIX rel: <sub/>\nSELECT * FROM rel:g {WHERE}"
    prepared = prepare_query(text, base_iri="http://host/data/sparql")
    assert prepared.default_graphs == ("http://host/data/sub/g",)  # a relative prefix, too
    _no_from(prepared, text)


@pytest.mark.parametrize(
    ("protocol_default", "protocol_named", "expected"),
    [
        (["http://p"], [], (("http://p",), ())),
        ([], ["http://pn"], ((), ("http://pn",))),
        (["http://p1", "http://p2"], ["http://pn"], (("http://p1", "http://p2"), ("http://pn",))),
    ],
    ids=["default-only", "named-only", "both"],
)
def test_a_protocol_dataset_overrides_the_from_clauses(
    protocol_default: list[str],
    protocol_named: list[str],
    expected: tuple[tuple[str, ...], tuple[str, ...]],
) -> None:
    """SPARQL 1.1 Protocol §2.1.4: the protocol's dataset replaces the query's entirely; the
    query's FROM clauses still leave the text (the engine must not see them either)."""
    text = f"SELECT * FROM <http://g> FROM NAMED <http://n> {WHERE}"
    prepared = prepare_query(text, default_graphs=protocol_default, named_graphs=protocol_named)
    assert (prepared.default_graphs, prepared.named_graphs) == expected
    assert "http://g>" not in prepared.text and "http://n>" not in prepared.text
    _no_from(prepared, text)


def test_no_from_and_no_protocol_dataset_is_the_stores_dataset() -> None:
    prepared = prepare_query(f"SELECT * {WHERE}")
    assert (prepared.default_graphs, prepared.named_graphs) == (None, None)
    assert prepared.text == f"SELECT * {WHERE}"


def test_line_numbers_and_columns_after_the_clause_are_kept() -> None:
    text = "SELECT ?s\nFROM\n  <http://g>\nfrom named\n<http://n>\nWHERE {\n  ?s ?p ?o\n}\n"
    prepared = prepare_query(text)
    assert (prepared.default_graphs, prepared.named_graphs) == (("http://g",), ("http://n",))
    assert len(prepared.text) == len(text)
    assert prepared.text.splitlines()[5:] == text.splitlines()[5:]
    assert [len(line) for line in prepared.text.splitlines()] == [
        len(line) for line in text.splitlines()
    ]
    _no_from(prepared, text)
    # an error after the blanked clause is reported on its own line
    broken = text.replace("?s ?p ?o", "?s ?p bad:o")  # an undeclared prefix on line 7
    with pytest.raises(SyntaxError, match=r"\bat 7:14\b"):
        ox.Store().query(prepare_query(broken).text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "FROM <http://x>" }',
        "SELECT * WHERE { ?s ?p ?o } # FROM <http://x>",
        "SELECT * WHERE { ?s <http://e/FROM> ?o }",
        "SELECT ?from WHERE { ?from ?p ?o }",
    ],
    ids=["in-a-string", "in-a-comment", "in-an-iri", "a-variable"],
)
def test_from_inside_other_tokens_is_not_a_clause(text: str) -> None:
    prepared = prepare_query(text)
    assert (prepared.default_graphs, prepared.named_graphs) == (None, None)
    assert prepared.text == text
