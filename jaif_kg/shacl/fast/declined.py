"""What in a shapes graph makes the fast engine decline it as a whole, read from the graph before
any shape is compiled: everything of SHACL's vocabulary it does not evaluate exactly as pySHACL
does. ``engine="auto"`` then hands the shapes to pySHACL; ``engine="fast"`` refuses them.

* A SHACL-namespace predicate or class it does not know: custom constraint components
  (https://www.w3.org/TR/shacl/#constraint-components, ``sh:parameter``, validators),
  SHACL Advanced Features (``sh:rule``, ``sh:target``, functions), property pair components,
  anything newer.
* A class declared ``rdfs:subClassOf`` one of SHACL's (a shape, component, validator or target
  type reached through the class hierarchy of the shapes graph).
* ``sh:deactivated`` with a value other than ``true`` or ``false`` (section 2.1.5;
  pySHACL reads ``"false"`` as a string as true).
* ``sh:datatype rdfs:Datatype`` (pySHACL accepts a literal that has a data type as rdflib reads
  it, which a literal of Oxigraph's does not show).
* A property shape with a ``sh:property`` of its own: pySHACL validates a value node once per
  focus node that reaches it (so reports the same result more than once), which the engine's
  queries do not reproduce.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import cast

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import SH, XSD
from rdflib.term import Identifier, Node

from jaif_kg.rdf.graph import term_text

#: The SHACL predicates the engine evaluates (or that change no result: sh:name, sh:order...).
KNOWN_PREDICATES = frozenset(
    SH[name]
    for name in (  # noqa: SIM905 - a list of names reads better as words
        # targets and shapes (2.1, 2.3)
        "targetClass targetNode targetSubjectsOf targetObjectsOf property path inversePath "
        "alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath severity message "
        "deactivated name description order group defaultValue "
        # core components (4)
        "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive "
        "maxInclusive minLength maxLength pattern flags languageIn uniqueLang not and or xone "
        "node qualifiedValueShape qualifiedMinCount qualifiedMaxCount "
        "qualifiedValueShapesDisjoint closed ignoredProperties hasValue in "
        # SPARQL-based constraints (5)
        "sparql select prefixes declare prefix namespace"
    ).split()
)

#: The SHACL classes a node of the shapes graph may be typed with.
KNOWN_TYPES = frozenset(
    (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint, SH.PrefixDeclaration, SH.PropertyGroup)
)

_BOOLEANS = (RdfLiteral(True), RdfLiteral(False))


def _is_shacl(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(SH))


def declined(shapes: Graph) -> list[str]:
    """Why the fast engine declines ``shapes`` as a whole (see the module docstring), sorted;
    empty when it does not.

    >>> g = Graph().parse(format="turtle", data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:S> sh:targetNode <urn:a> ; sh:equals <urn:p> ; sh:deactivated "false" .''')
    >>> declined(g)  # doctest: +NORMALIZE_WHITESPACE
    ['<urn:S>: sh:deactivated "false" (only true or false)', '<urn:S>: sh:equals']
    """
    problems: set[str] = set()
    for s, p, o in shapes:
        if _is_shacl(p) and p not in KNOWN_PREDICATES:
            problems.add(f"{term_text(s)}: {term_text(p)}")
        if p == RDF.type and _is_shacl(o) and o not in KNOWN_TYPES:
            problems.add(f"{term_text(s)}: a {term_text(o)}")
    for cls in set(shapes.subjects(RDFS.subClassOf, None)):
        for above in shapes.transitive_objects(cls, RDFS.subClassOf):
            if above is not None and above != cls and _is_shacl(above):
                problems.add(f"{term_text(cls)}: rdfs:subClassOf {term_text(above)}")
    for node, value in shapes.subject_objects(SH.deactivated):
        if not (
            isinstance(value, RdfLiteral) and value in _BOOLEANS and value.datatype == XSD.boolean
        ):
            problems.add(f"{term_text(node)}: sh:deactivated {value.n3()} (only true or false)")
    for node in shapes.subjects(SH.datatype, RDFS.Datatype):
        # pySHACL: every literal with a data type in rdflib's reading, which Oxigraph's
        # terms do not show (it gives every literal one)
        problems.add(f"{term_text(node)}: sh:datatype rdfs:Datatype")
    for shape in set(shapes.subjects(SH.property, None)):
        if shapes.value(shape, SH.path) is not None:
            problems.add(
                f"{term_text(shape)}: sh:property in a property shape (pySHACL reports a value "
                "once per focus node that reaches it)"
            )
    return sorted(problems)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING_TYPES = frozenset((f"{_XSD}string", str(RDF.langString)))
_SCRATCH_PREDICATE = ox.NamedNode("urn:jaif-kg:literal")
#: Enough examples for a user to find the literals a reason is about.
_SHOWN = 3


def _distinct_typed_literals(objects: Iterable[object]) -> list[ox.Literal]:
    """The distinct literals among ``objects`` whose data type is neither ``xsd:string`` nor
    ``rdf:langString`` (the only ones Oxigraph rewrites, or whose form rdflib judges), in a
    stable order."""
    found = {o for o in objects if isinstance(o, ox.Literal)}  # the types: once per literal
    return sorted((o for o in found if o.datatype.value not in _STRING_TYPES), key=str)


def _stored(literals: list[ox.Literal]) -> tuple[ox.Store, list[ox.Literal]]:
    """A scratch store holding ``literals`` (the ``k``-th as the object of ``<urn:jaif-kg:k>``)
    and each literal as Oxigraph's store gives it back."""
    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:jaif-kg:{k}"), _SCRATCH_PREDICATE, lit)
        for k, lit in enumerate(literals)
    )
    back: list[ox.Literal] = list(literals)
    for quad in store:
        back[int(cast(ox.NamedNode, quad.subject).value.rsplit(":", 1)[1])] = cast(
            ox.Literal, quad.object
        )
    return store, back


def _shown(literals: list[ox.Literal]) -> str:
    more = f" and {len(literals) - _SHOWN} more" if len(literals) > _SHOWN else ""
    return ", ".join(str(lit) for lit in literals[:_SHOWN]) + more


def pyshacl_well_formed(literal: Identifier, datatype: Node) -> bool:
    """Whether pySHACL takes ``literal`` (as rdflib reads it, with its own data type) for a
    well-formed literal of ``datatype`` (its ``DatatypeConstraintComponent``: rdflib's
    ``ill_typed``, then the Python type of the value for the types it knows).

    >>> from rdflib import Literal
    >>> pyshacl_well_formed(Literal("10000-01-01", datatype=XSD.date), XSD.date)
    False
    >>> pyshacl_well_formed(Literal("P1D2H", datatype=XSD.duration), XSD.duration)
    False
    """
    if not isinstance(literal, RdfLiteral) or literal.datatype != datatype:
        return False
    if literal.ill_typed is True:
        return False
    python_type = _PYSHACL_TYPES.get(str(datatype))
    return python_type is None or isinstance(literal.value, python_type)


#: The Python types pySHACL requires of the value of a literal of these data types (rdflib
#: gives a ``datetime`` for an ``xsd:date`` that it parses as one, so order matters not here:
#: each type is checked alone).
_PYSHACL_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): date,
    str(XSD.time): time,
    str(XSD.dateTime): datetime,
}


def data_declined(objects: Iterable[object], datatypes: Iterable[Node] = ()) -> list[str]:
    """Why the data makes the fast engine decline, from the objects of its triples as parsed
    (pyoxigraph terms, before they are stored): empty when it does not.

    * A literal that Oxigraph's store keeps in another form than the parsed one (it
      canonicalises valid numbers, booleans, dates and durations, ``"01"^^xsd:integer`` is
      ``"1"``, and rewrites derived integer types and ``xsd:dateTimeStamp``): ``sh:hasValue``,
      ``sh:in``, the string-based components, ``sh:datatype`` and the value reported would
      see another term than pySHACL. Decided by storing the distinct literals of the data
      (those of another type than ``xsd:string`` and ``rdf:langString``) in a scratch store and
      comparing what comes back.
    * A literal of one of ``datatypes`` (the values of ``sh:datatype`` in the shapes) whose
      well-formedness the fast engine's test (:func:`~jaif_kg.shacl.fast.value_type.datatype_ok`,
      evaluated by Oxigraph on the literal) and pySHACL's (:func:`pyshacl_well_formed`) judge
      differently (``"10000-01-01"^^xsd:date``).

    >>> integer = ox.NamedNode(str(XSD.integer))
    >>> data_declined([ox.Literal("1", datatype=integer), ox.Literal("01", datatype=integer)])
    ... # doctest: +ELLIPSIS
    ['the data has literals that Oxigraph stores in another form: "01"^^<...> (stored as "1"...)']
    >>> date_type = ox.NamedNode(str(XSD.date))
    >>> data_declined([ox.Literal("10000-01-01", datatype=date_type)], [XSD.date])
    ... # doctest: +ELLIPSIS
    ['the data has xsd:date literals that pySHACL and the fast engine judge differently: "10000...']
    """
    literals = _distinct_typed_literals(objects)
    if not literals:
        return []
    store, back = _stored(literals)
    rewritten = [
        f"{lit} (stored as {stored})"
        for lit, stored in zip(literals, back, strict=True)
        if lit != stored
    ]
    if rewritten:
        more = f" and {len(rewritten) - _SHOWN} more" if len(rewritten) > _SHOWN else ""
        return [
            "the data has literals that Oxigraph stores in another form: "
            + ", ".join(rewritten[:_SHOWN])
            + more
        ]
    from jaif_kg.rdf.graph import to_rdflib_term
    from jaif_kg.shacl.fast.value_type import datatype_ok

    reasons = []
    for datatype in sorted({str(d) for d in datatypes if isinstance(d, URIRef)} - _STRING_TYPES):
        mine = [k for k, lit in enumerate(literals) if lit.datatype.value == datatype]
        if not mine:
            continue
        query = (
            f"SELECT ?s WHERE {{ ?s <{_SCRATCH_PREDICATE.value}> ?v "
            f"FILTER (DATATYPE(?v) = <{datatype}> && {datatype_ok(URIRef(datatype), '?v')}) }}"
        )
        fast_ok = {
            int(cast(ox.NamedNode, row["s"]).value.rsplit(":", 1)[1])
            for row in cast(ox.QuerySolutions, store.query(query))
        }
        with _quiet_rdflib():
            differ = [
                literals[k]
                for k in mine
                if (k in fast_ok)
                != pyshacl_well_formed(to_rdflib_term(literals[k]), URIRef(datatype))
            ]
        if differ:
            reasons.append(
                f"the data has {term_text(URIRef(datatype))} literals that pySHACL and the fast "
                f"engine judge differently: {_shown(differ)}"
            )
    return reasons


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs every lexical form it cannot convert (pySHACL's run will too)."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
