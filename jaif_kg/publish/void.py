"""The dataset description: VoID (https://www.w3.org/TR/void/) and DCAT 3
(https://www.w3.org/TR/vocab-dcat-3/), computed from the store.

Every figure (triples, entities, classes, properties, class and property partitions, link-set
sizes, the dates covered) is counted by SPARQL on the store's default graph when the description is
built, never written by hand. The description is served at ``/.well-known/void`` and ``/void`` and
written to the dumps as ``void.ttl``. Its IRIs:

* ``{base}void`` the description document, ``{base}void#dataset`` the dataset;
* ``{base}void#links-{target}-{prefix}-{name}`` one ``void:Linkset`` per target and link property;
* ``{base}graph/meta/{name}`` one ``void:subset`` per graph of the dataset, with its record from the
  metadata graph (:func:`graph_subsets`), the IRI the record has there;
* ``{base}void#dist-{format}`` one ``dcat:Distribution`` per dump;
* ``{base}void#sparql`` the SPARQL endpoint as a ``dcat:DataService``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, Namespace

from jaif_kg import __version__
from jaif_kg.publish.describe import new_graph
from jaif_kg.publish.iris import published_base
from jaif_kg.publish.text import format_date
from jaif_kg.publish.vocab import (
    CC_BY_4,
    LINK_TARGETS,
    SPDX,
    VOCABULARIES,
    LinkTarget,
    curie,
    namespace_of,
)
from jaif_kg.rdf.formats import rdf_format
from jaif_kg.rdf.namespaces import JAIF, PREFIXES, VOID, project_prefixes, rebase
from jaif_kg.settings import Settings
from jaif_kg.sparql.escape import sparql_iri, sparql_string
from jaif_kg.store import Store
from jaif_kg.store.graphs import GraphRecord, graph_records, record_iri

#: XML Schema datatypes (open: rdflib's closed ``XSD`` warns when probed).
XSD = Namespace(PREFIXES["xsd"])
#: DCAT 3 (rdflib's ``DCAT`` is the closed DCAT 2 namespace, without ``dcat:version``).
DCAT = Namespace(PREFIXES["dcat"])
LICENCE = URIRef(CC_BY_4)
IANA = "https://www.iana.org/assignments/media-types/"
TITLE = "JAIF knowledge graph"
DESCRIPTION = (
    "Japan's support, through the Japan-ASEAN Integration Fund (JAIF), for the Initiative for "
    "ASEAN Integration (IAI): ASEAN and its member states, the IAI Work Plans and their strategic "
    "areas, JAIF projects and the Attachment Programme's batches, each fact linked to its source."
)
KEYWORDS = ("ASEAN", "JAIF", "Initiative for ASEAN Integration", "development cooperation", "Japan")
_TYPE = sparql_iri(str(RDF.type))
#: Properties whose IRI objects are never counted as links to another dataset.
#: (statements' parts, and the structure of a concept scheme are not links to another dataset).
_NOT_LINKS = ", ".join(
    sparql_iri(str(p))
    for p in (
        RDF.type,
        RDF.subject,
        RDF.object,
        RDF.predicate,
        SKOS.inScheme,
        SKOS.hasTopConcept,
        SKOS.topConceptOf,
        SKOS.member,
        SKOS.broader,
        SKOS.narrower,
    )
)


@dataclass(frozen=True)
class DumpFile:
    """One file of the dumps folder; a graph dump is a ``dcat:Distribution`` of the dataset."""

    name: str
    media_type: str
    title: str
    data: bytes

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def void_iri(settings: Settings) -> str:
    """IRI of the dataset description document.

    >>> void_iri(Settings())
    'https://w3id.org/jaif-kg/void'
    """
    return settings.base_iri + "void"


def dataset_iri(settings: Settings) -> URIRef:
    """IRI of the dataset."""
    return URIRef(void_iri(settings) + "#dataset")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _int(store: Store, sparql: str) -> int:
    rows = store.query(sparql).rows
    return int(rows[0]["n"]) if rows and "n" in rows[0] else 0


@dataclass(frozen=True)
class LinkCount:
    """How many triples link the dataset to a target through one property.

    Attributes:
        target: the linked dataset.
        predicate: the link property.
        triples: number of link triples.
        by_code: the objects are typed literal codes (ISO 3166, M49), not IRIs.
    """

    target: LinkTarget
    predicate: str
    triples: int
    by_code: bool = False


def link_counts(store: Store, base: str) -> list[LinkCount]:
    """Count the links to each known target, per link property (from the store's default graph).

    IRI targets (Wikidata, GeoNames, OECD DAC sectors, EU countries) are recognised by namespace;
    code targets (ISO 3166, UN M49) by the datatype of the literal code. ``rdf:type`` and the
    ``rdf:subject``/``rdf:object`` of statements that carry a fact's own source are not links.
    """
    found: dict[tuple[str, str, bool], int] = {}
    iri_rows = store.query(
        f"SELECT ?p ?o WHERE {{ ?s ?p ?o . FILTER(isIRI(?o) && ?p NOT IN ({_NOT_LINKS})) }}"
    ).rows
    for row in iri_rows:
        for target in LINK_TARGETS:
            if target.matches_iri(str(row["o"]), base):
                key = (target.key, str(row["p"]), False)
                found[key] = found.get(key, 0) + 1
    literal_rows = store.query(
        "SELECT ?p ?dt (COUNT(*) AS ?n) WHERE { ?s ?p ?o . "
        f"FILTER(isLiteral(?o) && ?p NOT IN ({_NOT_LINKS})) "
        "BIND(DATATYPE(?o) AS ?dt) } GROUP BY ?p ?dt"
    ).rows
    for row in literal_rows:
        for target in LINK_TARGETS:
            if "dt" in row and target.matches_datatype(str(row["dt"])):
                key = (target.key, str(row["p"]), True)
                found[key] = found.get(key, 0) + int(row["n"])
    targets = {t.key: t for t in LINK_TARGETS}
    return [
        LinkCount(targets[key], predicate, n, by_code)
        for (key, predicate, by_code), n in sorted(found.items())
    ]


def _date_range(store: Store, base: str) -> tuple[str | None, str | None]:
    """The earliest and newest ``xsd:date`` of a fact: a value of a resource under ``{base}id/``
    that is not a source document (a document's own dates say when it was written, not what
    happened)."""
    date, under = sparql_iri(str(XSD.date)), sparql_string(base + "id/")
    source_document = sparql_iri(rebase(str(JAIF.SourceDocument), base))
    rows = store.query(
        "SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?s ?p ?d . "
        f"FILTER(isLiteral(?d) && DATATYPE(?d) = {date} && STRSTARTS(STR(?s), {under})) "
        f"FILTER NOT EXISTS {{ ?s a {source_document} }} }}"
    ).rows
    if not rows:
        return None, None
    first, last = rows[0].get("first"), rows[0].get("last")
    return (str(first) if first is not None else None, str(last) if last is not None else None)


def _main_source(store: Store, base: str) -> tuple[str, str | None] | None:
    """Of the sources that state an as-of date, the one most facts cite as primary, with it."""
    primary, as_of = (
        sparql_iri(str(PROV.hadPrimarySource)),
        sparql_iri(rebase(str(JAIF.asOf), base)),
    )
    rows = store.query(
        f"SELECT ?src (MAX(?d) AS ?asof) (COUNT(?s) AS ?n) WHERE {{ "
        f"?s {primary} ?src . ?src {as_of} ?d }} "
        "GROUP BY ?src ORDER BY DESC(?n) STR(?src) LIMIT 1"
    ).rows
    if not rows:
        return None
    asof = rows[0].get("asof")
    return str(rows[0]["src"]), (str(asof) if asof is not None else None)


def dataset_description(store: Store, settings: Settings, files: Sequence[DumpFile]) -> Graph:
    """Describe the store's default graph with VoID and DCAT.

    Args:
        store: the store whose default graph is the dataset.
        settings: base IRI and public URL.
        files: the graph dumps, in the order to list them (each becomes a ``void:dataDump``
            and a ``dcat:Distribution`` with its size and SHA-256).
    """
    base = settings.base_iri
    pub = published_base(settings)
    g = new_graph(base)
    g.bind("spdx", str(SPDX))
    doc = URIRef(void_iri(settings))
    ds = dataset_iri(settings)
    local = void_iri(settings) + "#"

    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal(f"Description of the {TITLE}", lang="en")))
    g.add((doc, FOAF.primaryTopic, ds))

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, RDFS.label, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.license, LICENCE))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, DCAT.version, Literal(__version__)))
    g.add((ds, DCAT.landingPage, URIRef(pub + "page/")))
    g.add((ds, FOAF.homepage, URIRef(pub)))
    for keyword in KEYWORDS:
        g.add((ds, DCAT.keyword, Literal(keyword, lang="en")))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(pub + "sparql")))
    g.add((ds, VOID.rootResource, URIRef(base + "ontology")))

    # Counts (https://www.w3.org/TR/void/#statistics), all on the default graph.
    triples = _int(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    entities = _int(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o . "
        f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {sparql_string(base)})) }}",
    )
    subjects = _int(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    objects = _int(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    class_rows = store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s {_TYPE} ?c }} GROUP BY ?c"
    ).rows
    property_rows = store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p").rows
    g.add((ds, VOID.triples, Literal(triples)))
    g.add((ds, VOID.entities, Literal(entities)))
    g.add((ds, VOID.classes, Literal(len(class_rows))))
    g.add((ds, VOID.properties, Literal(len(property_rows))))
    g.add((ds, VOID.distinctSubjects, Literal(subjects)))
    g.add((ds, VOID.distinctObjects, Literal(objects)))

    prefixes = project_prefixes(base)
    for row in sorted(class_rows, key=lambda r: str(r["c"])):
        cls = str(row["c"])
        part = URIRef(local + "class-" + _slug(curie(cls, prefixes)))
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(int(row["n"]))))
    for row in sorted(property_rows, key=lambda r: str(r["p"])):
        prop = str(row["p"])
        part = URIRef(local + "property-" + _slug(curie(prop, prefixes)))
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(int(row["n"]))))

    # Vocabularies: the namespaces of the classes and properties used.
    used = {namespace_of(str(r["c"])) for r in class_rows} | {
        namespace_of(str(r["p"])) for r in property_rows
    }
    own = rebase(str(JAIF), base)
    for namespace in sorted(used):
        if namespace in VOCABULARIES or namespace == own:
            g.add((ds, VOID.vocabulary, URIRef(namespace)))

    # Example resources: Cambodia when present, then one instance of each of the three most
    # numerous classes of the ontology that have whole resources (not only hash IRIs).
    examples: list[str] = []
    khm = base + "id/country/KHM"
    if store.query(f"ASK {{ {sparql_iri(khm)} ?p ?o }}").boolean:
        examples.append(khm)
    own_classes = sorted(
        (r for r in class_rows if str(r["c"]).startswith(own)),
        key=lambda r: (-int(r["n"]), str(r["c"])),
    )
    wanted = len(examples) + 3
    for row in own_classes:
        if len(examples) >= wanted:
            break
        # A whole resource (no hash IRI), so that it has a page of its own.
        lowest = store.query(
            f"SELECT (MIN(STR(?s)) AS ?x) WHERE {{ ?s {_TYPE} {sparql_iri(str(row['c']))} . "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {sparql_string(base + 'id/')}) "
            '&& !CONTAINS(STR(?s), "#")) }'
        ).rows
        if lowest and "x" in lowest[0] and str(lowest[0]["x"]) not in examples:
            examples.append(str(lowest[0]["x"]))
    for example in examples:
        g.add((ds, VOID.exampleResource, URIRef(example)))

    # Time covered and the as-of date of the main source.
    first, last = _date_range(store, base)
    if first or last:
        period = URIRef(local + "temporal")
        g.add((ds, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if first:
            g.add((period, DCAT.startDate, Literal(first, datatype=XSD.date)))
        if last:
            g.add((period, DCAT.endDate, Literal(last, datatype=XSD.date)))
    main = _main_source(store, base)
    note = ""
    if main is not None:
        source, asof = main
        g.add((ds, PROV.hadPrimarySource, URIRef(source)))
        if asof:
            g.add(
                (
                    URIRef(source),
                    URIRef(rebase(str(JAIF.asOf), base)),
                    Literal(asof, datatype=XSD.date),
                )
            )
            note = f" Facts are as of {format_date(asof)}, the date of the main source"
            if last and last > asof:
                note += f"; later dated facts reach {format_date(last)}"
            note += "."
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION + note, lang="en")))
    source_count = _int(
        store,
        "SELECT (COUNT(DISTINCT ?src) AS ?n) WHERE { ?s "
        + sparql_iri(str(PROV.wasDerivedFrom))
        + " ?src }",
    )
    if source_count:
        g.add(
            (
                ds,
                RDFS.comment,
                Literal(
                    f"Facts are taken from {source_count} source documents; each cites its source "
                    "with prov:wasDerivedFrom and prov:hadPrimarySource.",
                    lang="en",
                ),
            )
        )

    # Link sets (https://www.w3.org/TR/void/#linksets).
    for count in link_counts(store, base):
        target = URIRef(count.target.homepage)
        name = f"links-{count.target.key}-{_slug(curie(count.predicate, prefixes))}"
        linkset = URIRef(local + name + ("-codes" if count.by_code else ""))
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, DCTERMS.title, Literal(f"Links to {count.target.title}", lang="en")))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.linkPredicate, URIRef(count.predicate)))
        g.add((linkset, VOID.triples, Literal(count.triples)))
        if count.by_code:
            g.add(
                (
                    linkset,
                    DCTERMS.description,
                    Literal(
                        f"The objects are {count.target.title} as typed literals, not IRIs.",
                        lang="en",
                    ),
                )
            )
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(count.target.title, lang="en")))
        g.add((target, FOAF.homepage, target))
        for namespace in count.target.namespaces[:1]:
            g.add((target, VOID.uriSpace, Literal(namespace.format(base=base))))

    # The graphs of the dataset, each with its record from the metadata graph.
    graph_subsets(g, ds, graph_records(store, base=base), base)

    # Dumps and distributions (https://www.w3.org/TR/vocab-dcat-3/#Class:Distribution).
    service = URIRef(local + "sparql")
    g.add((ds, DCAT.distribution, URIRef(local + "dist-sparql")))
    dist = URIRef(local + "dist-sparql")
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add((dist, DCAT.accessURL, URIRef(pub + "sparql")))
    g.add((dist, DCAT.accessService, service))
    g.add((dist, DCTERMS.license, LICENCE))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("jaif-kg SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, URIRef(pub + "sparql")))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, ds))
    for item in files:
        url = URIRef(f"{pub}dumps/{item.name}")
        fmt = rdf_format(item.media_type)
        dist = URIRef(local + "dist-" + fmt.name)
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(item.title, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, URIRef(f"{pub}dumps/")))
        g.add((dist, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
        g.add((dist, DCTERMS.format, URIRef(IANA + fmt.media_type)))
        g.add((dist, DCAT.byteSize, Literal(item.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, LICENCE))
        checksum = URIRef(local + "dist-" + fmt.name + "-sha256")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(item.sha256, datatype=XSD.hexBinary)))
    return g


def graph_subsets(g: Graph, ds: URIRef, records: Sequence[GraphRecord], base: str) -> None:
    """Add each graph of ``records`` to ``g`` as a ``void:subset`` of ``ds``
    (https://www.w3.org/TR/void/#subsets): its name (``sd:name``), size, SHA-256, licence, title
    and source.

    The description is a file of the dumps, which two builds of the same files write alike (and
    a server over them serves alike): so the load time is left out (the service description and
    the metadata graph have it), and a source that is a local file is named by its file name
    alone (its folder says where the files were on the machine that loaded them, nothing more).
    """
    sd_name = URIRef("http://www.w3.org/ns/sparql-service-description#name")
    for record in records:
        subset = URIRef(record_iri(record.graph, base))
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, sd_name, URIRef(record.graph)))
        g.add((subset, VOID.triples, Literal(record.triples)))
        source = record.source
        if source.startswith("file:"):
            g.add((subset, DCTERMS.source, Literal(source.rstrip("/").rsplit("/", 1)[-1])))
        elif ":" in source:
            g.add((subset, DCTERMS.source, URIRef(source)))
        else:
            g.add((subset, DCTERMS.source, Literal(source)))
        checksum = URIRef(str(subset) + "#sha256")
        g.add((subset, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(record.sha256, datatype=XSD.hexBinary)))
        if record.license:
            g.add((subset, DCTERMS.license, URIRef(record.license)))
        if record.title:
            g.add((subset, DCTERMS.title, Literal(record.title)))


@dataclass
class Summary:
    """The figures of the dataset description, for the downloads page."""

    title: str
    description: str
    triples: int
    entities: int
    classes: int
    properties: int
    linksets: list[tuple[str, str, int]]
    first_date: str
    last_date: str
    sparql: str
    licence: str
    version: str


def summary(void: Graph, settings: Settings) -> Summary:
    """Read the figures back from a dataset description built by :func:`dataset_description`."""
    ds = dataset_iri(settings)

    def number(prop: URIRef) -> int:
        value = void.value(ds, prop)
        return int(value) if isinstance(value, Literal) else 0

    def text(subject: URIRef, prop: URIRef) -> str:
        value = void.value(subject, prop)
        return str(value) if value is not None else ""

    linksets = []
    for linkset in sorted(void.objects(ds, VOID.subset), key=str):
        if not isinstance(linkset, URIRef) or (linkset, RDF.type, VOID.Linkset) not in void:
            continue  # a graph of the dataset (graph_subsets), not a link set
        predicate = void.value(linkset, VOID.linkPredicate)
        linksets.append(
            (
                text(linkset, DCTERMS.title),
                curie(str(predicate), project_prefixes(settings.base_iri))
                if predicate is not None
                else "",
                int(str(void.value(linkset, VOID.triples) or 0)),
            )
        )
    period = void.value(ds, DCTERMS.temporal)
    first = last = ""
    if isinstance(period, URIRef):
        first = format_date(text(period, DCAT.startDate)) if text(period, DCAT.startDate) else ""
        last = format_date(text(period, DCAT.endDate)) if text(period, DCAT.endDate) else ""
    return Summary(
        title=text(ds, DCTERMS.title),
        description=text(ds, DCTERMS.description),
        triples=number(VOID.triples),
        entities=number(VOID.entities),
        classes=number(VOID.classes),
        properties=number(VOID.properties),
        linksets=linksets,
        first_date=first,
        last_date=last,
        sparql=text(ds, VOID.sparqlEndpoint),
        licence=text(ds, DCTERMS.license),
        version=text(ds, DCAT.version),
    )
