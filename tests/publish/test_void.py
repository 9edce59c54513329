"""The dataset description (VoID + DCAT): it parses, its figures are the store's, every link set
in the data is named with the right size."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from jaif_kg.publish.dumps import DUMP_FORMATS, Bundle, dump_name
from jaif_kg.publish.vocab import LINK_TARGETS
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.store import Store

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef(DEFAULT_BASE + "void#dataset")
NOT_LINKS = {
    str(RDF.type),
    str(RDF.subject),
    str(RDF.object),
    str(RDF.predicate),
    "http://www.w3.org/2004/02/skos/core#inScheme",
    "http://www.w3.org/2004/02/skos/core#hasTopConcept",
    "http://www.w3.org/2004/02/skos/core#topConceptOf",
}


def void_graph(bundle: Bundle) -> Graph:
    return Graph().parse(data=bundle.files["void.ttl"].data.decode(), format="turtle")


def number(graph: Graph, subject: URIRef, prop: URIRef) -> int:
    value = graph.value(subject, prop)
    assert isinstance(value, Literal), (subject, prop)
    return int(value)


def count(store: Store, sparql: str) -> int:
    return int(store.query(sparql).rows[0]["n"])


def test_dataset_figures_are_the_stores(bundle: Bundle, shipped_store: Store) -> None:
    g = void_graph(bundle)
    assert (DATASET, RDF.type, VOID.Dataset) in g
    assert (DATASET, RDF.type, DCAT.Dataset) in g
    assert number(g, DATASET, VOID.triples) == shipped_store.count() > 2000
    assert number(g, DATASET, VOID.classes) == count(
        shipped_store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"
    )
    assert number(g, DATASET, VOID.properties) == count(
        shipped_store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"
    )
    assert number(g, DATASET, VOID.entities) == count(
        shipped_store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{DEFAULT_BASE}")) }}',
    )


def test_class_partitions_count_instances(bundle: Bundle, shipped_store: Store) -> None:
    g = void_graph(bundle)
    partitions = list(g.objects(DATASET, VOID.classPartition))
    assert len(partitions) == number(g, DATASET, VOID.classes)
    for part in partitions:
        cls = g.value(part, VOID["class"])
        expected = count(
            shipped_store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}"
        )
        assert number(g, part, VOID.entities) == expected  # type: ignore[arg-type]


def test_every_link_set_in_the_data_is_named_with_its_size(
    bundle: Bundle, shipped_store: Store
) -> None:
    g = void_graph(bundle)
    crosswalk = f"{DEFAULT_BASE}dumps/countries."
    described = {
        (str(g.value(ls, VOID.objectsTarget)), str(g.value(ls, VOID.linkPredicate))): number(
            g, ls, VOID.triples
        )  # type: ignore[arg-type]
        for ls in g.subjects(RDF.type, VOID.Linkset)
        # the crosswalk's link sets describe its own files (tests/publish/test_crosswalk.py)
        if not any(str(d).startswith(crosswalk) for d in g.objects(ls, VOID.dataDump))
    }
    # Counted here independently: links by IRI namespace, codes by literal datatype.
    expected: dict[tuple[str, str], int] = {}
    rows = shipped_store.query("SELECT ?p ?o WHERE { ?s ?p ?o }").rows
    for row in rows:
        if str(row["p"]) in NOT_LINKS:
            continue
        obj = row["o"]
        for target in LINK_TARGETS:
            hit = (
                target.matches_iri(str(obj))
                if isinstance(obj, URIRef)
                else (
                    isinstance(obj, Literal)
                    and obj.datatype is not None
                    and target.matches_datatype(str(obj.datatype))
                )
            )
            if hit:
                key = (target.homepage, str(row["p"]))
                expected[key] = expected.get(key, 0) + 1
    assert described == expected
    targets = {target for target, _ in described}
    # The five the issue names are all present in the shipped data.
    for key in ("wikidata", "geonames", "iso3166", "m49", "oecd-dac"):
        homepage = next(t.homepage for t in LINK_TARGETS if t.key == key)
        assert homepage in targets, key
        assert (URIRef(homepage), DCTERMS.title, None) in g


def test_dumps_and_distributions_are_listed(bundle: Bundle) -> None:
    g = void_graph(bundle)
    dumps = {str(o) for o in g.objects(DATASET, VOID.dataDump)}
    # the shipped graph in every format, and the whole dataset beside it; every one a file
    assert {f"{DEFAULT_BASE}dumps/{dump_name(n)}" for n in DUMP_FORMATS} <= dumps
    assert {f"{DEFAULT_BASE}dumps/jaif-kg-dataset.{s}" for s in ("trig", "nq")} <= dumps
    assert {d.rsplit("/", 1)[1] for d in dumps} <= set(bundle.files)
    for dist in g.objects(DATASET, DCAT.distribution):
        url = g.value(dist, DCAT.downloadURL)
        if url is None:  # the SPARQL endpoint
            assert g.value(dist, DCAT.accessService) is not None
            continue
        item = bundle.files[str(url).rsplit("/", 1)[1]]
        assert number(g, dist, DCAT.byteSize) == item.size  # type: ignore[arg-type]
        checksum = g.value(dist, SPDX.checksum)
        assert str(g.value(checksum, SPDX.checksumValue)) == item.sha256
        assert str(g.value(dist, DCAT.mediaType)).endswith(item.media_type)


def test_licence_version_endpoint_examples_and_dates(bundle: Bundle) -> None:
    g = void_graph(bundle)
    assert g.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert g.value(DATASET, DCAT.version) is not None
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(DEFAULT_BASE + "sparql")
    assert str(g.value(DATASET, VOID.uriSpace)) == DEFAULT_BASE
    examples = set(g.objects(DATASET, VOID.exampleResource))
    assert URIRef(DEFAULT_BASE + "id/country/KHM") in examples
    assert len(examples) == 4 and not any("#" in str(e) for e in examples)
    period = g.value(DATASET, DCTERMS.temporal)
    assert str(g.value(period, DCAT.startDate)) == "1967-08-08"  # ASEAN founded
    assert str(g.value(period, DCAT.endDate)) == "2025-10-26"  # Timor-Leste joins
    source = g.value(DATASET, URIRef("http://www.w3.org/ns/prov#hadPrimarySource"))
    assert str(g.value(source, URIRef(DEFAULT_BASE + "ontology#asOf"))) == "2022-06-30"
    assert "30 June 2022" in str(g.value(DATASET, DCTERMS.description))
