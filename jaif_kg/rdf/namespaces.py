"""Namespaces and the IRI scheme.

The IRI scheme (documented in README, "IRIs"):

* ``{base}ontology#Term``    ontology classes and properties (hash IRIs of the ontology document)
* ``{base}shapes#NameShape`` SHACL shapes
* ``{base}id/{kind}/{slug}`` instances, e.g. ``{base}id/country/KHM``; sub-resources of an
  instance (periods, instants, claims) are hash IRIs of it (``{base}id/membership/asean-KHM#start``)

``{base}`` defaults to ``https://w3id.org/jaif-kg/`` (setting ``JAIF_BASE_IRI``). The shipped files
(Turtle, shapes, named queries) always use the default base; a deployment under another base reads
them rebased (:mod:`jaif_kg.rdf.rebasing`): :func:`rebase` maps one IRI, :func:`rebase_text` the
IRIs
in a text (a SPARQL query), :func:`project_prefixes` the project's prefixes, and :func:`unrebase`
maps an IRI back onto the default base (to look up what the code knows about a term).
"""

from __future__ import annotations

from rdflib import Namespace

DEFAULT_BASE = "https://w3id.org/jaif-kg/"

JAIF = Namespace(DEFAULT_BASE + "ontology#")
JAIFSH = Namespace(DEFAULT_BASE + "shapes#")
ID = Namespace(DEFAULT_BASE + "id/")
ONTOLOGY_IRI = DEFAULT_BASE + "ontology"

ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
WD = Namespace("http://www.wikidata.org/entity/")

#: Prefixes used in Turtle output and pages (prefix -> namespace IRI).
PREFIXES: dict[str, str] = {
    "jaif": str(JAIF),
    "jaifsh": str(JAIFSH),
    "id": str(ID),
    "org": str(ORG),
    "time": str(TIME),
    "schema": str(SCHEMA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": str(VOID),
    "wd": str(WD),
}


def rebase(iri: str, base: str) -> str:
    """Map an IRI under the default base onto ``base``.

    >>> rebase("https://w3id.org/jaif-kg/id/country/KHM", "http://127.0.0.1:8000/")
    'http://127.0.0.1:8000/id/country/KHM'
    >>> rebase("http://example.org/x", "http://127.0.0.1:8000/")
    'http://example.org/x'
    """
    if iri.startswith(DEFAULT_BASE):
        return base + iri[len(DEFAULT_BASE) :]
    return iri


def unrebase(iri: str, base: str) -> str:
    """Map an IRI under ``base`` back onto the default base (the inverse of :func:`rebase`).

    >>> unrebase("http://example.org/kg/ontology#Project", "http://example.org/kg/")
    'https://w3id.org/jaif-kg/ontology#Project'
    >>> unrebase("http://www.w3.org/ns/org#member", "http://example.org/kg/")
    'http://www.w3.org/ns/org#member'
    """
    if base != DEFAULT_BASE and iri.startswith(base):
        return DEFAULT_BASE + iri[len(base) :]
    return iri


def rebase_text(text: str, base: str) -> str:
    """Every occurrence of the default base in ``text`` (a SPARQL query) written under ``base``.

    >>> rebase_text("ASK { <https://w3id.org/jaif-kg/id/country/KHM> ?p ?o }", "http://e.org/kg/")
    'ASK { <http://e.org/kg/id/country/KHM> ?p ?o }'
    """
    if base == DEFAULT_BASE:
        return text
    return text.replace(DEFAULT_BASE, base)


def project_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The project prefixes (:data:`PREFIXES`) with the project's own namespaces under ``base``.

    >>> project_prefixes("http://example.org/kg/")["jaif"]
    'http://example.org/kg/ontology#'
    >>> project_prefixes() == PREFIXES
    True
    """
    if base == DEFAULT_BASE:
        return dict(PREFIXES)
    return {prefix: rebase(namespace, base) for prefix, namespace in PREFIXES.items()}
