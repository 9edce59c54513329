"""Keep local query engines from reaching the network.

Both embedded engines would follow a ``SERVICE <url>`` clause with an HTTP request (pyoxigraph
does it natively; rdflib through ``urlopen``), and rdflib would also fetch the IRI of a ``FROM``
graph it does not hold. The endpoint refuses such queries before they reach a store; these checks
make the local backends safe on their own, for every other caller of the library.
"""

from __future__ import annotations

import re

from jaif_kg.errors import QueryRefused

# Everything in which the word SERVICE is not the keyword: comments, strings (long and short,
# with escapes) and IRI references (SPARQL 1.1 grammar [139] IRIREF, [156]-[159] strings).
_NOT_CODE = re.compile(
    r"""
      \#[^\n\r]*                              # comment
    | '''(?:[^'\\]|\\.|'(?!''))*'''           # long single-quoted string
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"     # long double-quoted string
    | '(?:[^'\\\n\r]|\\.)*'                   # short strings
    | "(?:[^"\\\n\r]|\\.)*"
    | <[^<>"{}|^`\\\x00-\x20]*>               # IRIREF
    """,
    re.VERBOSE | re.DOTALL,
)

# The keyword as a token: not part of a variable, prefixed name, blank node label or longer word.
_SERVICE = re.compile(r"(?<![\w:?$.\\%-])SERVICE(?![\w:])", re.IGNORECASE)


def mentions_service(sparql: str) -> bool:
    """Whether a query uses the ``SERVICE`` keyword (outside strings, IRIs and comments).

    Conservative on purpose: it looks at tokens, not at a parse tree, so an odd query may be
    flagged, but a ``SERVICE`` clause is never missed.

    >>> mentions_service("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    True
    >>> mentions_service('SELECT ?service WHERE { ?service ex:SERVICE "SERVICE" } # SERVICE')
    False
    >>> mentions_service("SELECT * WHERE { service silent <http://x/> { } }")
    True
    """
    if "service" not in sparql.lower():
        return False
    return _SERVICE.search(_NOT_CODE.sub(" ", sparql)) is not None


def refuse_service(sparql: str) -> None:
    """Raise :class:`QueryRefused` when the query asks for a federated ``SERVICE`` call.

    >>> refuse_service("ASK {}")
    >>> refuse_service("ASK { SERVICE <http://127.0.0.1:9/> {} }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryRefused: SERVICE (federated query) is not allowed: ...
    """
    if mentions_service(sparql):
        raise QueryRefused(
            "SERVICE (federated query) is not allowed: this store never calls other endpoints"
        )
