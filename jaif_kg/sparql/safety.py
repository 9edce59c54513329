"""Keep query engines from reaching the network: the structural ``SERVICE`` check.

Both embedded engines would follow a ``SERVICE <url>`` clause with an HTTP request (pyoxigraph
does it natively; rdflib through ``urlopen``), and a remote SPARQL server runs the query itself,
so it would too (Oxigraph server follows SERVICE anywhere). This module decides on a **real parse**
of the query (rdflib's SPARQL 1.1 parser), never on tokens:

* :func:`may_use_service` is an exact pre-filter in the safe direction: the ``SERVICE`` keyword can
  only be written with the letters ``s e r v i c e`` (any case), literally or as ``\\u`` / ``\\U``
  code point escapes, which SPARQL 1.1 (§19.2) expands before parsing. A text in which neither
  the raw nor the expanded form contains them cannot call a service, and needs no parse.
* :func:`inspect` parses the text and walks the parse tree for ``ServiceGraphPattern``. Verdicts
  are cached per text.
* :func:`refuse_service` refuses a query whose parse has a ``SERVICE``, and, by default
  (``strict``), a text that may use ``SERVICE`` but that the parser cannot read: rdflib rejects
  some valid queries Oxigraph accepts (the escaped local name ``:a\\#``), and an unread text is
  never passed on. The parser could still disagree with an engine the other way (read a text
  without SERVICE where the engine finds one); in the query workers the kernel sandbox
  (:mod:`jaif_kg.workers.sandbox`) covers that case, since it blocks every network socket whatever
  the
  text says. A remote server has no such layer: there this check is the only one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jaif_kg.errors import QueryRefused

#: SPARQL 1.1 §19.2 code point escapes, expanded before parsing.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

SERVICE_MESSAGE = (
    "SERVICE is not supported: this endpoint never calls other SPARQL services (federated "
    "queries are refused); query the other service yourself"
)
UNVERIFIED_MESSAGE = (
    "this query mentions SERVICE and the safety check's SPARQL parser cannot read it, so it is "
    "not sent to the SPARQL server (which would follow a SERVICE clause): {reason}"
)


def _expand_one(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def expand_escapes(text: str) -> str:
    """Expand ``\\uXXXX`` and ``\\UXXXXXXXX`` code point escapes (SPARQL 1.1 §19.2); linear.

    >>> expand_escapes(r"SERVI\\u0043E <x>")
    'SERVICE <x>'
    """
    return _ESCAPE.sub(_expand_one, text) if "\\" in text else text


def may_use_service(text: str) -> bool:
    """Whether the text could contain a ``SERVICE`` clause (an exact test in the safe direction).

    >>> may_use_service("SELECT * WHERE { ?s ?p ?o }")
    False
    >>> may_use_service(r"SELECT * WHERE { SeRvI\\u0063e <http://x/> {} }")
    True
    """
    if "service" in text.lower():
        return True
    return "\\" in text and "service" in expand_escapes(text).lower()


@dataclass(frozen=True)
class Inspection:
    """What the parse of a query shows.

    Attributes:
        parsed: the parser read the text (``reason`` says why not, otherwise).
        service: the parse tree has a ``SERVICE`` graph pattern.
        reason: the parser's message when it could not read the text.
    """

    parsed: bool
    service: bool = False
    reason: str = ""


def _has_service(node: Any) -> bool:
    """Whether an rdflib parse tree has a SERVICE pattern (walked iteratively: a deep query must
    not overflow Python's stack)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)
    return False


@lru_cache(maxsize=2048)
def inspect(text: str) -> Inspection:
    """Parse ``text`` with rdflib's SPARQL 1.1 parser and report what it contains (cached).

    >>> inspect("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }").service
    True
    >>> inspect("SELECT ?service WHERE { ?service <http://e/SERVICE> 'SERVICE' }").service
    False
    >>> inspect("SELECT * WHERE {").parsed
    False
    """
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except RecursionError:
        return Inspection(False, reason="the query is nested too deeply for the parser")
    except Exception as exc:  # pyparsing and rdflib raise several types for unreadable text
        return Inspection(False, reason=str(exc).splitlines()[0] if str(exc) else repr(exc))
    return Inspection(True, _has_service(tree))


def refuse_service(sparql: str, *, strict: bool = True) -> None:
    """Raise :class:`QueryRefused` when the query has a ``SERVICE`` clause.

    Args:
        sparql: the query text.
        strict: refuse, too, a text that may use ``SERVICE`` but that the parser cannot read
            (for engines that nothing else confines).

    >>> refuse_service("ASK {}")
    >>> refuse_service("ASK { SERVICE <http://127.0.0.1:9/> {} }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryRefused: SERVICE is not supported: ...
    >>> refuse_service(r"PREFIX : <http://e/> ASK { BIND(:a\\# AS ?q) SERVICE <http://x/> {} }")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryRefused: this query mentions SERVICE and the safety check's ...
    """
    if not may_use_service(sparql):
        return
    found = inspect(sparql)
    if found.service:
        raise QueryRefused(SERVICE_MESSAGE)
    if not found.parsed and strict:
        raise QueryRefused(UNVERIFIED_MESSAGE.format(reason=found.reason))
