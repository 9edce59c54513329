"""Value range constraint components: ``sh:minExclusive``, ``sh:minInclusive``,
``sh:maxExclusive``, ``sh:maxInclusive``
(https://www.w3.org/TR/shacl/#core-components-range).

A value that cannot be compared with the bound (another type, an ill-typed literal) fails, as
SPARQL's ``COALESCE(..., false)`` makes it, and as pySHACL decides for numbers and dates. Where
pySHACL compares otherwise (rdflib's ordering of strings, language-tagged strings and other
types) or fails (a decimal against a NaN), the shape is declined: a bound that is not a number,
date or date-time, and any range constraint when the data holds a NaN.
"""

from __future__ import annotations

from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import Context, Fails, Stack, Unsupported, term

#: The types of bound whose comparisons pySHACL and SPARQL agree on.
COMPARABLE = frozenset((XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.date, XSD.dateTime))


def _compare(op: str, param: URIRef) -> Fails:
    def fails(c: Context, bound: Node, v: str, stack: Stack = ()) -> str:
        if not isinstance(bound, RdfLiteral) or bound.datatype not in COMPARABLE:
            raise Unsupported(f"{term_text(param)} {term_text(bound)}: not a number or date")
        if c.data_has_nan():
            raise Unsupported(f"{term_text(param)}: a NaN in the data (pySHACL fails on it)")
        return f"!COALESCE({v} {op} {term(bound)}, false)"

    return fails


FAILS: dict[URIRef, Fails] = {
    SH.minExclusive: _compare(">", SH.minExclusive),
    SH.minInclusive: _compare(">=", SH.minInclusive),
    SH.maxExclusive: _compare("<", SH.maxExclusive),
    SH.maxInclusive: _compare("<=", SH.maxInclusive),
}
