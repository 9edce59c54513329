"""THE SPARQL lexer: every scan of query text for strings, IRIs and comments goes through here.

A tokenizer, not a parser: it never decides whether a query is valid (the engine does, and the
structural checks of :mod:`jaif_kg.sparql.safety` parse). It finds keywords, variables, prefixed
names and brackets outside strings, IRIs and comments, with the nesting depth of each token, and
it is linear in the length of the text (no alternative looks ahead over a run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# SPARQL 1.1 grammar [164]-[169], non-ASCII letters approximated by U+00C0-U+FFFD. A variable
# name has no hyphen ("?a-1" is "?a", "-", "1"); a prefixed name may, but does not start with one.
_NAME_START = "A-Za-z0-9_\u00c0-\ufffd"
_VARNAME = _NAME_START + "\u00b7"
_PN_CHARS = _VARNAME + "\\-"
#: PN_LOCAL_ESC (SPARQL 1.1 grammar [173]): a backslash and one of these is part of a local name.
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
# Every alternative is linear: no look-ahead over a run, no nested repetition. Words and prefixed
# names are one greedy run ("name") whose trailing dots are split off afterwards (a local name may
# contain a dot but not end with one), so ``:a.a.a.`` costs one pass, not one per dot.
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][{_VARNAME}]+)
  | (?P<bnode>_:[{_PN_CHARS}.]+)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<name>(?:[{_NAME_START}:%]|{_LOCAL_ESC})(?:[{_PN_CHARS}:%.]|{_LOCAL_ESC})*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\];,.*+\-/!=<>|^@?$])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """A significant token: its kind, text, span and nesting depth (braces, parentheses)."""

    kind: str
    text: str
    start: int
    end: int
    braces: int
    parens: int


def scan(text: str) -> list[Token]:
    """Tokenize SPARQL text, dropping white space and comments (linear in the text's length).

    ``braces`` / ``parens`` are the nesting depths *before* the token. Kinds: ``string``,
    ``iri``, ``var``, ``bnode``, ``number``, ``pname`` (a prefixed name), ``word`` (a keyword or
    function name), ``punct`` and ``other``.

    >>> [t.text for t in scan('ASK { ?s <p> "}#" } # FROM')]
    ['ASK', '{', '?s', '<p>', '"}#"', '}']
    >>> [(t.kind, t.text) for t in scan(r"?s :a\\#b :c.")][1:]
    [('pname', ':a\\\\#b'), ('pname', ':c'), ('punct', '.')]
    """
    tokens: list[Token] = []
    braces = parens = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        value = m.group()
        start, end = m.start(), m.end()
        if kind in ("name", "bnode"):
            body = value.rstrip(".")
            if kind == "name":
                kind = "pname" if ":" in body else "word"
            tokens.append(Token(kind, body, start, start + len(body), braces, parens))
            tokens.extend(
                Token("punct", ".", k, k + 1, braces, parens) for k in range(start + len(body), end)
            )
            continue
        tokens.append(Token(kind, value, start, end, braces, parens))
        if kind == "punct":
            if value == "{":
                braces += 1
            elif value == "}":
                braces -= 1
            elif value == "(":
                parens += 1
            elif value == ")":
                parens -= 1
    return tokens


def code_mask(text: str) -> str:
    """``text`` with every string, IRI and comment blanked out (line breaks and offsets kept; a
    string keeps its outer quote characters, so it still reads as a term), so that keywords and
    variables can be searched in what is left.

    >>> code_mask('SELECT ?x WHERE { ?x <http://e/x> "WHERE {" } # WHERE {')
    'SELECT ?x WHERE { ?x               "       " }          '
    """
    out = list(text)
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("comment", "string", "iri"):
            start, end = m.span()
            if kind == "string":
                start, end = start + 1, end - 1
            for k in range(start, end):
                if out[k] not in "\n\r":
                    out[k] = " "
    return "".join(out)
