"""The dataset's graphs as a live server describes them: the service description of ``/sparql``
and the VoID of ``/void`` name every graph with its record from the metadata graph (source,
SHA-256 of the file's bytes, load time, licence, triples), and say whether the default graph is
the union of the data graphs."""

from __future__ import annotations

import hashlib
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF
from rdflib.term import Node

from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.sparql.description import service_description
from jaif_kg.store import Store, load_shipped, open_store
from jaif_kg.store.graphs import graph_records, meta_graph, record_iri, shipped_graph
from jaif_kg.store.loading import fingerprint
from tests.api.conftest import Live, api_settings

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WDI = DEFAULT_BASE + "graph/wdi"
IATI = "http://example.org/iati"
OTHER = "http://example.org/other"
TURTLE = '@prefix ex: <http://example.org/> .\nex:khm ex:gdp "27.0" .\nex:lao ex:gdp "15.8" .\n'
TRIG = (
    "@prefix ex: <http://example.org/> .\n"
    f'<{IATI}> {{ ex:a ex:title "Activity A" . }}\n'
    f'<{OTHER}> {{ ex:b ex:title "B" . ex:c ex:title "C" . }}\n'
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dataset")
    (folder / "wdi.ttl").write_text(TURTLE, encoding="utf-8")
    (folder / "more.trig").write_text(TRIG, encoding="utf-8")
    return {"wdi": folder / "wdi.ttl", "trig": folder / "more.trig"}


def loaded(settings: Settings, files: dict[str, Path]) -> Store:
    """A store loaded as ``serve --graph WDI=wdi.ttl --graph more.trig`` loads it."""
    store = open_store(settings)
    load_shipped(store, settings, [(WDI, files["wdi"]), (None, files["trig"])])
    return store


def expected_sha256(settings: Settings, files: dict[str, Path]) -> dict[str, str]:
    """Each graph's SHA-256: of the file's bytes (a TriG file's, for each of its graphs); the
    shipped graph's is the fingerprint of its files."""
    trig = hashlib.sha256(files["trig"].read_bytes()).hexdigest()
    return {
        shipped_graph(): fingerprint(shipped_paths(settings)),
        WDI: hashlib.sha256(files["wdi"].read_bytes()).hexdigest(),
        IATI: trig,
        OTHER: trig,
    }


def get(url: str, accept: str = "text/turtle") -> Graph:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return Graph().parse(data=response.read().decode("utf-8"), format="turtle")


def sd_graphs(sd: Graph) -> dict[str, Node]:
    """Graph name -> its ``sd:graph`` node, for every ``sd:namedGraph`` of the default dataset."""
    found = {}
    for service in sd.subjects(RDF.type, SD.Service):
        for dataset in sd.objects(service, SD.defaultDataset):
            for named in sd.objects(dataset, SD.namedGraph):
                node = sd.value(named, SD.graph)
                assert node is not None
                found[str(sd.value(named, SD.name))] = node
    return found


def checksum_of(g: Graph, node: Node) -> str:
    checksum = g.value(node, SPDX.checksum)
    assert checksum is not None, f"no spdx:checksum on {node}"
    assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    return str(g.value(checksum, SPDX.checksumValue)).lower()


def assert_described(sd: Graph, store: Store, settings: Settings, files: dict[str, Path]) -> None:
    graphs = sd_graphs(sd)
    sha = expected_sha256(settings, files)
    assert set(graphs) == {*sha, meta_graph()}
    for name, digest in sha.items():
        assert checksum_of(sd, graphs[name]) == digest, name
        assert int(sd.value(graphs[name], VOID.triples)) == store.count(name)  # type: ignore[arg-type]
        assert sd.value(graphs[name], PROV.generatedAtTime) is not None
    assert str(sd.value(graphs[WDI], DCTERMS.source)) == files["wdi"].resolve().as_uri()
    assert str(sd.value(graphs[IATI], DCTERMS.source)) == files["trig"].resolve().as_uri()
    licence = "https://creativecommons.org/licenses/by/4.0/"
    assert str(sd.value(graphs[shipped_graph()], DCTERMS.license)) == licence
    assert sd.value(graphs[meta_graph()], SPDX.checksum) is None  # the metadata graph has none


@pytest.mark.parametrize("union", [True, False])
def test_service_description_names_each_graph_with_its_record(
    files: dict[str, Path], union: bool
) -> None:
    settings = api_settings(union_default_graph=union)
    store = loaded(settings, files)
    data = service_description(
        "http://h/sparql",
        "text/turtle",
        named_graphs=[(g, store.count(g)) for g in store.named_graphs()],
        records=graph_records(store),
        union=union,
        meta_graph=meta_graph(),
    )
    sd = Graph().parse(data=data.decode(), format="turtle")
    assert_described(sd, store, settings, files)
    features = set(sd.objects(None, SD.feature))
    assert features == ({SD.UnionDefaultGraph} if union else set())


def test_served_service_description_names_each_graph_with_its_record(
    live_factory: Callable[..., Live], files: dict[str, Path]
) -> None:
    settings = api_settings()
    store = loaded(settings, files)
    live = live_factory(settings, store)
    sd = get(live.sparql)
    assert_described(sd, store, settings, files)
    assert set(sd.objects(None, SD.feature)) == {SD.UnionDefaultGraph}


def test_served_void_has_a_subset_per_graph_with_its_record(
    live_factory: Callable[..., Live], files: dict[str, Path]
) -> None:
    settings = api_settings()
    store = loaded(settings, files)
    live = live_factory(settings, store)
    void = get(live.url + "/void")
    dataset = URIRef(DEFAULT_BASE + "void#dataset")
    subsets = {
        str(void.value(s, SD.name)): s
        for s in void.objects(dataset, VOID.subset)
        if (s, RDF.type, VOID.Linkset) not in void
    }
    sha = expected_sha256(settings, files)
    assert set(subsets) == set(sha)  # every data graph, not the metadata graph
    for name, digest in sha.items():
        subset = subsets[name]
        assert subset == URIRef(record_iri(name)), "the IRI of the graph's record"
        assert checksum_of(void, subset) == digest, name
        assert int(void.value(subset, VOID.triples)) == store.count(name)  # type: ignore[arg-type]
        # no load time nor local folder: two builds of the same files give the same bytes
        assert void.value(subset, PROV.generatedAtTime) is None
    assert str(void.value(subsets[WDI], DCTERMS.source)) == "wdi.ttl"
    assert str(void.value(subsets[OTHER], DCTERMS.source)) == "more.trig"
