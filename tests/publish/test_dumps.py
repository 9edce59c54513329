"""Dumps: every format parses back to the served default graph; files are stable and checked."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from jaif_kg.cli import main
from jaif_kg.publish.dumps import (
    CHECKSUMS_FILE,
    CONTEXT_FILE,
    Bundle,
    build_bundle,
    dump_name,
    graph_name_for,
    store_graph,
)
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store import Store, load_shipped, open_store

PRIMARY = URIRef("http://www.w3.org/ns/prov#hadPrimarySource")


def served_graph(store: Store) -> Graph:
    """The default graph as the store serves it (its own N-Triples writer, parsed by rdflib)."""
    return Graph().parse(data=store.dump("application/n-triples").decode(), format="nt")


def parse_jsonld(data: bytes, context: bytes) -> Graph:
    """Parse the JSON-LD dump as it is: its ``@context`` is embedded (the published context file's,
    exactly), so nothing is fetched."""
    document = json.loads(data)
    assert document["@context"] == json.loads(context)["@context"]
    return Graph().parse(data=data.decode("utf-8"), format="json-ld")


@pytest.mark.parametrize("name", ["turtle", "ntriples", "jsonld", "rdfxml", "trig"])
def test_each_dump_parses_back_to_the_served_graph(
    name: str, bundle: Bundle, shipped_store: Store
) -> None:
    data = bundle.files[dump_name(name)].data
    if name == "jsonld":
        parsed = parse_jsonld(data, bundle.files[CONTEXT_FILE].data)
    elif name == "trig":
        dataset = Dataset()
        dataset.parse(data=data.decode(), format="trig")
        parsed = Graph()
        for g in dataset.graphs():
            for triple in g:
                parsed.add(triple)
    else:
        parsed = Graph().parse(
            data=data.decode(), format={"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}[name]
        )
    expected = served_graph(shipped_store)
    assert len(parsed) == len(expected) == shipped_store.count()
    assert isomorphic(parsed, expected)


def test_ntriples_lines_are_sorted_and_unique(bundle: Bundle) -> None:
    lines = bundle.files[dump_name("ntriples")].data.decode().splitlines()
    assert lines == sorted(set(lines))


def test_trig_puts_each_fact_in_the_graph_of_its_primary_source(
    bundle: Bundle, shipped_store: Store
) -> None:
    dataset = Dataset()
    dataset.parse(data=bundle.files[dump_name("trig")].data.decode(), format="trig")
    graph = served_graph(shipped_store)
    primary = {str(s): str(o) for s, _, o in graph.triples((None, PRIMARY, None))}
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    sources = {str(o) for o in graph.objects(None, PRIMARY)}
    assert {graph_name_for(s, DEFAULT_BASE) for s in sources} <= names
    assert DEFAULT_BASE + "graph/ontology" in names
    checked = 0
    for g in dataset.graphs():
        for s, _, _ in g:
            owner = str(s).split("#", 1)[0]
            source = primary.get(str(s)) or primary.get(owner)
            if source is not None:  # hash sub-resources go with their owner
                assert str(g.identifier) == graph_name_for(source, DEFAULT_BASE), s
                checked += 1
            elif not str(s).startswith(DEFAULT_BASE + "ontology"):
                assert str(g.identifier) == DEFAULT_BASE + "graph/dataset", s
    assert checked > 500


def test_checksums_match_the_files(bundle: Bundle) -> None:
    lines = bundle.files[CHECKSUMS_FILE].data.decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == set(bundle.files) - {CHECKSUMS_FILE}
    for name, digest in listed.items():
        assert hashlib.sha256(bundle.files[name].data).hexdigest() == digest


def test_two_builds_give_the_same_bytes(
    bundle: Bundle, shipped_store: Store, settings: Settings
) -> None:
    again = build_bundle(shipped_store, settings)
    assert {n: f.data for n, f in again.files.items()} == {
        n: f.data for n, f in bundle.files.items()
    }


def test_build_command_writes_the_same_files(settings: Settings, tmp_path: Path) -> None:
    """``jaif-kg build`` (a new process's worth of state: a new store, new blank-node labels)
    writes what a server over the shipped graph, loaded as ``serve`` loads it, serves."""
    store = open_store(settings)
    load_shipped(store, settings)
    bundle = build_bundle(store, settings)
    store.close()
    assert main(["build", "--out", str(tmp_path / "dist")]) == 0
    written = {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()}
    assert written == {n: f.data for n, f in bundle.files.items()}
    assert "graph-jaif.ttl" in written


def test_the_canonical_graph_keeps_literals_as_written(shipped_store: Store) -> None:
    assert isomorphic(store_graph(shipped_store), served_graph(shipped_store))


def _blank_node_graph(n: int) -> str:
    """N-Triples of ``n`` resources, each with nested blank nodes (a value with a unit, a list of
    two items) and some blank nodes that differ only by what points to them."""
    ex = "http://example.org/"
    lines = []
    for i in range(n):
        lines += [
            f"<{ex}thing/{i % 40}> <{ex}measure> _:m{i} .",
            f'_:m{i} <{ex}value> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
            f"_:m{i} <{ex}unit> _:u{i} .",
            f'_:u{i} <{ex}label> "unit {i % 7}" .',
            f"_:m{i} <{ex}parts> _:l{i} .",
            f"_:l{i} <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> _:a{i} .",
            f"_:l{i} <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .",
            f'_:a{i} <{ex}same> "x" .',
        ]
    return "\n".join(lines) + "\n"


def _canonical_quads(data: bytes, rdf_format: ox.RdfFormat) -> set[str]:
    dataset = ox.Dataset(ox.parse(data, rdf_format))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_blank_node_dumps_are_byte_stable_and_keep_the_graph() -> None:
    """Dumps of a graph with thousands of blank nodes, read in two different orders under other
    labels, are the same bytes, and each reads back as the source graph."""
    source = _blank_node_graph(1000)
    reordered = "\n".join(reversed(source.splitlines())).replace("_:", "_:other") + "\n"
    settings = Settings(store="oxigraph", store_path=None)
    bundles = []
    for text in (source, reordered):
        store = open_store(settings)
        store.load(text.encode(), "application/n-triples")
        bundles.append(build_bundle(store, settings))
        store.close()
    first, second = ({n: f.data for n, f in b.files.items()} for b in bundles)
    assert first == second
    expected = _canonical_quads(source.encode(), ox.RdfFormat.N_TRIPLES)
    assert len(expected) == 8000
    for name in ("turtle", "ntriples", "trig"):
        data = first[dump_name(name)]
        fmt = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}.get(name)
        if fmt is None:  # TriG: the merge of its graphs is the source graph
            quads = ox.parse(data, ox.RdfFormat.TRIG)
            data = b"".join(f"{q.subject} {q.predicate} {q.object} .\n".encode() for q in quads)
            fmt = ox.RdfFormat.N_TRIPLES
        assert _canonical_quads(data, fmt) == expected, name
