"""Human-readable documentation of the ontology and of the SHACL shapes, built from the graphs.

The ontology documentation is rendered by the server from the ontology as the store holds it (the
``{base}ontology`` IRI and its ``#Term`` hash IRIs): every class and property with its label,
definition, domain and range, super- and sub-classes, the vocabularies it reuses and the shapes that
check it. The shapes (``ontology/shapes/*.shapes.ttl``, not part of the served default graph) are
documented beside it at ``/shapes``: each node shape with its targets, property shapes (path,
constraints in words, severity, message) and SPARQL-based constraints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from jaif_kg.publish.iris import local_path
from jaif_kg.publish.text import capitalise
from jaif_kg.publish.vocab import (
    KNOWN_LABELS,
    VOCABULARIES,
    Ref,
    curie,
    humanise,
    local_name,
    namespace_of,
)
from jaif_kg.rdf.namespaces import PREFIXES, project_prefixes

_DCT = str(DCTERMS)


@dataclass
class TermDoc:
    """One class, property or datatype of the ontology."""

    iri: str
    anchor: str
    curie: str
    label: str
    kind: str
    definition: str = ""
    comments: list[str] = field(default_factory=list)
    superclasses: list[Ref] = field(default_factory=list)
    subclasses: list[Ref] = field(default_factory=list)
    equivalents: list[Ref] = field(default_factory=list)
    domain: list[Ref] = field(default_factory=list)
    range: list[Ref] = field(default_factory=list)
    superproperties: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    properties: list[Ref] = field(default_factory=list)
    used_as_range: list[Ref] = field(default_factory=list)
    shapes: list[Ref] = field(default_factory=list)
    see_also: list[Ref] = field(default_factory=list)
    instances: int = 0


@dataclass
class Vocabulary:
    """A vocabulary the ontology reuses."""

    prefix: str
    title: str
    homepage: str
    namespace: str
    terms: list[str]


@dataclass
class OntologyDoc:
    """The ontology's documentation."""

    iri: str
    title: str
    description: str
    metadata: list[tuple[str, list[Ref]]]
    sections: list[tuple[str, str, list[TermDoc]]]
    vocabularies: list[Vocabulary]


@dataclass
class PropertyShapeDoc:
    """A property shape, in words."""

    iri: str
    anchor: str
    name: str
    path: str
    constraints: list[str]
    severity: str
    message: str


@dataclass
class SparqlConstraintDoc:
    """A SPARQL-based constraint."""

    message: str
    severity: str
    select: str


@dataclass
class NodeShapeDoc:
    """A node shape, in words."""

    iri: str
    anchor: str
    name: str
    label: str
    targets: list[Ref]
    severity: str
    message: str
    description: str
    constraints: list[str]
    properties: list[PropertyShapeDoc]
    sparql: list[SparqlConstraintDoc]


@dataclass
class ShapesDoc:
    """The documentation of every shape."""

    files: list[str]
    shapes: list[NodeShapeDoc]
    counts: dict[str, int]


class _Words:
    """Labels and links of terms for documentation pages."""

    def __init__(self, graphs: Iterable[Graph], base: str, root: str) -> None:
        self.base = base
        self.root = root
        self.labels: dict[str, str] = {}
        for graph in graphs:
            for prop in (SKOS.prefLabel, RDFS.label):
                for s, o in graph.subject_objects(prop):
                    english = isinstance(o, Literal) and (o.language or "en").startswith("en")
                    if isinstance(s, URIRef) and english:
                        self.labels.setdefault(str(s), str(o))

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or KNOWN_LABELS.get(iri) or humanise(iri)

    def ref(self, iri: str) -> Ref:
        path = local_path(iri, self.base)
        if path is not None:
            return Ref(self.label(iri), self.root + path, title=iri)
        text = f"{self.label(iri)} ({curie(iri, project_prefixes(self.base))})"
        return Ref(text, iri, external=True, title=iri)

    def node(self, graph: Graph, node: Node) -> Ref:
        """A term, or a class expression (union, intersection, complement) in words."""
        if isinstance(node, URIRef):
            return self.ref(str(node))
        if isinstance(node, BNode):
            for op, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
                members = graph.value(node, op)
                if members is not None:
                    parts = [self.node(graph, m).text for m in Collection(graph, members)]
                    return Ref(word.join(parts))
            complement = graph.value(node, OWL.complementOf)
            if complement is not None:
                return Ref("not " + self.node(graph, complement).text)
            members = graph.value(node, OWL.oneOf)
            if members is not None:
                return Ref(
                    "one of "
                    + ", ".join(self.node(graph, m).text for m in Collection(graph, members))
                )
            on = graph.value(node, OWL.onProperty)
            if on is not None:
                return Ref(f"restriction on {self.node(graph, on).text}")
        return Ref(str(node))


