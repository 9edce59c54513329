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
* A property shape with a ``sh:property`` of its own: pySHACL validates a value node once per
  focus node that reaches it (so reports the same result more than once), which the engine's
  queries do not reproduce.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import SH, XSD
from rdflib.term import Node

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
    for shape in set(shapes.subjects(SH.property, None)):
        if shapes.value(shape, SH.path) is not None:
            problems.add(
                f"{term_text(shape)}: sh:property in a property shape (pySHACL reports a value "
                "once per focus node that reaches it)"
            )
    return sorted(problems)


#: Data types whose literals Oxigraph's store rewrites (to ``xsd:integer``, ``xsd:dateTime``):
#: a result's value, ``sh:datatype``, ``sh:in`` and ``sh:hasValue`` then see another term than
#: pySHACL sees.
REWRITTEN_DATATYPES = frozenset(
    str(XSD[name])
    for name in (  # noqa: SIM905 - a list of names reads better as words
        "int long short byte nonNegativeInteger positiveInteger nonPositiveInteger "
        "negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte dateTimeStamp"
    ).split()
)


def rewritten_literals(objects: Iterable[object]) -> list[str]:
    """Why the data makes the fast engine decline: the data types of ``objects`` (rdflib or
    pyoxigraph terms, as parsed, before they are stored) that Oxigraph's store rewrites. The
    store no longer shows them, so the caller checks the data as read.

    >>> from rdflib import Literal
    >>> rewritten_literals([Literal(1), Literal("5", datatype=XSD.positiveInteger)])
    ['the data has literals of xsd:positiveInteger, which Oxigraph stores as another type']
    """
    found: set[str] = set()
    for node in objects:
        datatype = getattr(node, "datatype", None)
        iri = str(getattr(datatype, "value", datatype)) if datatype is not None else ""
        if iri in REWRITTEN_DATATYPES:
            found.add(iri)
    return [
        f"the data has literals of {term_text(URIRef(iri))}, which Oxigraph stores as another type"
        for iri in sorted(found)
    ]
