"""Where the VALUES block goes and which variables a query uses: read with THE lexer, so what a
string, an IRI, a comment or an escaped local name holds never counts as code."""

from __future__ import annotations

import pytest
from rdflib import Literal

from jaif_kg.catalog.binding import (
    NamedQuery,
    bound_text,
    sparql_term,
    values_insertion_point,
    variables,
)
from jaif_kg.errors import ParameterError

#: Queries, with "|" where the block goes (the mark is taken out before the test).
PLACES = [
    "SELECT ?x WHERE {| ?x ?p ?o }",
    "select ?x where{| ?x ?p ?o }",
    'SELECT ?x # WHERE {\nWHERE {| ?x ?p "WHERE {" }',
    "PREFIX : <http://e/WHERE#WHERE>\nSELECT ?x WHERE # a comment {\n{| ?x ?p ?o }",
    "PREFIX : <http://e/>\nSELECT (:a\\#b AS ?y) ?x WHERE {| ?x ?p ?o }",
    "SELECT ?x WHERE {| { SELECT ?x WHERE { ?x ?p ?o } } }",
]


@pytest.mark.parametrize("marked", PLACES)
def test_the_block_goes_after_the_brace_of_the_first_where(marked: str) -> None:
    query = marked.replace("|", "")
    at = values_insertion_point(query)
    assert at == marked.index("|")
    bound = bound_text("q", query, (("x", Literal("v")),))
    assert bound == f'{query[:at]} VALUES (?x) {{ ("v") }}{query[at:]}'


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?x { ?x ?p ?o }",
        'SELECT ?x { ?x ?p "WHERE {" } # WHERE {',
        "SELECT ?where { ?where ?p ?o }",
        "PREFIX : <http://e/>\nSELECT ?x { ?x :p :where }",
    ],
)
def test_no_where_keyword_no_insertion_point(query: str) -> None:
    assert values_insertion_point(query) is None
    with pytest.raises(ParameterError, match="no top-level WHERE"):
        bound_text("q", query, (("x", Literal("v")),))


def test_variables_outside_strings_iris_and_comments() -> None:
    query = (
        "PREFIX : <http://e/?iri>\n"
        'SELECT ?a WHERE { ?a :p $b ; :q "?text" . FILTER(?c-1 > 0) } # ?comment\n'
    )
    assert variables(query) == {"a", "b", "c"}


def test_prefixes_come_from_the_prologue_only() -> None:
    query = NamedQuery(
        "q",
        "",
        "",
        (),
        (),
        {},
        "# PREFIX no: <http://no/>\nPREFIX ex: <http://e/>\nPREFIX : <http://d/>\n"
        'ASK WHERE { ?s ex:p "PREFIX str: <http://no/>" }',
        "ask",
    )
    assert query.prefixes() == {"ex": "http://e/", "": "http://d/"}


def test_the_term_writer_refuses_with_the_catalogs_error() -> None:
    from rdflib import BNode, URIRef

    with pytest.raises(ParameterError, match="blank node"):
        sparql_term(BNode("b0"))
    with pytest.raises(ParameterError, match="not a valid IRI"):
        sparql_term(URIRef("http://e/a>b"))
    assert sparql_term(Literal('a "b"\n')) == '"a \\"b\\"\\n"'