def _text(graph: Graph, subject: Node, props: Iterable[str]) -> str:
    for prop in props:
        values = sorted(
            (o for o in graph.objects(subject, URIRef(prop)) if isinstance(o, Literal)),
            key=lambda o: ((o.language or "en")[:2] != "en", str(o)),
        )
        if values:
            return str(values[0])
    return ""


KINDS: tuple[tuple[str, str, tuple[URIRef, ...]], ...] = (
    ("classes", "Classes", (OWL.Class, RDFS.Class)),
    ("relations", "Relations (object properties)", (OWL.ObjectProperty,)),
    ("attributes", "Attributes (datatype properties)", (OWL.DatatypeProperty,)),
    ("annotations", "Annotation properties", (OWL.AnnotationProperty, RDF.Property)),
    ("datatypes", "Datatypes", (RDFS.Datatype,)),
    ("individuals", "Named individuals", (OWL.NamedIndividual,)),
)


def ontology_doc(
    ontology: Graph,
    ontology_iri: str,
    base: str,
    root: str = "/",
    *,
    shapes: Graph | None = None,
    instance_counts: dict[str, int] | None = None,
) -> OntologyDoc:
    """Document ``ontology`` (the graph of ``ontology_iri`` and its ``#Term`` IRIs).

    Args:
        ontology: the ontology's triples.
        ontology_iri: the ``owl:Ontology`` IRI.
        base: the dataset's base IRI (terms under it link to local paths).
        root: the server's root path.
        shapes: the shapes graph, to list the shapes that target each class.
        instance_counts: class IRI -> number of instances in the dataset.
    """
    words = _Words([ontology, *([shapes] if shapes is not None else [])], base, root)
    subject = URIRef(ontology_iri)
    own = ontology_iri + "#"
    title = _text(ontology, subject, (_DCT + "title", str(RDFS.label))) or "Ontology"
    description = _text(
        ontology, subject, (_DCT + "description", str(RDFS.comment), str(SKOS.definition))
    )

    metadata: list[tuple[str, list[Ref]]] = [("IRI", [Ref(ontology_iri)])]
    for prop, name in (
        (OWL.versionIRI, "Version IRI"),
        (OWL.versionInfo, "Version"),
        (DCTERMS.license, "Licence"),
        (DCTERMS.creator, "Creator"),
        (DCTERMS.publisher, "Publisher"),
        (DCTERMS.created, "Created"),
        (DCTERMS.modified, "Modified"),
        (OWL.imports, "Imports"),
        (DCTERMS.source, "Sources"),
        (RDFS.seeAlso, "See also"),
    ):
        values = sorted(ontology.objects(subject, prop), key=str)
        if values:
            refs = [_metadata_ref(v, words, ontology, base) for v in values]
            metadata.append((name, refs))

    targeted: dict[str, list[Ref]] = {}
    if shapes is not None:
        for shape, cls in shapes.subject_objects(SH.targetClass):
            if isinstance(shape, URIRef):
                targeted.setdefault(str(cls), []).append(words.ref(str(shape)))
        for shape in shapes.subjects(RDF.type, SH.NodeShape):
            if isinstance(shape, URIRef) and (shape, RDF.type, RDFS.Class) in shapes:
                targeted.setdefault(str(shape), []).append(words.ref(str(shape)))

    terms: dict[str, TermDoc] = {}
    kind_of: dict[str, str] = {}
    for key, _, classes in KINDS:
        for cls in classes:
            for term in ontology.subjects(RDF.type, cls):
                if isinstance(term, URIRef) and str(term).startswith(own):
                    kind_of.setdefault(str(term), key)
    for term_iri, key in kind_of.items():
        term = URIRef(term_iri)
        doc = TermDoc(
            iri=term_iri,
            anchor=term_iri[len(own) :],
            curie=curie(term_iri, project_prefixes(base)),
            label=capitalise(words.label(term_iri)),
            kind=key,
            definition=_text(ontology, term, (str(SKOS.definition),)),
            comments=sorted(
                {str(o) for o in ontology.objects(term, RDFS.comment) if isinstance(o, Literal)}
            ),
        )
        if not doc.definition and doc.comments:
            doc.definition = doc.comments.pop(0)
        doc.superclasses = [
            words.node(ontology, o)
            for o in sorted(ontology.objects(term, RDFS.subClassOf), key=str)
        ]
        doc.equivalents = [
            words.node(ontology, o)
            for o in sorted(
                [
                    *ontology.objects(term, OWL.equivalentClass),
                    *ontology.objects(term, OWL.equivalentProperty),
                ],
                key=str,
            )
        ]
        doc.domain = [
            words.node(ontology, o) for o in sorted(ontology.objects(term, RDFS.domain), key=str)
        ]
        doc.range = [
            words.node(ontology, o) for o in sorted(ontology.objects(term, RDFS.range), key=str)
        ]
        doc.superproperties = [
            words.node(ontology, o)
            for o in sorted(ontology.objects(term, RDFS.subPropertyOf), key=str)
        ]
        doc.inverse = [
            words.node(ontology, o)
            for o in sorted(
                {*ontology.objects(term, OWL.inverseOf), *ontology.subjects(OWL.inverseOf, term)},
                key=str,
            )
        ]
        doc.see_also = [
            words.node(ontology, o) for o in sorted(ontology.objects(term, RDFS.seeAlso), key=str)
        ]
        if key == "classes":
            doc.subclasses = [
                words.ref(str(s))
                for s in sorted(ontology.subjects(RDFS.subClassOf, term), key=str)
                if isinstance(s, URIRef)
            ]
            doc.properties = [
                words.ref(str(s)) for s in sorted(_mentioning(ontology, RDFS.domain, term), key=str)
            ]
            doc.used_as_range = [
                words.ref(str(s)) for s in sorted(_mentioning(ontology, RDFS.range, term), key=str)
            ]
            doc.shapes = targeted.get(term_iri, [])
            doc.instances = (instance_counts or {}).get(term_iri, 0)
        terms[term_iri] = doc

    sections = []
    for key, heading, _ in KINDS:
        members = sorted(
            (t for t in terms.values() if t.kind == key), key=lambda t: t.label.lower()
        )
        if members:
            sections.append((key, heading, members))

    used: dict[str, set[str]] = {}
    for s, p, o in ontology:
        for node in (p, o) if str(s).startswith(own) or s == subject else ():
            if isinstance(node, URIRef) and not str(node).startswith(own):
                namespace = namespace_of(str(node))
                if namespace in VOCABULARIES and namespace not in (
                    str(RDF),
                    str(RDFS),
                    str(OWL),
                    PREFIXES["xsd"],
                ):
                    used.setdefault(namespace, set()).add(curie(str(node), project_prefixes(base)))
    vocabularies = [
        Vocabulary(VOCABULARIES[ns][0], VOCABULARIES[ns][1], VOCABULARIES[ns][2], ns, sorted(found))
        for ns, found in sorted(used.items(), key=lambda item: VOCABULARIES[item[0]][1].lower())
    ]
    return OntologyDoc(ontology_iri, title, description, metadata, sections, vocabularies)


