"""Dumps of the whole dataset: the shipped graph in its named graph beside loaded graphs.

Every graph of the dataset (but the metadata graph) is in the TriG and N-Quads dumps under its
own name and in a Turtle file of its own; every file is a ``void:dataDump`` and a
``dcat:Distribution`` with its size and checksum; ``jaif-kg build --graph`` writes the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from jaif_kg.cli import main
from jaif_kg.publish.dumps import (
    CHECKSUMS_FILE,
    DATASET_STEM,
    VOID_FILE,
    Bundle,
    build_bundle,
    dumped_graphs,
    graph_file_name,
    graph_file_stem,
    shipped_bundle,
)
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store import Store, load_shipped, open_store
from jaif_kg.store.graphs import meta_graph, shipped_graph

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
#: Graphs loaded beside the shipped graph: IRI -> Turtle. One under ``{base}graph/`` with a plain
#: name, one anywhere else (its file name is hashed); both with blank nodes.
EXTRA = {
    DEFAULT_BASE + "graph/wdi-2023": (
        "@prefix ex: <http://example.org/wdi/> .\n"
        'ex:khm ex:gdp [ ex:value "27.0"^^<http://www.w3.org/2001/XMLSchema#decimal> ; '
        'ex:year "2023" ] .\n'
        'ex:lao ex:gdp [ ex:value "15.8"^^<http://www.w3.org/2001/XMLSchema#decimal> ] .\n'
    ),
    "http://example.org/Graphs/IATI_v2#all": (
        "@prefix ex: <http://example.org/iati/> .\n"
        'ex:a ex:title "Activity A"@en ; ex:part ( ex:b ex:c ) .\n'
    ),
}


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    """The ``--graph IRI=FILE`` pairs of :data:`EXTRA`, written to files."""
    folder = tmp_path_factory.mktemp("graphs")
    out = []
    for i, (iri, text) in enumerate(EXTRA.items()):
        path = folder / f"extra-{i}.ttl"
        path.write_text(text, encoding="utf-8")
        out.append((iri, path))
    return out


@pytest.fixture(scope="module")
def dataset_store(settings: Settings, graphs: list[tuple[str, Path]]) -> Iterator[Store]:
    """A store loaded as ``jaif-kg serve --graph ...`` loads it."""
    store = open_store(settings)
    load_shipped(store, settings, graphs)
    yield store
    store.close()


@pytest.fixture(scope="module")
def dataset_bundle(dataset_store: Store, settings: Settings) -> Bundle:
    return build_bundle(dataset_store, settings)


def _quads(data: bytes, fmt: ox.RdfFormat) -> set[str]:
    """The quads of a dump, blank nodes canonically labelled (to compare with the store's)."""
    dataset = ox.Dataset(ox.parse(data, fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def _store_quads(store: Store, *, leave_out: str) -> set[str]:
    quads = ox.parse(store.dump("application/n-quads"), ox.RdfFormat.N_QUADS)
    kept = [q for q in quads if q.graph_name != ox.NamedNode(leave_out)]
    dataset = ox.Dataset(kept)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.mark.parametrize(
    ("suffix", "fmt"), [("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS)]
)
def test_dataset_dumps_hold_every_graph_but_the_metadata(
    suffix: str, fmt: ox.RdfFormat, dataset_bundle: Bundle, dataset_store: Store
) -> None:
    data = dataset_bundle.files[f"{DATASET_STEM}.{suffix}"].data
    expected = _store_quads(dataset_store, leave_out=meta_graph(DEFAULT_BASE))
    assert _quads(data, fmt) == expected
    names = {q.graph_name for q in ox.parse(data, fmt)}
    assert names == {ox.NamedNode(shipped_graph(DEFAULT_BASE)), *map(ox.NamedNode, EXTRA)}
    # rdflib reads them too, with the same graphs and sizes
    dataset = Dataset()
    dataset.parse(data=data.decode(), format="trig" if suffix == "trig" else "nquads")
    sizes = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert sizes == {g: dataset_store.count(g) for g in dumped_graphs(dataset_store, DEFAULT_BASE)}


def test_the_store_holds_a_metadata_graph_the_dumps_leave_out(
    dataset_store: Store, dataset_bundle: Bundle
) -> None:
    """The test above can fail: the store does hold the metadata graph."""
    meta = meta_graph(DEFAULT_BASE)
    assert meta in dataset_store.named_graphs()
    for item in dataset_bundle.files.values():
        assert meta.encode() not in item.data or item.name == VOID_FILE, item.name


def test_nquads_lines_are_sorted_and_unique(dataset_bundle: Bundle) -> None:
    lines = dataset_bundle.files[f"{DATASET_STEM}.nq"].data.decode().splitlines()
    assert lines == sorted(set(lines)) and len(lines) > 2000


def test_each_graph_has_its_turtle_file(dataset_bundle: Bundle, dataset_store: Store) -> None:
    graph_files = {n for n in dataset_bundle.files if n.startswith("graph-")}
    expected = {
        "graph-jaif.ttl",
        "graph-wdi-2023.ttl",
        f"{graph_file_stem('http://example.org/Graphs/IATI_v2#all', DEFAULT_BASE)}.ttl",
    }
    assert graph_files == expected
    assert "default-graph.ttl" not in dataset_bundle.files  # the store's own default is empty
    for graph in [shipped_graph(DEFAULT_BASE), *EXTRA]:
        data = dataset_bundle.files[graph_file_name(graph, DEFAULT_BASE)].data
        parsed = Graph().parse(data=data.decode(), format="turtle")
        served = dataset_store.dump("application/n-triples", graph).decode()
        assert isomorphic(parsed, Graph().parse(data=served, format="nt")), graph
        assert len(parsed) == dataset_store.count(graph) > 0


def test_the_shipped_graph_file_is_the_shipped_turtle_dump(dataset_bundle: Bundle) -> None:
    files = dataset_bundle.files
    assert files["graph-jaif.ttl"].data == files["jaif-kg.ttl"].data


def test_void_describes_every_file(dataset_bundle: Bundle, settings: Settings) -> None:
    void = Graph().parse(data=dataset_bundle.files[VOID_FILE].data.decode(), format="turtle")
    dataset = URIRef(DEFAULT_BASE + "void#dataset")
    dumps = {str(o) for o in void.objects(dataset, URIRef(VOID + "dataDump"))}
    listed = set(dataset_bundle.files) - {VOID_FILE, CHECKSUMS_FILE, "context.jsonld"}
    assert dumps == {f"{DEFAULT_BASE}dumps/{name}" for name in listed}
    by_url = {
        str(void.value(d, URIRef(DCAT + "downloadURL"))): d
        for d in void.objects(dataset, URIRef(DCAT + "distribution"))
    }
    for name in listed:
        item = dataset_bundle.files[name]
        dist = by_url[f"{DEFAULT_BASE}dumps/{name}"]
        assert void.value(dist, URIRef(DCAT + "byteSize")) == Literal(
            item.size, datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
        )
        checksum = void.value(dist, URIRef(SPDX + "checksum"))
        assert str(void.value(checksum, URIRef(SPDX + "checksumValue"))) == item.sha256, name
    service = URIRef(DEFAULT_BASE + "void#graph-store")
    assert str(void.value(service, URIRef(DCAT + "endpointURL"))) == DEFAULT_BASE + "graph-store"


def test_checksums_cover_the_dataset_files(dataset_bundle: Bundle) -> None:
    sums = dataset_bundle.files[CHECKSUMS_FILE].data.decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in sums)
    assert set(listed) == set(dataset_bundle.files) - {CHECKSUMS_FILE}
    for name, digest in listed.items():
        assert hashlib.sha256(dataset_bundle.files[name].data).hexdigest() == digest


def test_build_with_graphs_gives_the_bytes_a_server_would(
    dataset_bundle: Bundle, graphs: list[tuple[str, Path]], settings: Settings, tmp_path: Path
) -> None:
    """``shipped_bundle`` (what ``jaif-kg build --graph`` calls) and ``jaif-kg build`` itself (a
    fresh store, new load times in the metadata graph) give the served dataset's bytes."""
    again = shipped_bundle(settings, graphs)
    expected = {n: f.data for n, f in dataset_bundle.files.items()}
    assert {n: f.data for n, f in again.files.items()} == expected
    args = ["build", "--out", str(tmp_path / "dist")]
    for iri, path in graphs:
        args += ["--graph", f"{iri}={path}"]
    assert main(args) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()} == expected


#: Graph IRIs that a careless naming would give the same file (case, slash or hyphen, dots...).
TRICKY = [
    DEFAULT_BASE + "graph/wdi",
    DEFAULT_BASE + "graph/WDI",
    DEFAULT_BASE + "graph/wdi/2023",
    DEFAULT_BASE + "graph/wdi-2023",
    DEFAULT_BASE + "graph/wdi_2023",
    DEFAULT_BASE + "graph/wdi.2023",
    DEFAULT_BASE + "graph/wdi--2023",
    DEFAULT_BASE + "graph/wdi-",
    DEFAULT_BASE + "graph/",
    DEFAULT_BASE + "graph/..",
    DEFAULT_BASE + "graph/meta",
    "http://example.org/graph/wdi",
    "http://example.org/graph/wdi/",
    "urn:x:wdi",
    "http://example.org/%C3%A9t%C3%A9",
    "http://example.org/été",
]


def test_graph_file_names_are_distinct_safe_and_stable() -> None:
    stems = [graph_file_stem(iri, DEFAULT_BASE) for iri in TRICKY]
    assert len(set(stems)) == len(TRICKY)
    assert len({s.lower() for s in stems}) == len(TRICKY)  # case-insensitive file systems
    for stem in stems:
        assert re.fullmatch(r"graph-[a-z0-9-]+", stem), stem
    assert stems[0] == "graph-wdi" and stems[3] == "graph-wdi-2023"
    assert graph_file_name(None, DEFAULT_BASE) == "default-graph.ttl"
    assert stems == [graph_file_stem(iri, DEFAULT_BASE) for iri in TRICKY]
