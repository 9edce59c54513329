"""The prologue reader and the BASE that :func:`prepare_query` adds (:mod:`jaif_kg.sparql.prepare`);
FROM clauses and the dataset are in ``tests/regressions/test_from_clauses.py``."""

from __future__ import annotations

import pytest

from jaif_kg.errors import QueryRefused
from jaif_kg.sparql.escape import TermError
from jaif_kg.sparql.lexer import scan
from jaif_kg.sparql.prepare import prepare_query, read_prologue


def test_the_prologue_resolves_prefixes_against_the_base_in_force() -> None:
    text = (
        "# a comment\nPREFIX a: <http://a/>\nBASE <http://b/dir/>\nPREFIX r: <rel/>\n"
        "prefix : <http://d/> SELECT * WHERE { ?s a:p <x> }"
    )
    prologue = read_prologue(scan(text), "http://endpoint/sparql")
    assert prologue.prefixes == {"a": "http://a/", "r": "http://b/dir/rel/", "": "http://d/"}
    assert prologue.base == "http://b/dir/" and prologue.has_base
    assert scan(text)[prologue.end].text == "SELECT"


def test_without_a_base_the_given_one_is_in_force() -> None:
    prologue = read_prologue(scan("PREFIX r: <rel/> ASK {}"), "http://h/sparql")
    assert prologue.prefixes == {"r": "http://h/rel/"}
    assert prologue.base == "http://h/sparql" and not prologue.has_base
    assert read_prologue(scan("ASK {}")) == type(prologue)({}, None, False, 0)


def test_the_added_base_is_written_by_the_escaper() -> None:
    query = "SELECT * WHERE { <s> ?p ?o }"
    assert (
        prepare_query(query, base_iri="http://h/sparql").text == f"BASE <http://h/sparql> {query}"
    )
    assert prepare_query("BASE <http://q/> " + query, base_iri="http://h/").text.startswith(
        "BASE <http://q/> "
    )
    with pytest.raises(TermError, match="base IRI"):
        prepare_query(query, base_iri="http://h/> } SERVICE <http://evil/> { #")


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <a> <b> <c> }", "PREFIX : <http://e/> LOAD <http://x/>", "ASK {} ; DROP ALL"],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        prepare_query(update)