def _metadata_ref(value: Node, words: _Words, ontology: Graph, base: str) -> Ref:
    """An ontology metadata value: a known licence by name, an IRI as a link, else text."""
    if str(value) in KNOWN_LABELS and isinstance(value, URIRef):
        return Ref(KNOWN_LABELS[str(value)], str(value), external=True)
    if isinstance(value, URIRef):
        if str(value).startswith(base):
            return words.node(ontology, value)
        return Ref(str(value), str(value), external=True)
    return Ref(str(value))


def _mentioning(graph: Graph, prop: URIRef, cls: URIRef) -> set[URIRef]:
    """Properties whose ``prop`` (domain or range) is ``cls`` or a union that includes it."""
    found: set[URIRef] = set()
    for s, o in graph.subject_objects(prop):
        if not isinstance(s, URIRef):
            continue
        if o == cls:
            found.add(s)
        elif isinstance(o, BNode):
            members = graph.value(o, OWL.unionOf)
            if members is not None and cls in list(Collection(graph, members)):
                found.add(s)
    return found


# -- shapes ------------------------------------------------------------------------------------
def _severity(graph: Graph, shape: Node) -> str:
    value = graph.value(shape, SH.severity)
    return local_name(str(value)) if value is not None else "Violation"


def _path_text(graph: Graph, path: Node | None, words: _Words) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return words.label(str(path))
    if isinstance(path, BNode):
        if graph.value(path, RDF.first) is not None:
            return " / ".join(_path_text(graph, p, words) for p in Collection(graph, path))
        for prop, fmt in (
            (SH.inversePath, "inverse of {}"),
            (SH.zeroOrMorePath, "{} (any number of times)"),
            (SH.oneOrMorePath, "{} (one or more times)"),
            (SH.zeroOrOnePath, "{} (optional)"),
        ):
            inner = graph.value(path, prop)
            if inner is not None:
                return fmt.format(_path_text(graph, inner, words))
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return " or ".join(_path_text(graph, p, words) for p in Collection(graph, alternatives))
    return str(path)


