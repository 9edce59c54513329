"""The country crosswalk: every country's IRI with each of its codes and its links to other
datasets, published as an SSSOM mapping set and as an RDF linkset.

Two files, the same mappings (one row, one triple each), read from the store:

* ``countries.sssom.tsv``: an `SSSOM`_ mapping set (TSV with its YAML metadata block: the
  required ``mapping_set_id``, ``license`` and ``curie_map``; every row with the required
  ``subject_id``, ``predicate_id``, ``object_id`` and ``mapping_justification``);
* ``countries.linkset.ttl``: the same mappings as canonical Turtle (``skos:exactMatch``).

What a country maps to, each with ``skos:exactMatch`` (the two sides denote the same country):

* its Wikidata entity, GeoNames feature and EU country authority concept (``schema:sameAs`` in the
  graph);
* its ISO 3166-1 alpha-2, alpha-3 and UN M49 codes, and its IATI Country code (IATI's Country
  codelist uses the alpha-2 codes), as code IRIs under ``{base}code/<scheme>/``: these schemes
  publish no IRIs of their own, and an SSSOM object must be an identifier, not a literal. The code
  itself is the ``object_label``.

:func:`linkset_void` describes both files as ``void:Linkset`` subsets of the dataset (one per
target dataset, with ``void:dataDump``), for the VoID of ``build`` and ``/dumps/``.

.. _SSSOM: https://mapping-commons.github.io/sssom/spec-model/
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from jaif_kg.publish.describe import new_graph
from jaif_kg.publish.vocab import CC_BY_4
from jaif_kg.rdf.canonical import graph_turtle
from jaif_kg.rdf.namespaces import VOID, rebase
from jaif_kg.sparql.escape import sparql_iri
from jaif_kg.store import Store

#: File names of the crosswalk, as ``build`` writes them and ``/dumps/`` serves them.
SSSOM_FILE = "countries.sssom.tsv"
LINKSET_FILE = "countries.linkset.ttl"

#: SSSOM's justification for mappings a curator stated (the graph's sourced sameAs and codes).
JUSTIFICATION = "semapv:ManualMappingCuration"
#: The SSSOM columns written, in order (the first four are the spec's required ones).
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "object_source",
)


@dataclass(frozen=True)
class Target:
    """A dataset or code list that countries map to.

    Attributes:
        key: a short name (the SSSOM prefix, the linkset's IRI fragment).
        namespace: the IRI every object starts with.
        title: its name for people.
        source: the IRI that identifies the dataset or code list (SSSOM ``object_source``).
    """

    key: str
    namespace: str
    title: str
    source: str


#: Targets linked with ``schema:sameAs`` in the graph.
LINKED: tuple[Target, ...] = (
    Target("wikidata", "http://www.wikidata.org/entity/", "Wikidata", "https://www.wikidata.org/"),
    Target("geonames", "https://sws.geonames.org/", "GeoNames", "https://www.geonames.org/"),
    Target(
        "eu-country",
        "http://publications.europa.eu/resource/authority/country/",
        "EU Publications Office country authority table",
        "http://publications.europa.eu/resource/authority/country",
    ),
)
#: Code lists: key -> (datatype local name in the ontology, title, code list address).
CODES: dict[str, tuple[str, str, str]] = {
    "iso3166-1-alpha-2": (
        "ISO3166Alpha2",
        "ISO 3166-1 alpha-2",
        "https://www.iso.org/iso-3166-country-codes.html",
    ),
    "iso3166-1-alpha-3": (
        "ISO3166Alpha3",
        "ISO 3166-1 alpha-3",
        "https://www.iso.org/iso-3166-country-codes.html",
    ),
    "un-m49": ("UNM49", "UN M49", "https://unstats.un.org/unsd/methodology/m49/"),
    "iati-country": (
        "ISO3166Alpha2",
        "IATI Country codelist",
        "https://iatistandard.org/en/iati-standard/203/codelists/country/",
    ),
}


def code_targets(base: str) -> tuple[Target, ...]:
    """The code lists as targets, their code IRIs under ``{base}code/``.

    >>> code_targets("https://example.org/kg/")[0].namespace
    'https://example.org/kg/code/iso3166-1-alpha-2/'
    """
    return tuple(
        Target(key, f"{base}code/{key}/", title, source)
        for key, (_, title, source) in CODES.items()
    )


@dataclass(frozen=True, order=True)
class Mapping:
    """One row of the crosswalk: a country, the target and the object (IRI and label)."""

    subject: str
    subject_label: str
    target: str
    obj: str
    object_label: str


def mappings(store: Store, base: str) -> list[Mapping]:
    """Every country's mappings, sorted by country then target order.

    Countries are the ``schema:Country`` resources of the store; codes are their typed
    ``skos:notation`` values, links their ``schema:sameAs`` values under a target's namespace.
    """
    jaif = rebase("https://w3id.org/jaif-kg/ontology#", base)
    query = (
        "SELECT ?c ?label ?v WHERE { ?c a <https://schema.org/Country> ; "
        f"{sparql_iri(str(SKOS.prefLabel))} ?label . "
        f"{{ ?c {sparql_iri(str(SKOS.notation))} ?v }} UNION "
        "{ ?c <https://schema.org/sameAs> ?v } }"
    )
    found: set[Mapping] = set()
    order = {t.key: i for i, t in enumerate((*LINKED, *code_targets(base)))}
    for row in store.query(query).rows:
        subject, label, value = str(row["c"]), str(row["label"]), row["v"]
        if isinstance(value, Literal):
            datatype = str(value.datatype or "")
            for target in code_targets(base):
                if datatype == jaif + CODES[target.key][0]:
                    obj = target.namespace + str(value)
                    found.add(Mapping(subject, label, target.key, obj, str(value)))
        else:
            for target in LINKED:
                if str(value).startswith(target.namespace):
                    found.add(Mapping(subject, label, target.key, str(value), ""))
    return sorted(found, key=lambda m: (m.subject, order[m.target], m.obj))


def _curie_map(base: str) -> dict[str, str]:
    prefixes = {
        "jaif-country": f"{base}id/country/",
        "skos": str(SKOS),
        "semapv": "https://w3id.org/semapv/vocab/",
    }
    for target in (*LINKED, *code_targets(base)):
        prefixes[target.key] = target.namespace
    return prefixes


def _curie(iri: str, curie_map: dict[str, str]) -> str:
    """``iri`` as a CURIE of ``curie_map`` (the longest matching namespace)."""
    best = max(
        (p for p, ns in curie_map.items() if iri.startswith(ns)),
        key=lambda p: len(curie_map[p]),
        default=None,
    )
    if best is None:
        raise ValueError(f"no prefix for {iri}")
    return f"{best}:{iri[len(curie_map[best]) :]}"


def mapping_set_id(base: str) -> str:
    """The IRI of the mapping set (and of the linkset's VoID description).

    >>> mapping_set_id("https://w3id.org/jaif-kg/")
    'https://w3id.org/jaif-kg/dumps/countries.sssom.tsv'
    """
    return f"{base}dumps/{SSSOM_FILE}"


def sssom_tsv(found: Iterable[Mapping], base: str) -> bytes:
    """The SSSOM TSV: the ``#``-prefixed YAML metadata block, then one row per mapping."""
    curie_map = _curie_map(base)
    sources = {t.key: t.source for t in (*LINKED, *code_targets(base))}
    metadata = {
        "curie_map": curie_map,
        "mapping_set_id": mapping_set_id(base),
        "mapping_set_title": "Countries of the JAIF knowledge graph: codes and identifiers",
        "mapping_set_description": (
            "Each country of the graph mapped to its Wikidata, GeoNames and EU authority "
            "identifiers and to its ISO 3166-1 alpha-2 and alpha-3, UN M49 and IATI Country "
            "codes (code IRIs under " + base + "code/; the code is the object_label)."
        ),
        "license": CC_BY_4,
        "mapping_provider": base,
    }
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1000)
    out = io.StringIO()
    for line in header.splitlines():
        out.write(f"#{line}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in found:
        writer.writerow(
            (
                _curie(m.subject, curie_map),
                m.subject_label,
                "skos:exactMatch",
                _curie(m.obj, curie_map),
                m.object_label,
                JUSTIFICATION,
                sources[m.target],
            )
        )
    return out.getvalue().encode("utf-8")


def linkset_turtle(found: Iterable[Mapping], base: str) -> bytes:
    """The linkset: one ``skos:exactMatch`` triple per mapping, canonical Turtle."""
    graph = new_graph(base)
    for target in (*LINKED, *code_targets(base)):
        graph.bind(target.key.replace("-", ""), target.namespace)
    for m in found:
        graph.add((URIRef(m.subject), SKOS.exactMatch, URIRef(m.obj)))
    return graph_turtle(graph, base=base).encode("utf-8")


def crosswalk_files(store: Store, base: str) -> dict[str, bytes]:
    """The crosswalk's files by name (:data:`SSSOM_FILE`, :data:`LINKSET_FILE`), ready to write
    beside the dumps or serve under ``/dumps/``."""
    found = mappings(store, base)
    return {SSSOM_FILE: sssom_tsv(found, base), LINKSET_FILE: linkset_turtle(found, base)}


Triple = tuple[URIRef, URIRef, URIRef | Literal]


def linkset_void(
    base: str, counts: dict[str, int] | None = None, dumps: str | None = None
) -> list[Triple]:
    """VoID of the crosswalk: one ``void:Linkset`` per target, subsets of the dataset.

    Args:
        base: the dataset's base IRI.
        counts: links per target key (``void:triples``), e.g. from :func:`link_counts`.
        dumps: where the files are downloaded (default ``{base}dumps/``).

    >>> triples = linkset_void("https://w3id.org/jaif-kg/")
    >>> len([t for t in triples if str(t[2]).endswith("#Linkset")])
    7
    """
    dumps = dumps if dumps is not None else f"{base}dumps/"
    dataset = URIRef(base + "void#dataset")  # publish.void.dataset_iri
    triples: list[Triple] = []
    for target in (*LINKED, *code_targets(base)):
        linkset = URIRef(f"{base}void#linkset-countries-{target.key}")
        other = URIRef(f"{base}void#target-{target.key}")
        triples += [
            (linkset, RDF.type, VOID.Linkset),
            (linkset, DCTERMS.title, Literal(f"Countries to {target.title}", lang="en")),
            (linkset, VOID.linkPredicate, SKOS.exactMatch),
            (linkset, VOID.subjectsTarget, dataset),
            (linkset, VOID.objectsTarget, other),
            (linkset, VOID.dataDump, URIRef(dumps + LINKSET_FILE)),
            (linkset, VOID.dataDump, URIRef(dumps + SSSOM_FILE)),
            (linkset, DCTERMS.license, URIRef(CC_BY_4)),
            (dataset, VOID.subset, linkset),
            (other, RDF.type, VOID.Dataset),
            (other, DCTERMS.title, Literal(target.title, lang="en")),
            (other, DCTERMS.source, URIRef(target.source)),
            (other, VOID.uriSpace, Literal(target.namespace)),
        ]
        if counts is not None and target.key in counts:
            triples.append(
                (linkset, VOID.triples, Literal(counts[target.key], datatype=XSD.integer))
            )
    return triples


def link_counts(store: Store, base: str) -> dict[str, int]:
    """How many mappings each target has (for ``void:triples``)."""
    counts: dict[str, int] = {}
    for m in mappings(store, base):
        counts[m.target] = counts.get(m.target, 0) + 1
    return counts
