"""Lookups: the queries the server may answer in its own process, decided on a complete parse.

A *lookup* is a ``SELECT`` of one triple pattern, the query linked-data clients send most
(``SELECT ?p ?o WHERE { <project> ?p ?o }``). Its evaluation is one scan of an index of the
store in which every entry read is a row of the answer: the work is proportional to the answer,
which the caller caps in bytes (:meth:`jaif_kg.workers.pool.QueryExecutor.run` answers it in
the HTTP process under a 64 KiB cap, and hands a larger answer to a query worker). Every other
query goes to a worker, under the kernel sandbox and the time limit, as before.

:func:`parse_lookup` decides with a grammar, not with tokens: the text must be, from its first
character to its last, a sentence of this subset of SPARQL 1.1 (keywords in any case)::

    Lookup      ::= Prefix* 'SELECT' ( '*' | Var+ ) 'WHERE'? '{' Term Term Term '.'? '}'
                    ( 'LIMIT' Integer )?
    Prefix      ::= 'PREFIX' Pname ':' IRI
    Term        ::= Var | IRI | PrefixedName | 'a' | Literal | Number

with white space only between them, and it must then pass these checks:

* no backslash anywhere (none of the subset's tokens has one: SPARQL 1.1 §19.2 expands ``\\u``
  escapes before parsing, and string escapes are a language of their own), no comment, no
  blank node, no ``BASE``;
* every IRI absolute, every prefix declared (once, or twice with the same IRI);
* no variable twice in the pattern (``?x ?p ?x`` would read entries it does not return);
* nothing else: ``DISTINCT``, ``OFFSET``, ``FILTER``, ``FROM``, a second pattern, ``SERVICE``
  are all outside the grammar, so such a query is declined (``None``) and goes to a worker.

The engine is then given :attr:`Lookup.text`, a text written here from the parse (full IRIs,
the variables and literals as read, one space apart), never the client's: nothing the client
wrote can reach the engine's parser unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The longest text looked at: a lookup is short; a longer text goes to a worker unread.
MAX_LOOKUP_CHARS = 2048

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_WS = r"[ \t\r\n]"
# IRIREF ([139]) without escapes; absolute IRIs are required afterwards
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
# subsets of PN_PREFIX ([168]) and PN_LOCAL ([169]): ASCII, no dots, no escapes, no %
_PREFIX = r"[A-Za-z][A-Za-z0-9_-]*"
_LOCAL = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
_PNAME = rf"(?:{_PREFIX})?:(?:{_LOCAL})?"
_VAR = r"[?$][A-Za-z0-9_]+"
_LANG = r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"
_STRING = r"\"[^\"\\\n\r]*\"|'[^'\\\n\r]*'"
_LITERAL = rf"(?:{_STRING})(?:{_LANG}|\^\^(?:{_IRI}|{_PNAME}))?"
_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
# VarOrTerm ([106]) for the subject and the object, VarOrIri or 'a' ([78]) for the predicate
_TERM = rf"{_VAR}|{_IRI}|{_LITERAL}|{_NUMBER}|{_PNAME}"
_VERB = rf"{_VAR}|{_IRI}|{_PNAME}|a"

_PREFIX_DECL = re.compile(rf"(?i:PREFIX){_WS}+({_PREFIX})?:{_WS}*({_IRI})")
_LOOKUP = re.compile(
    rf"""
    {_WS}*
    (?P<prologue>(?:(?i:PREFIX){_WS}+(?:{_PREFIX})?:{_WS}*{_IRI}{_WS}*)*)
    (?i:SELECT){_WS}*
    (?P<projection>\*|(?:{_VAR}{_WS}*)+){_WS}*
    (?:(?i:WHERE){_WS}*)?
    \{{{_WS}*
    (?P<s>{_TERM}){_WS}+(?P<p>{_VERB}){_WS}+(?P<o>{_TERM}){_WS}*(?:\.{_WS}*)?
    \}}{_WS}*
    (?:(?i:LIMIT){_WS}+(?P<limit>[0-9]{{1,18}}){_WS}*)?
    """,
    re.VERBOSE,
)
_PROJECTED = re.compile(_VAR)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_TYPED = re.compile(rf"((?:{_STRING}))\^\^({_IRI}|{_PNAME})")


@dataclass(frozen=True)
class Lookup:
    """A query :func:`parse_lookup` accepted.

    Attributes:
        text: the query written from the parse (what the engine is given).
        pattern: the triple pattern's three terms as written in :attr:`text`.
        variables: the projected variables, in order (empty for ``*``).
        limit: the query's ``LIMIT``, if any.
    """

    text: str
    pattern: tuple[str, str, str]
    variables: tuple[str, ...]
    limit: int | None


def parse_lookup(text: str) -> Lookup | None:
    """The lookup ``text`` is, or ``None`` when it is any other query (or not a query).

    >>> parse_lookup("PREFIX ex: <http://e.org/> SELECT ?p ?o WHERE { ex:x ?p ?o }").text
    'SELECT ?p ?o WHERE { <http://e.org/x> ?p ?o }'
    >>> parse_lookup("select * { ?s a 'x'@en . } limit 5").text
    "SELECT * WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> 'x'@en } LIMIT 5"
    >>> [parse_lookup(q) for q in ("SELECT * { ?s ?p ?s }", "SELECT * { <x> ?p ?o }",
    ...  "SELECT * { ?s ?p ?o } OFFSET 9", "SELECT * { ?s ?p ?o # }\\n}")]
    [None, None, None, None]
    """
    if len(text) > MAX_LOOKUP_CHARS:
        return None
    match = _LOOKUP.fullmatch(text)
    if match is None:
        return None
    prefixes: dict[str, str] = {}
    for declared in _PREFIX_DECL.finditer(match["prologue"]):
        name, iri = declared[1] or "", declared[2]
        if prefixes.setdefault(name, iri) != iri or not _absolute(iri):
            return None
    pattern = []
    for part in ("s", "p", "o"):
        term = _term(match[part], prefixes)
        if term is None:
            return None
        pattern.append(term)
    variables = [t for t in pattern if t[0] in "?$"]
    if len({v[1:] for v in variables}) != len(variables):
        return None  # a repeated variable reads entries it does not return
    projection = match["projection"]
    names = tuple(_PROJECTED.findall(projection)) if projection != "*" else ()
    if len({n[1:] for n in names}) != len(names):
        return None  # a variable projected twice
    select = " ".join(names) if names else "*"
    limit = None if match["limit"] is None else int(match["limit"])
    written = f"SELECT {select} WHERE {{ {' '.join(pattern)} }}"
    if limit is not None:
        written += f" LIMIT {limit}"
    return Lookup(written, (pattern[0], pattern[1], pattern[2]), names, limit)


def _absolute(iri: str) -> bool:
    return _SCHEME.match(iri[1:-1]) is not None


def _expand(pname: str, prefixes: dict[str, str]) -> str | None:
    prefix, _, local = pname.partition(":")
    namespace = prefixes.get(prefix)
    if namespace is None:
        return None
    return f"{namespace[:-1]}{local}>"


def _term(term: str, prefixes: dict[str, str]) -> str | None:
    """``term`` as the engine is given it: prefixed names and ``a`` expanded, IRIs checked
    absolute; ``None`` when it cannot be (an undeclared prefix, a relative IRI)."""
    if term == "a":
        return _RDF_TYPE
    first = term[0]
    if first in "?$+-" or first.isdigit():
        return term
    if first == "<":
        return term if _absolute(term) else None
    if first in "\"'":
        typed = _TYPED.fullmatch(term)
        if typed is None:  # a plain or language-tagged string
            return term
        datatype = typed[2]
        if datatype[0] != "<":  # "1"^^xsd:integer: the datatype as a full IRI
            datatype = _expand(datatype, prefixes) or ""
        return f"{typed[1]}^^{datatype}" if datatype and _absolute(datatype) else None
    expanded = _expand(term, prefixes)
    return expanded if expanded is not None and _absolute(expanded) else None
