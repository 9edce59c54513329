"""Typos as validation results: undefined terms and undescribed instances of the project.

SHACL checks what the shapes target, so a typo escapes it: ``a jaif:Projet`` takes a project out
of every shape, ``jaif:benefciary`` is a predicate no shape names, and a beneficiary
``id/country/VMN`` (for VNM) is a country nobody describes. :func:`vocabulary_results` finds
them with a few SPARQL queries on the pyoxigraph store that the fast engine validates (the data
merged with the ontology):

* an IRI under the base IRI (the ontology namespace ``{base}ontology#`` and the instance
  namespace ``{base}id/``) used as a class (object of ``rdf:type``) or as a predicate that the
  graph does not define as a class (``owl:Class``, ``rdfs:Class``) or a property
  (``rdf:Property``, ``owl:ObjectProperty``, ``owl:DatatypeProperty``,
  ``owl:AnnotationProperty``): a result of ``jaifsh:DefinedTermsShape``, with the closest
  defined term of the same kind as a suggestion;
* an instance IRI (under ``{base}id/``) used as the object of a triple but the subject of none:
  a result of ``jaifsh:DescribedObjectsShape``, with the closest described IRI of the same kind
  (same folder, ``id/country/``) as a suggestion.

Terms of other vocabularies (SKOS, ORG, PROV-O...) are not checked: the graph does not hold
their definitions. Both shapes are declared in ``ontology/shapes/vocabulary.shapes.ttl`` with no
target, so SHACL engines evaluate nothing for them; each check runs only when the shapes graph
declares its shape (custom shapes opt out by leaving it out), with the shape's ``sh:severity``.
Results follow ``sh:closed`` (SHACL 4.8.1): the focus node is the subject of the offending
triple, the path its predicate (``rdf:type`` for a class) and the value its object.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from typing import cast

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Identifier

from jaif_kg.rdf.graph import term_text
from jaif_kg.rdf.namespaces import DEFAULT_BASE, JAIFSH, project_prefixes, rebase
from jaif_kg.rdf.terms import solution_rows
from jaif_kg.shacl.report import ValidationReport, ValidationResult, result_severity
from jaif_kg.sparql.escape import sparql_iri, sparql_string

#: The shape of undefined classes and properties (under the default base).
DEFINED_TERMS_SHAPE = JAIFSH.DefinedTermsShape
#: The shape of instances referred to but not described (under the default base).
DESCRIBED_OBJECTS_SHAPE = JAIFSH.DescribedObjectsShape
#: The shapes this module checks, which SHACL engines do not evaluate.
VOCABULARY_SHAPES = (DEFINED_TERMS_SHAPE, DESCRIBED_OBJECTS_SHAPE)
#: The ``sh:sourceConstraintComponent`` of each shape's results (under the default base).
COMPONENTS = {
    DEFINED_TERMS_SHAPE: JAIFSH.DefinedTermConstraintComponent,
    DESCRIBED_OBJECTS_SHAPE: JAIFSH.DescribedObjectConstraintComponent,
}

_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_CLASS_TYPES = (_OWL + "Class", _RDFS + "Class")
_PROPERTY_TYPES = (
    str(RDF.Property),
    _OWL + "ObjectProperty",
    _OWL + "DatatypeProperty",
    _OWL + "AnnotationProperty",
)
#: difflib's similarity below which no suggestion is made (its default).
_CUTOFF = 0.6


@dataclasses.dataclass(frozen=True)
class _Shape:
    node: URIRef
    component: URIRef
    severity: str


def vocabulary_results(
    store: ox.Store, shapes: Graph, *, base: str = DEFAULT_BASE
) -> list[ValidationResult]:
    """The undefined terms and undescribed instances of the graph in ``store``'s default graph.

    Args:
        store: the data merged with the ontology, as the engines validate it.
        shapes: the shapes graph, read under ``base``: a check runs only when it declares the
            check's shape (:data:`VOCABULARY_SHAPES`, rebased), whose ``sh:severity`` it takes.
        base: the base IRI the files were read under (``settings.base_iri``).

    Returns:
        One result per offending triple, unsorted.

    >>> from rdflib import Graph
    >>> store = ox.Store()
    >>> store.load(b'''@prefix jaif: <https://w3id.org/jaif-kg/ontology#> .
    ...   jaif:Project a <http://www.w3.org/2002/07/owl#Class> .
    ...   <https://w3id.org/jaif-kg/id/project/p> a jaif:Projet .''', ox.RdfFormat.TURTLE)
    >>> shapes = Graph().parse(format="turtle", data='''
    ...   <https://w3id.org/jaif-kg/shapes#DefinedTermsShape>
    ...       a <http://www.w3.org/ns/shacl#NodeShape> .''')
    >>> [r.message for r in vocabulary_results(store, shapes)]
    ['jaif:Projet is not a class of the ontology; did you mean jaif:Project?']
    """
    results: list[ValidationResult] = []
    prefixes = project_prefixes(base)
    defined = _shape(shapes, DEFINED_TERMS_SHAPE, base)
    if defined is not None:
        results.extend(_undefined_terms(store, defined, base, prefixes))
    described = _shape(shapes, DESCRIBED_OBJECTS_SHAPE, base)
    if described is not None:
        results.extend(_undescribed_objects(store, described, base, prefixes))
    return results


def with_vocabulary_results(
    report: ValidationReport, store: ox.Store, shapes: Graph, *, base: str = DEFAULT_BASE
) -> ValidationReport:
    """``report`` with :func:`vocabulary_results` merged into its results (sorted again)."""
    found = vocabulary_results(store, shapes, base=base)
    if not found:
        return report
    return dataclasses.replace(report, results=[*report.results, *found])


def _shape(shapes: Graph, shape: URIRef, base: str) -> _Shape | None:
    node = URIRef(rebase(str(shape), base))
    if (node, RDF.type, SH.NodeShape) not in shapes:
        return None
    declared = shapes.value(node, SH.severity)
    return _Shape(
        node=node,
        component=URIRef(rebase(str(COMPONENTS[shape]), base)),
        severity=result_severity(declared) if declared is not None else "Violation",
    )


def _select(store: ox.Store, sparql: str) -> list[dict[str, Identifier]]:
    return solution_rows(cast(ox.QuerySolutions, store.query(sparql)))[1]


def _defined(store: ox.Store, types: Iterable[str], base: str) -> set[str]:
    """IRIs under ``base`` typed with one of ``types``."""
    listed = " ".join(sparql_iri(t) for t in types)
    rows = _select(
        store,
        f"SELECT DISTINCT ?t WHERE {{ VALUES ?k {{ {listed} }} ?t a ?k . "
        f"FILTER (isIRI(?t) && STRSTARTS(STR(?t), {sparql_string(base)})) }}",
    )
    return {str(r["t"]) for r in rows}


def _undefined_terms(
    store: ox.Store, shape: _Shape, base: str, prefixes: dict[str, str]
) -> list[ValidationResult]:
    under_base = f"FILTER (isIRI(?t) && STRSTARTS(STR(?t), {sparql_string(base)}))"
    # The distinct classes come from the rdf:type index; the distinct predicates cost one scan.
    used_classes = {
        str(r["t"])
        for r in _select(store, f"SELECT DISTINCT ?t WHERE {{ ?s a ?t . {under_base} }}")
    }
    used_predicates = {
        str(r["t"])
        for r in _select(store, f"SELECT DISTINCT ?t WHERE {{ ?s ?t ?o . {under_base} }}")
    }
    classes = _defined(store, _CLASS_TYPES, base)
    properties = _defined(store, _PROPERTY_TYPES, base)
    results = []
    for kind, used, known in (
        ("class", used_classes, classes),
        ("property", used_predicates, properties),
    ):
        for term in sorted(used - known):
            message = f"{_name(term, prefixes)} is not a {kind} of the ontology"
            message += _suggestion(term, _term_space(term), known, prefixes)
            if kind == "class":
                sparql = f"SELECT ?s ?o WHERE {{ ?s a {sparql_iri(term)} }}"
                path = RDF.type
            else:
                sparql = f"SELECT ?s ?o WHERE {{ ?s {sparql_iri(term)} ?o }}"
                path = URIRef(term)
            for row in _select(store, sparql):
                results.append(_result(shape, row["s"], path, row.get("o", URIRef(term)), message))
    return results


def _undescribed_objects(
    store: ox.Store, shape: _Shape, base: str, prefixes: dict[str, str]
) -> list[ValidationResult]:
    instances = base + "id/"
    rows = _select(
        store,
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o . "
        f"FILTER (isIRI(?o) && STRSTARTS(STR(?o), {sparql_string(instances)})) "
        "FILTER NOT EXISTS { ?o ?q ?x } }",
    )
    described: dict[str, set[str]] = {}
    messages: dict[str, str] = {}
    results = []
    for row in rows:
        iri = str(row["o"])
        if iri not in messages:
            folder = _folder(iri)
            if folder not in described:
                described[folder] = _described_in(store, folder)
            messages[iri] = f"{_name(iri, prefixes)} is not described in the graph" + _suggestion(
                iri, folder, described[folder], prefixes
            )
        results.append(_result(shape, row["s"], cast(URIRef, row["p"]), row["o"], messages[iri]))
    return results


def _folder(iri: str) -> str:
    """The IRI up to its last ``/``: the kind of instance (``{base}id/country/``).

    >>> _folder("https://w3id.org/jaif-kg/id/membership/asean-KHM#start")
    'https://w3id.org/jaif-kg/id/membership/'
    """
    return iri[: iri.rindex("/") + 1]


def _described_in(store: ox.Store, folder: str) -> set[str]:
    """The subjects whose IRIs start with ``folder``."""
    rows = _select(
        store,
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o . "
        f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), {sparql_string(folder)})) }}",
    )
    return {str(r["s"]) for r in rows}


def _term_space(iri: str) -> str:
    """The namespace of a class or property: up to its last ``#``, else its last ``/``.

    >>> _term_space("https://w3id.org/jaif-kg/ontology#beneficiary")
    'https://w3id.org/jaif-kg/ontology#'
    """
    return iri[: iri.rindex("#") + 1] if "#" in iri else _folder(iri)


def _suggestion(term: str, space: str, candidates: Iterable[str], prefixes: dict[str, str]) -> str:
    """``; did you mean X?`` for the candidate closest to ``term`` (difflib), or nothing.

    Only candidates in ``space`` (a namespace or folder that ``term`` starts with) are compared,
    by what follows it: ``VMN`` with ``VNM``, not two long IRIs that share most characters.
    """
    by_local = {c[len(space) :]: c for c in candidates if c.startswith(space) and c != term}
    close = difflib.get_close_matches(term[len(space) :], sorted(by_local), n=1, cutoff=_CUTOFF)
    return f"; did you mean {_name(by_local[close[0]], prefixes)}?" if close else ""


def _name(iri: str, prefixes: dict[str, str]) -> str:
    return term_text(URIRef(iri), prefixes=prefixes)


def _result(
    shape: _Shape, focus: Identifier, path: URIRef, value: Identifier, message: str
) -> ValidationResult:
    return ValidationResult(
        focus_node=focus,
        result_path=path,
        value=value,
        message=message,
        source_shape=shape.node,
        severity=shape.severity,
        constraint_component=shape.component,
    )


__all__ = [
    "COMPONENTS",
    "DEFINED_TERMS_SHAPE",
    "DESCRIBED_OBJECTS_SHAPE",
    "VOCABULARY_SHAPES",
    "vocabulary_results",
    "with_vocabulary_results",
]
