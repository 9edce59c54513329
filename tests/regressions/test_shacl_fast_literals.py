"""The fast SHACL engine wrote the literals of the shapes with rdflib's ``Literal.n3()``, which
writes a multi-line string ending in a backslash and a quote as an unterminated literal: a shape
with such a ``sh:hasValue`` or ``sh:in`` value compiled to a query that did not parse, and
``jaif-kg validate`` stopped ("the compiled query does not parse") instead of validating. The
engine now writes every term with THE escaper (:mod:`jaif_kg.sparql.escape`)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from jaif_kg.rdf.graph import to_oxigraph_term
from jaif_kg.shacl.fast import validate_store
from jaif_kg.shacl.pyshacl_engine import validate_graphs

EX = "http://example.org/"
AWKWARD = Literal('line one\nends with a backslash and a quote \\"')


def _shapes() -> Graph:
    shapes = Graph()
    shape, prop, listed = URIRef(EX + "S"), URIRef(EX + "S-p"), BNode()
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, URIRef(EX + "C")))
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, URIRef(EX + "p")))
    shapes.add((prop, SH.hasValue, AWKWARD))
    shapes.add((prop, SH["in"], listed))
    Collection(shapes, listed, [AWKWARD, Literal("other")])
    return shapes


def test_awkward_literals_in_shapes_are_validated() -> None:
    data = Graph()
    good, bad = URIRef(EX + "good"), URIRef(EX + "bad")
    for node in (good, bad):
        data.add((node, RDF.type, URIRef(EX + "C")))
    data.add((good, URIRef(EX + "p"), AWKWARD))
    data.add((bad, URIRef(EX + "p"), Literal("line one")))
    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in data
    )
    fast, reference = validate_store(store, _shapes()), validate_graphs(data, _shapes())
    found = {(r.focus_node, r.constraint_component) for r in fast.results}
    assert found == {(r.focus_node, r.constraint_component) for r in reference.results}
    assert found == {(bad, SH.HasValueConstraintComponent), (bad, SH.InConstraintComponent)}
