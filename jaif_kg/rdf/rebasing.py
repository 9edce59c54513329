"""Reading the project's files under another base IRI, term by term.

The shipped files (``ontology/``, ``graph_data/``, the shapes, the named queries) always name
things under the default base ``https://w3id.org/jaif-kg/`` and stay so on disk. A deployment
under another base (setting ``JAIF_BASE_IRI``) reads every RDF file rebased, as it is parsed:

* every IRI under the default base: subjects, predicates, objects and the datatypes of literals
  (``"KHM"^^jaif:ISO3166Alpha3``), so the ontology's ``…/ontology#`` and the shapes' ``…/shapes#``
  namespaces move with the instances;
* literals that hold an IRI: those typed ``xsd:anyURI`` (``sh:namespace`` values of a SHACL
  prefix declaration) and the values of :data:`IRI_VALUED` properties
  (``vann:preferredNamespaceUri``);
* SPARQL text in literals of :data:`SPARQL_VALUED` properties (``sh:select`` and the other
  SHACL-SPARQL query properties): every occurrence of the default base, as
  :func:`jaif_kg.rdf.namespaces.rebase_text` does for the named queries.

Other literals (labels, comments) are text and keep what they say; graph names are kept too (the
reader chose them: the default graph, or the IRI given with ``--graph``). With the default base
nothing is done at all: the functions return what they were given, without a pass over it, and
:data:`stats` does not move (a test checks both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from jaif_kg.rdf.namespaces import DEFAULT_BASE, PREFIXES, rebase

_SH = PREFIXES["sh"]
_XSD_ANY_URI = PREFIXES["xsd"] + "anyURI"

#: Properties whose literal values are namespace IRIs written as strings.
IRI_VALUED: frozenset[str] = frozenset(
    {_SH + "namespace", "http://purl.org/vocab/vann/preferredNamespaceUri"}
)
#: Properties whose literal values are SPARQL text (SHACL-SPARQL, sections 5 and 6).
SPARQL_VALUED: frozenset[str] = frozenset(
    {_SH + "select", _SH + "ask", _SH + "construct", _SH + "update"}
)


@dataclass
class RebaseStats:
    """How much rebasing was done in this process (diagnostics; tests read it).

    Attributes:
        passes: calls that rebased a list of triples or quads (none with the default base).
        statements: triples and quads passed over.
    """

    passes: int = 0
    statements: int = 0


#: The process's rebasing counters.
stats = RebaseStats()


class Rebaser:
    """Rebases pyoxigraph terms from the default base onto ``base`` (one IRI object per IRI).

    >>> r = Rebaser("http://example.org/kg/")
    >>> code = ox.Literal("KHM", datatype=ox.NamedNode(DEFAULT_BASE + "ontology#ISO3166Alpha3"))
    >>> t = r.triple(ox.Triple(ox.NamedNode(DEFAULT_BASE + "id/country/KHM"),
    ...     ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation"), code))
    >>> t.subject.value, t.object.value, t.object.datatype.value
    ('http://example.org/kg/id/country/KHM', 'KHM', 'http://example.org/kg/ontology#ISO3166Alpha3')
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self._iris: dict[str, ox.NamedNode] = {}

    def iri(self, node: ox.NamedNode) -> ox.NamedNode:
        """``node`` under the new base (``node`` itself when it is not under the default one)."""
        value = node.value
        if not value.startswith(DEFAULT_BASE):
            return node
        found = self._iris.get(value)
        if found is None:
            found = self._iris[value] = ox.NamedNode(rebase(value, self.base))
        return found

    def literal(self, literal: ox.Literal, predicate: str) -> ox.Literal:
        """``literal`` as the object of ``predicate``, rebased where it holds IRIs."""
        if literal.language:
            return literal
        value = literal.value
        datatype = literal.datatype
        new_value = value
        if predicate in SPARQL_VALUED:
            new_value = value.replace(DEFAULT_BASE, self.base)
        elif datatype.value == _XSD_ANY_URI or predicate in IRI_VALUED:
            new_value = rebase(value, self.base)
        if new_value == value and not datatype.value.startswith(DEFAULT_BASE):
            return literal
        return ox.Literal(new_value, datatype=self.iri(datatype))

    def term(
        self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, predicate: str
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
        """Any term in object position of ``predicate``; blank nodes are kept."""
        if isinstance(term, ox.NamedNode):
            return self.iri(term)
        if isinstance(term, ox.Literal):
            return self.literal(term, predicate)
        if isinstance(term, ox.Triple):
            return self.triple(term)
        return term

    def triple(self, triple: ox.Triple) -> ox.Triple:
        """The triple with its terms rebased."""
        predicate = triple.predicate
        subject = triple.subject
        return ox.Triple(
            self.iri(subject) if isinstance(subject, ox.NamedNode) else subject,
            self.iri(predicate),
            self.term(triple.object, predicate.value),
        )

    def quad(self, quad: ox.Quad) -> ox.Quad:
        """The quad with its terms rebased, in the same graph."""
        predicate = quad.predicate
        subject = quad.subject
        return ox.Quad(
            self.iri(subject) if isinstance(subject, ox.NamedNode) else subject,
            self.iri(predicate),
            self.term(quad.object, predicate.value),
            quad.graph_name,
        )


def rebase_quads(quads: list[ox.Quad], base: str) -> list[ox.Quad]:
    """``quads`` read under ``base``; the very same list when ``base`` is the default base.

    >>> same = [ox.Quad(ox.NamedNode("https://w3id.org/jaif-kg/id/x"),
    ...                 ox.NamedNode("http://e.org/p"), ox.Literal("1"))]
    >>> rebase_quads(same, DEFAULT_BASE) is same
    True
    >>> rebase_quads(same, "http://e.org/kg/")[0].subject.value
    'http://e.org/kg/id/x'
    """
    if base == DEFAULT_BASE:
        return quads
    rebaser = Rebaser(base)
    stats.passes += 1
    stats.statements += len(quads)
    return [rebaser.quad(q) for q in quads]


def rebase_prefixes(prefixes: Mapping[str, str], base: str) -> dict[str, str]:
    """Prefix declarations read under ``base`` (namespaces under the default base move).

    >>> rebase_prefixes({"jaif": "https://w3id.org/jaif-kg/ontology#"}, "http://e.org/kg/")
    {'jaif': 'http://e.org/kg/ontology#'}
    """
    if base == DEFAULT_BASE:
        return dict(prefixes)
    return {prefix: rebase(namespace, base) for prefix, namespace in prefixes.items()}
