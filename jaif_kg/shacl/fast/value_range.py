"""Value range constraint components: ``sh:minExclusive``, ``sh:minInclusive``,
``sh:maxExclusive``, ``sh:maxInclusive``
(https://www.w3.org/TR/shacl/#core-components-range).

A value that cannot be compared with the bound (another type, an ill-typed literal) fails, as
SPARQL's ``COALESCE(..., false)`` makes it.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.shacl.fast.context import Context, Fails, Stack, term


def _compare(op: str) -> Fails:
    def fails(c: Context, bound: Node, v: str, stack: Stack = ()) -> str:
        return f"!COALESCE({v} {op} {term(bound)}, false)"

    return fails


FAILS: dict[URIRef, Fails] = {
    SH.minExclusive: _compare(">"),
    SH.minInclusive: _compare(">="),
    SH.maxExclusive: _compare("<"),
    SH.maxInclusive: _compare("<="),
}
