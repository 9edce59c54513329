"""String-based constraint components: ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
``sh:flags``), ``sh:languageIn``, ``sh:uniqueLang``
(https://www.w3.org/TR/shacl/#core-components-string).

``sh:uniqueLang`` reports one result per repeated language, without a value, as pySHACL does.
A ``sh:pattern`` on which SPARQL's ``REGEX`` and Python's ``re`` (pySHACL's) could disagree is
declined (see :func:`pattern_fails`); an invalid one is an error, as for pySHACL.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import Context, Fails, Focus, Shape, Stack, Unsupported, term
from jaif_kg.shacl.fast.unusable import describe_shape, pattern_error, python_flags
from jaif_kg.sparql.escape import sparql_string


def _length(op: str, param: URIRef) -> Fails:
    def fails(c: Context, limit: Node, v: str, stack: Stack = ()) -> str:
        if param == SH.minLength and limit == RdfLiteral(0):
            return "false"
        return f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) {op} {term(limit)}, false))"

    return fails


def pattern_fails(c: Context, pattern: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is a blank node or its text does not match ``pattern`` (4.4.3), with the flags
    pySHACL applies (``i`` and ``m`` of ``sh:flags``; it ignores the others).

    SPARQL's ``REGEX`` (Oxigraph's, Rust's ``regex`` crate) and pySHACL's (Python's ``re``)
    agree on the syntax both accept, except where this declines: look-around, back-references,
    inline flags, nested sets or set operations in a class (``[[:alpha:]]``, ``[a&&b]``), syntax
    Oxigraph rejects, and ``$`` when a literal of the data ends with a line break (Python's
    ``$`` also matches before it).

    Raises:
        InputError: ``pattern`` is not a valid regular expression.
        Unsupported: the two engines could disagree on it.
    """
    text = str(pattern)
    users = sorted(c.g.subjects(SH.pattern, pattern), key=lambda n: n.n3())
    flag_values = {f for shape in users for f in c.g.objects(shape, SH.flags)}
    if len(flag_values) > 1 or any(len(set(c.g.objects(u, SH.flags))) > 1 for u in users):
        raise Unsupported(f"sh:pattern {text!r}: several sh:flags")
    flag = next(iter(flag_values), None)
    problem = pattern_error(pattern, flag)
    if problem:
        raise InputError(f"{describe_shape(c.g, users[0]) if users else 'a shape'}: {problem}")
    if re.search(r"\(\?[=!<>]|\\[1-9]|\(\?[a-zA-Z]", text):
        raise Unsupported(f"sh:pattern {text!r}: look-around, back-references or inline flags")
    flags = "".join(f for f in "im" if f in str(flag or "").lower())
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        try:
            parsed = _sre_parse(text, python_flags(flag))
        except FutureWarning:
            raise Unsupported(f"sh:pattern {text!r}: a nested set or set operation") from None
    if not c.regex_compiles(text, flags):
        raise Unsupported(f"sh:pattern {text!r}: not accepted by SPARQL's REGEX")
    if "m" not in flags and _has_end_anchor(parsed) and c.data_has_final_line_break():
        raise Unsupported(f"sh:pattern {text!r}: $ and a literal that ends with a line break")
    flag_arg = f", {sparql_string(flags)}" if flags else ""
    return f"(isBlank({v}) || !REGEX(STR({v}), {sparql_string(text)}{flag_arg}))"


def _sre_parse(text: str, flags: int) -> Any:
    from re import _parser  # type: ignore[attr-defined]  # the parser ``re`` itself uses

    return _parser.parse(text, flags)


def _has_end_anchor(node: Any) -> bool:
    """Whether a parsed regular expression has ``$`` (``AT_END``) anywhere."""
    from re import _constants  # type: ignore[attr-defined]

    if hasattr(node, "data"):
        return any(_has_end_anchor(item) for item in node.data)
    if isinstance(node, list | tuple):
        if len(node) == 2 and node[0] is _constants.AT and node[1] is _constants.AT_END:
            return True
        return any(_has_end_anchor(item) for item in node)
    return False


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
