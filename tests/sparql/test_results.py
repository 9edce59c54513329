"""THE JSON value convention (:mod:`jaif_kg.sparql.results`) for rdflib terms: the CLI's rows."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, Namespace, URIRef

from jaif_kg.rdf.namespaces import PREFIXES
from jaif_kg.sparql.results import plain_value

EX = "http://example.org/"
XSD = Namespace(PREFIXES["xsd"])


@pytest.mark.parametrize(
    ("term", "value"),
    [
        (None, None),
        (URIRef(f"{EX}a"), f"{EX}a"),
        (BNode("b1"), "_:b1"),
        (Literal("x", lang="en"), "x"),
        (Literal(7), 7),
        (Literal("7", datatype=XSD.nonNegativeInteger), 7),
        (Literal("2.50", datatype=XSD.decimal, normalize=False), 2.5),
        (Literal("NaN", datatype=XSD.double, normalize=False), "NaN"),
        (Literal(True), True),
        (Literal("2022-06-30", datatype=XSD.date), "2022-06-30"),
        (Literal("abc", datatype=XSD.integer, normalize=False), "abc"),
    ],
)
def test_plain_values(term: object, value: object) -> None:
    got = plain_value(term)  # type: ignore[arg-type]
    assert got == value and type(got) is type(value)
