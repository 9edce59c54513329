"""Query answers as plain JSON values: THE convention of the CLI's ``--format json`` and the API's
JSON rows: :func:`json_value` for a term of SPARQL JSON results, :func:`plain_value` for an rdflib
term.

A literal whose lexical form is valid for its XSD datatype becomes a JSON number (every integer
type, ``xsd:decimal``, ``xsd:double``, ``xsd:float``) or boolean; anything else, an ill-typed
literal included (``"1_000"^^xsd:integer``, ``"yes"^^xsd:boolean``), is its text, as are IRIs and
other literals. Blank nodes are ``_:label``; unbound variables ``null``. The lexical forms follow
`XML Schema 1.1 Part 2 §3.3 <https://www.w3.org/TR/xmlschema11-2/#built-in-primitive-datatypes>`_,
ASCII digits only (Python's ``int()`` and ``float()`` accept more: ``_`` and other scripts' digits).
"""

from __future__ import annotations

import re

from rdflib.term import BNode, Identifier, Literal

from jaif_kg.rdf.namespaces import PREFIXES

_XSD = PREFIXES["xsd"]
INTEGER_TYPES = frozenset(
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
)
_DECIMAL = _XSD + "decimal"
_FLOATING = frozenset({_XSD + "double", _XSD + "float"})
_BOOLEAN = _XSD + "boolean"
#: The lexical form of ``xsd:integer`` (and every integer type), ASCII digits only.
INTEGER_FORM = re.compile(r"[+-]?[0-9]+")
#: The lexical form of ``xsd:decimal``, ASCII digits only.
DECIMAL_FORM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_FLOAT_FORM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: The lexical forms of ``xsd:boolean`` and their values.
BOOLEAN_FORMS = {"true": True, "1": True, "false": False, "0": False}

JsonValue = str | int | float | bool | None


def literal_value(text: str, datatype: str | None) -> JsonValue:
    """A literal as a JSON value: a number or boolean when its form is valid for its datatype.

    >>> literal_value("3", _XSD + "int"), literal_value("2.50", _XSD + "decimal")
    (3, 2.5)
    >>> literal_value("1_000", _XSD + "integer"), literal_value("yes", _XSD + "boolean")
    ('1_000', 'yes')
    >>> literal_value("1.0e0", _XSD + "decimal"), literal_value("INF", _XSD + "double")
    ('1.0e0', 'INF')
    >>> literal_value("0", _XSD + "boolean"), literal_value("2022-06-30", _XSD + "date")
    (False, '2022-06-30')
    """
    if datatype is None:
        return text
    if datatype in INTEGER_TYPES:
        return int(text) if INTEGER_FORM.fullmatch(text) else text
    if datatype == _DECIMAL:
        return float(text) if DECIMAL_FORM.fullmatch(text) else text
    if datatype in _FLOATING:
        # INF and NaN are valid but JSON has no such numbers: they stay text
        return float(text) if _FLOAT_FORM.fullmatch(text) else text
    if datatype == _BOOLEAN:
        return BOOLEAN_FORMS.get(text, text)
    return text


def json_value(term: dict[str, str] | None) -> JsonValue:
    """A SPARQL JSON results term (`§3.2.2 <https://www.w3.org/TR/sparql11-results-json/>`_)
    as a plain JSON value.

    >>> json_value({"type": "literal", "value": "3",
    ...             "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
    3
    >>> json_value({"type": "uri", "value": "https://w3id.org/jaif-kg/id/country/KHM"})
    'https://w3id.org/jaif-kg/id/country/KHM'
    >>> json_value({"type": "bnode", "value": "b0"}), json_value(None)
    ('_:b0', None)
    """
    if term is None:
        return None
    kind, value = term.get("type"), term["value"]
    if kind == "bnode":
        return "_:" + value
    if kind in ("literal", "typed-literal"):
        return literal_value(value, term.get("datatype"))
    return value


def plain_value(term: Identifier | None) -> JsonValue:
    """An rdflib term as a plain JSON value (the CLI's rows), by :func:`literal_value`.

    >>> plain_value(Literal(3)), plain_value(Literal("2022-06-30", datatype=_XSD + "date"))
    (3, '2022-06-30')
    >>> from rdflib import URIRef
    >>> plain_value(URIRef("https://w3id.org/jaif-kg/id/country/KHM")), plain_value(BNode("b0"))
    ('https://w3id.org/jaif-kg/id/country/KHM', '_:b0')
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return literal_value(str(term), str(term.datatype) if term.datatype else None)
    return str(term)