def _value_text(graph: Graph, value: Node, words: _Words) -> str:
    """A constraint's value in words; an anonymous shape is described by its own constraints."""
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, URIRef):
        return words.label(str(value))
    if graph.value(value, RDF.first) is not None:
        return ", ".join(_value_text(graph, v, words) for v in Collection(graph, value))
    inner = "; ".join(_constraints(graph, value, words))
    path = graph.value(value, SH.path)
    if path is not None:
        inner = f"{_path_text(graph, path, words)}: {inner}"
    return f"({inner})" if inner else "(an empty shape)"


def _constraints(graph: Graph, shape: Node, words: _Words) -> list[str]:
    """The constraint parameters of a shape, in words (https://www.w3.org/TR/shacl/#core-components)."""
    out: list[str] = []
    min_count = graph.value(shape, SH.minCount)
    max_count = graph.value(shape, SH.maxCount)
    if min_count is not None and max_count is not None and str(min_count) == str(max_count):
        out.append(f"exactly {max_count} value{'s' if str(max_count) != '1' else ''}")
    else:
        if min_count is not None:
            out.append(f"at least {min_count} value{'s' if str(min_count) != '1' else ''}")
        if max_count is not None:
            out.append(f"at most {max_count} value{'s' if str(max_count) != '1' else ''}")
    simple = {
        SH.datatype: "values are of type {}",
        SH["class"]: "values are instances of {}",
        SH.nodeKind: "values are {}",
        SH.hasValue: "includes the value {}",
        SH["in"]: "one of: {}",
        SH.pattern: "matches the pattern {}",
        SH.minLength: "at least {} characters",
        SH.maxLength: "at most {} characters",
        SH.minInclusive: "at least {}",
        SH.maxInclusive: "at most {}",
        SH.minExclusive: "more than {}",
        SH.maxExclusive: "less than {}",
        SH.languageIn: "in language {}",
        SH.uniqueLang: "one value per language: {}",
        SH.node: "values conform to {}",
        SH.equals: "equal to {}",
        SH.disjoint: "different from {}",
        SH.lessThan: "less than {}",
        SH.lessThanOrEquals: "at most {}",
        SH.closed: "closed (no other properties): {}",
        SH["not"]: "must not conform to {}",
        SH["or"]: "conforms to at least one of: {}",
        SH["and"]: "conforms to all of: {}",
        SH.xone: "conforms to exactly one of: {}",
        SH.qualifiedMinCount: "at least {} qualifying values",
        SH.qualifiedMaxCount: "at most {} qualifying values",
        SH.qualifiedValueShape: "qualifying values conform to {}",
    }
    for prop, fmt in simple.items():
        for value in sorted(graph.objects(shape, prop), key=str):
            out.append(fmt.format(_value_text(graph, value, words)))
    return out


