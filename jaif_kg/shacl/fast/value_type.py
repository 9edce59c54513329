"""Value type constraint components: ``sh:class``, ``sh:datatype``, ``sh:nodeKind``
(https://www.w3.org/TR/shacl/#core-components-value-type).

The data type check treats as ill-typed what rdflib cannot read for the types pySHACL checks
(string, langString, boolean, integer, decimal, float, double, date, time, dateTime) and accepts
any lexical form of other types, as pySHACL does.
"""

from __future__ import annotations

from typing import cast

from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import RDF_TYPE, Context, Fails, Stack, term

#: Data types whose lexical forms pySHACL checks (through rdflib), as SPARQL conditions on the
#: value ``{v}`` of type ``{t}``. Other data types accept any lexical form (as pySHACL does).
_WELL_FORMED: dict[str, str] = {
    str(XSD.boolean): 'STR({v}) IN ("true", "false", "1", "0")',
    str(XSD.integer): r'REGEX(STR({v}), "^\\s*[+-]?[0-9]+(_[0-9]+)*\\s*$")',
    str(XSD.decimal): r'REGEX(STR({v}), "^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\s*$")',
    **dict.fromkeys(
        map(str, (XSD.float, XSD.double, XSD.date, XSD.time, XSD.dateTime)),
        "COALESCE(DATATYPE({t}(STR({v}))) = {t}, false)",
    ),
}

_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


def class_fails(c: Context, cls: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is not a SHACL instance of ``cls`` (4.1.1)."""
    t = c.var("t")
    classes = " ".join(c.class_terms(cls))
    return f"NOT EXISTS {{ {v} {RDF_TYPE} {t} . VALUES {t} {{ {classes} }} }}"


def datatype_ok(datatype: Node, v: str) -> str:
    """``v`` is a well-formed literal of ``datatype`` (4.1.2).

    >>> datatype_ok(RDF.langString, "?v")
    '(isLiteral(?v) && LANG(?v) != "")'
    """
    if datatype == RDF.langString:
        return f'(isLiteral({v}) && LANG({v}) != "")'
    if datatype == RDFS.Literal:
        return f"isLiteral({v})"
    dt = term(URIRef(str(datatype)))
    base = f"(isLiteral({v}) && DATATYPE({v}) = {dt}"
    if str(datatype) == str(XSD.string):
        base = f'(isLiteral({v}) && LANG({v}) = "" && DATATYPE({v}) = {dt}'
    check = _WELL_FORMED.get(str(datatype))
    if check is None:
        return base + ")"
    return f"{base} && {check.format(v=v, t=dt)})"


def datatype_fails(c: Context, datatype: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is not a well-formed literal of ``datatype`` (4.1.2)."""
    return f"!({datatype_ok(datatype, v)})"


def node_kind_fails(c: Context, kind: Node, v: str, stack: Stack = ()) -> str:
    """``v`` is not of the node kind ``kind`` (4.1.3).

    Raises:
        InputError: ``kind`` is not a SHACL node kind.
    """
    if kind not in _NODE_KINDS:
        raise InputError(f"unknown sh:nodeKind {term_text(kind)}")
    return "!" + _NODE_KINDS[cast(URIRef, kind)].format(v=v)


FAILS: dict[URIRef, Fails] = {
    SH["class"]: class_fails,
    SH.datatype: datatype_fails,
    SH.nodeKind: node_kind_fails,
}
