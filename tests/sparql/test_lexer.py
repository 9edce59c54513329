"""THE lexer (:mod:`jaif_kg.sparql.lexer`) on its own: token kinds, what a string, an IRI or a
comment swallows, the masks the catalog searches, and a linear scan of a pathological text."""

from __future__ import annotations

import pytest
from rdflib import Literal

from jaif_kg.sparql.escape import sparql_string, sparql_term
from jaif_kg.sparql.lexer import Token, code_mask, scan
from tests.sparql.test_escape import INJECTIONS


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT", [("word", "SELECT")]),
        ("?s $o", [("var", "?s"), ("var", "$o")]),
        ("?a-1", [("var", "?a"), ("punct", "-"), ("number", "1")]),
        ("?naïve ?a·b", [("var", "?naïve"), ("var", "?a·b")]),
        ("ex:a :b ex:", [("pname", "ex:a"), ("pname", ":b"), ("pname", "ex:")]),
        ("ex:a-b.c", [("pname", "ex:a-b.c")]),
        ("ex:a.", [("pname", "ex:a"), ("punct", ".")]),
        ("_:b1 _:b2.", [("bnode", "_:b1"), ("bnode", "_:b2"), ("punct", ".")]),
        (
            "1 -2 3.5 .5 1e3 2.0E-7",
            [("number", "1"), ("punct", "-"), ("number", "2")]
            + [("number", n) for n in ("3.5", ".5", "1e3", "2.0E-7")],
        ),
        ("'a' \"b\"", [("string", "'a'"), ("string", '"b"')]),
        ("<http://e/x> <>", [("iri", "<http://e/x>"), ("iri", "<>")]),
        ("^^ && || != <= >= @", [("punct", p) for p in ("^^", "&&", "||", "!=", "<=", ">=", "@")]),
        ("{ ( [ ] ) } ; , * / !", [("punct", p) for p in "{([])};,*/!"]),
        ("~", [("other", "~")]),
        ("# only a comment\n  \t", []),
    ],
)
def test_token_kinds(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_spans_and_depths() -> None:
    text = "ASK { ?s ?p ( ?o ) }"
    tokens = scan(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [(t.text, t.braces, t.parens) for t in tokens] == [
        ("ASK", 0, 0),
        ("{", 0, 0),
        ("?s", 1, 0),
        ("?p", 1, 0),
        ("(", 1, 0),
        ("?o", 1, 1),
        (")", 1, 1),
        ("}", 1, 0),
    ]
    assert tokens[0] == Token("word", "ASK", 0, 3, 0, 0)


@pytest.mark.parametrize("char", list("_~.-!$&'()*+,;=/?#@%"))
def test_an_escaped_character_is_part_of_the_local_name(char: str) -> None:
    """PN_LOCAL_ESC (grammar [173]): ``:a\\#`` is one name, not a name and a comment."""
    text = f"ASK {{ ?s ?p :a\\{char}b }} # a comment"
    assert kinds(text)[4:] == [("pname", f":a\\{char}b"), ("punct", "}")]


def test_a_hash_after_a_name_without_backslash_starts_a_comment() -> None:
    assert kinds("ASK { ?s ?p :a#b }\n}") == [
        ("word", "ASK"),
        ("punct", "{"),
        ("var", "?s"),
        ("var", "?p"),
        ("pname", ":a"),
        ("punct", "}"),
    ]


@pytest.mark.parametrize(
    "literal",
    [
        '"{ } # <iri> ?v"',
        "'{ } # <iri> ?v'",
        '"a \\" } # still a string"',
        "'it\\'s { #'",
        '"""\n{ # \n"" }\n"""',
        "'''\n' } # ''\n'''",
    ],
)
def test_a_string_swallows_braces_hashes_iris_and_quotes(literal: str) -> None:
    text = f"SELECT * {{ BIND({literal} AS ?x) }}"
    tokens = scan(text)
    assert ("string", literal) in [(t.kind, t.text) for t in tokens]
    assert [t.text for t in tokens if t.kind == "punct" and t.text in "{}"] == ["{", "}"]
    assert tokens[-1].braces == 1


def test_a_long_string_is_one_token() -> None:
    body = "x { } # ' \\\" \n" * 20_000
    literal = f'"""{body}"""'
    tokens = scan(f"ASK {{ FILTER({literal} != '') }}")
    strings = [t for t in tokens if t.kind == "string"]
    assert [len(t.text) for t in strings] == [len(literal), 2]
    assert tokens[-1].text == "}" and tokens[-1].braces == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("?a<?b", [("var", "?a"), ("punct", "<"), ("var", "?b")]),
        ("?a < ?b", [("var", "?a"), ("punct", "<"), ("var", "?b")]),
        ("?a<=?b", [("var", "?a"), ("punct", "<="), ("var", "?b")]),
        (
            "1 < 2 > 0",
            [("number", "1"), ("punct", "<"), ("number", "2"), ("punct", ">"), ("number", "0")],
        ),
        ("<a> < <b>", [("iri", "<a>"), ("punct", "<"), ("iri", "<b>")]),
        ("?a<b>", [("var", "?a"), ("iri", "<b>")]),
        ('<a"b> ', [("punct", "<"), ("word", "a"), ("other", '"'), ("word", "b")]),
    ],
)
def test_an_iri_never_holds_a_space_and_a_less_than_is_an_operator(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert kinds(text)[: len(expected)] == expected


def test_code_mask_blanks_strings_iris_and_comments_keeping_offsets_and_lines() -> None:
    text = (
        "PREFIX ex: <http://e/#WHERE>\n"
        "SELECT ?x # WHERE {\n"
        'WHERE { ?x ex:p """WHERE {\n?x""" ; ex:q \'ok\' }'
    )
    masked = code_mask(text)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [
        i for i, c in enumerate(text) if c == "\n"
    ]
    assert masked.count("WHERE") == 1 and masked.index("WHERE") == text.index("\nWHERE {") + 1
    assert "?x" in masked and masked.count("?x") == 2  # the one in the string is gone
    assert masked.splitlines() == [
        "PREFIX ex: " + " " * len("<http://e/#WHERE>"),
        "SELECT ?x" + " " * len(" # WHERE {"),
        'WHERE { ?x ex:p "' + " " * len('""WHERE {'),
        " " * len('?x""') + "\" ; ex:q '  ' }",
    ]


def test_code_mask_leaves_code_alone_and_an_escaped_hash_is_code() -> None:
    code = "SELECT ?s WHERE { ?s ex:p ?o . FILTER(?o < 3) }"
    assert code_mask(code) == code
    assert code_mask("ASK { ?s ?p :a\\#b }") == "ASK { ?s ?p :a\\#b }"


@pytest.mark.parametrize("text", INJECTIONS)
@pytest.mark.parametrize("lang", [None, "en"])
def test_an_escaped_string_is_one_string_token(text: str, lang: str | None) -> None:
    """Whatever the injection, the escaper's literal is exactly one token to the lexer."""
    term = sparql_term(Literal(text, lang=lang))
    query = f"SELECT ?x WHERE {{ BIND({term} AS ?x) }} # end"
    tokens = scan(query)
    assert [t.kind for t in tokens] == [
        "word", "var", "word", "punct", "word", "punct", "string", *(["punct"] if lang else []),
        *(["word"] if lang else []), "word", "var", "punct", "punct",
    ]  # fmt: skip
    (string,) = (t for t in tokens if t.kind == "string")
    assert string.text == sparql_string(text)
    masked = code_mask(query)
    assert masked.count('"') == 2 and "DROP" not in masked and "UNION" not in masked


def test_a_four_hundred_thousand_dot_name_is_scanned_in_one_pass() -> None:
    """A local name may hold dots but not end with one: ``:a.a.a...a`` is one token, and trailing
    dots are one punctuation token each (each dot costs one step, not one rescan)."""
    dots = 400_000
    assert [(t.kind, len(t.text)) for t in scan(":a" + ".a" * dots)] == [("pname", 2 + 2 * dots)]
    tokens = scan("ASK { ?s ?p :a" + "." * dots + " }")
    assert len(tokens) == 6 + dots
    assert tokens[4] == Token("pname", ":a", 12, 14, 1, 0)
    assert {t.text for t in tokens[5:-1]} == {"."} and tokens[-1].text == "}"