def shapes_doc(shapes: Graph, base: str, root: str = "/", files: Iterable[str] = ()) -> ShapesDoc:
    """Document every node shape of ``shapes`` (named shapes first, sorted by name)."""
    words = _Words([shapes], base, root)
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape)}
    for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        node_shapes |= {
            s for s in shapes.subjects(prop, None) if (s, RDF.type, SH.PropertyShape) not in shapes
        }
    docs = []
    counts: dict[str, int] = {}
    for shape in sorted(node_shapes, key=str):
        if not isinstance(shape, URIRef):
            continue
        targets = [
            words.ref(str(t)) for t in sorted(shapes.objects(shape, SH.targetClass), key=str)
        ]
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            targets.append(words.ref(str(shape)))
        for prop, word in (
            (SH.targetNode, "the node"),
            (SH.targetSubjectsOf, "subjects of"),
            (SH.targetObjectsOf, "objects of"),
        ):
            for t in sorted(shapes.objects(shape, prop), key=str):
                ref = words.ref(str(t)) if isinstance(t, URIRef) else Ref(str(t))
                targets.append(Ref(f"{word} {ref.text}", ref.href, ref.external, ref.title))
        properties = []
        for prop_shape in sorted(shapes.objects(shape, SH.property), key=str):
            path = _path_text(shapes, shapes.value(prop_shape, SH.path), words)
            anchor = local_name(str(prop_shape)) if isinstance(prop_shape, URIRef) else ""
            severity = _severity(shapes, prop_shape)
            counts[severity] = counts.get(severity, 0) + 1
            properties.append(
                PropertyShapeDoc(
                    iri=str(prop_shape) if isinstance(prop_shape, URIRef) else "",
                    anchor=anchor,
                    name=_text(shapes, prop_shape, (str(SH.name), str(RDFS.label)))
                    or anchor
                    or path,
                    path=path,
                    constraints=_constraints(shapes, prop_shape, words),
                    severity=severity,
                    message=_text(shapes, prop_shape, (str(SH.message),)),
                )
            )
        properties.sort(key=lambda p: (p.path.lower(), p.name))
        sparql = []
        for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
            severity = (
                _severity(shapes, constraint)
                if shapes.value(constraint, SH.severity) is not None
                else _severity(shapes, shape)
            )
            counts[severity] = counts.get(severity, 0) + 1
            sparql.append(
                SparqlConstraintDoc(
                    message=_text(shapes, constraint, (str(SH.message),))
                    or _text(shapes, shape, (str(SH.message),)),
                    severity=severity,
                    select=_text(shapes, constraint, (str(SH.select),)).strip(),
                )
            )
        docs.append(
            NodeShapeDoc(
                iri=str(shape),
                anchor=local_name(str(shape)),
                name=curie(str(shape), project_prefixes(base)),
                label=_text(shapes, shape, (str(RDFS.label), str(SH.name))),
                targets=targets,
                severity=_severity(shapes, shape),
                message=_text(shapes, shape, (str(SH.message),)),
                description=_text(
                    shapes, shape, (str(SH.description), str(RDFS.comment), str(SKOS.definition))
                ),
                constraints=_constraints(shapes, shape, words),
                properties=properties,
                sparql=sparql,
            )
        )
    return ShapesDoc(sorted(files), docs, dict(sorted(counts.items())))
