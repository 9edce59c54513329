"""THE escaper (:mod:`jaif_kg.sparql.escape`) against an injection corpus: whatever the text, a
term written by it is exactly one SPARQL term, or it is refused."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from jaif_kg.sparql.escape import TermError, is_valid_iri, sparql_iri, sparql_term

#: Texts that would end a string, an IRI or the query if pasted in.
INJECTIONS = [
    '"',
    '\\"',
    '" } ; DROP ALL ; #',
    "'''",
    '"""',
    "\\",
    "a\nb\rc",
    "ends with a backslash \\",
    "} UNION { ?s ?p ?o",
    "> } DROP ALL #",
    "\u0000\u001f\u007f",
    "\\u0022",
    "# not a comment",
    "\U0001f600 emoji",
]


@pytest.mark.parametrize("text", INJECTIONS)
@pytest.mark.parametrize("lang", [None, "en"])
def test_a_string_is_one_term_whatever_its_text(text: str, lang: str | None) -> None:
    term = Literal(text, lang=lang)
    store = ox.Store()
    result = store.query(f"SELECT ?x WHERE {{ BIND({sparql_term(term)} AS ?x) }}")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    value = row["x"]
    assert isinstance(value, ox.Literal)
    assert value.value == text
    assert value.language == lang


@pytest.mark.parametrize("text", [*INJECTIONS, "http://x/a b", "http://x/<a>", "http://x/{a}"])
def test_an_iri_that_could_break_out_is_refused(text: str) -> None:
    iri = text if text.startswith("http://x/") else "http://example.org/" + text
    if is_valid_iri(iri):
        assert sparql_iri(iri) == f"<{iri}>"
        return
    with pytest.raises(TermError):
        sparql_iri(iri)
    with pytest.raises(TermError):
        sparql_term(URIRef(iri))


@pytest.mark.parametrize("char", [*'<>"{}|^`\\ ', "\n", "\t", "\x00", "\x85"])
def test_each_forbidden_character_is_refused_and_named(char: str) -> None:
    with pytest.raises(TermError) as caught:
        sparql_iri(f"http://example.org/a{char}b")
    assert repr(char) in str(caught.value)


def test_typed_literals_blank_nodes_and_relative_iris() -> None:
    assert sparql_term(Literal(3)) == '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    with pytest.raises(TermError, match="blank node"):
        sparql_term(BNode("b0"))
    with pytest.raises(TermError, match="not absolute"):
        sparql_iri("relative/path")
    odd = Literal("x", lang="en")
    odd._language = "en } DROP"  # rdflib refuses such a tag itself; one made by another route
    with pytest.raises(TermError, match="language tag"):
        sparql_term(odd)
