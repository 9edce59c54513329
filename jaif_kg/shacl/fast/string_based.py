"""String-based constraint components: ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
``sh:flags``), ``sh:languageIn``, ``sh:uniqueLang``
(https://www.w3.org/TR/shacl/#core-components-string).

``sh:uniqueLang`` reports one result per repeated language, without a value, as pySHACL does.
A ``sh:pattern`` with look-around, back-references or inline flags (which SPARQL's ``REGEX``
does not share with Python) is declined.
"""

from __future__ import annotations

import re

from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import Context, Fails, Focus, Shape, Stack, Unsupported, term
from jaif_kg.sparql.escape import sparql_string


def _length(op: str, param: URIRef) -> Fails:
    def fails(c: Context, limit: Node, v: str, stack: Stack = ()) -> str:
        if param == SH.minLength and limit == RdfLiteral(0):
            return "false"
        return f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) {op} {term(limit)}, false))"

    return fails


def pattern_fails(c: Context, pattern: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is a blank node or its text does not match ``pattern`` (4.4.3)."""
    text = str(pattern)
    if re.search(r"\(\?[=!<]|\\[1-9]|\(\?[a-z]", text):
        raise Unsupported(f"sh:pattern {text!r}: look-around, back-references or inline flags")
    flags = ""
    for shape in c.g.subjects(SH.pattern, pattern):
        flag = c.g.value(shape, SH.flags)
        if flag is not None:
            flags = str(flag)
    flag_arg = f", {sparql_string(flags)}" if flags else ""
    return f"(isBlank({v}) || !REGEX(STR({v}), {sparql_string(text)}{flag_arg}))"


def language_in_fails(c: Context, languages: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is not a literal in one of the ``languages`` (4.4.4)."""
    wanted = [str(m).lower() for m in c.members(languages)]
    if "*" in wanted:
        return f'!(isLiteral({v}) && LANG({v}) != "")'
    options = " || ".join(
        f"LCASE(LANG({v})) = {sparql_string(w)} || "
        f'LCASE(STRBEFORE(LANG({v}), "-")) = {sparql_string(w)}'
        for w in wanted
    )
    return f"!(isLiteral({v}) && ({options or 'false'}))"


FAILS: dict[URIRef, Fails] = {
    SH.minLength: _length(">=", SH.minLength),
    SH.maxLength: _length("<=", SH.maxLength),
    SH.pattern: pattern_fails,
    SH.languageIn: language_in_fails,
}


def same_lang_pair(x: str, path: str | None, a: str, b: str) -> str:
    """A pattern matching two distinct values ``a``, ``b`` of ``x path`` in the same language.

    >>> same_lang_pair("?x", "<urn:p>", "?a", "?b")  # doctest: +ELLIPSIS
    '?x <urn:p> ?a . ?x <urn:p> ?b . FILTER (!sameTerm(?a, ?b) && LANG(?a) != "" && ...)'
    """
    return (
        f"{x} {path} {a} . {x} {path} {b} . FILTER (!sameTerm({a}, {b}) && "
        f'LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b})))'
    )


def unique_lang(c: Context, shape: Shape) -> bool:
    """Whether property shape ``shape`` has ``sh:uniqueLang true`` (4.4.5)."""
    return c.one(shape.node, SH.uniqueLang) == RdfLiteral(True)


def unique_lang_condition(c: Context, shape: Shape, x: str) -> str:
    """``x`` has no two values of ``shape``'s path in the same language."""
    pair = same_lang_pair(x, shape.path_sparql, c.var("a"), c.var("b"))
    return f"NOT EXISTS {{ {pair} }}"


def unique_lang_check(c: Context, shape: Shape, focus: Focus) -> None:
    """The check of ``sh:uniqueLang`` on ``shape``."""
    pair = same_lang_pair("?this", shape.path_sparql, "?a", "?b")
    sparql = f"SELECT DISTINCT ?this (LCASE(LANG(?a)) AS ?lang) WHERE {{ {focus('?this')} {pair} }}"
    c.add(
        sparql,
        c.focus_only(
            shape,
            "UniqueLangConstraintComponent",
            "More than one String shares the same Language",
        ),
        f"{term_text(shape.node)} uniqueLang",
    )
