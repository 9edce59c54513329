"""``jaif-kg load`` pushes the dataset: the shipped graph to ``{base}graph/jaif``, each ``--graph``
file to a graph of its own, each recorded in ``{base}graph/meta``; ``serve --store URL`` then
queries their union. On a live Oxigraph server, with the tiny project of ``test_load.py``."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from jaif_kg.store.graphs import graph_records, meta_graph, shipped_graph
from jaif_kg.store.loading import fingerprint
from tests.oxigraph_server import OxigraphServer, free_port
from tests.store.http_probe import Behaviour, Probe
from tests.store.test_load import PROJECT_TRIPLES, jaif_kg, project, server_store

__all__ = ["project"]  # the fixture, used by name

WDI = "https://w3id.org/jaif-kg/graph/wdi"
IATI = "http://example.org/iati"
#: One triple of the shipped data (countries.ttl) stated again here: the union counts it twice.
TURTLE = (
    "@prefix ex: <http://example.org/> .\n"
    'ex:KHM ex:code "KHM" .\n'
    'ex:KHM ex:gdp "27.0" .\n'
    'ex:LAO ex:gdp "15.8" .\n'
)
TRIG = f'@prefix ex: <http://example.org/> .\n<{IATI}> {{ ex:a ex:title "Activity A" . }}\n'
START_TIMEOUT_S = 90.0


@pytest.fixture
def extra(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "wdi.ttl").write_text(TURTLE, encoding="utf-8")
    (tmp_path / "iati.trig").write_text(TRIG, encoding="utf-8")
    return {"wdi": tmp_path / "wdi.ttl", "iati": tmp_path / "iati.trig"}


def endpoint(server: OxigraphServer) -> list[str]:
    return ["--endpoint", server.query_url, "--update-url", server.update_url]


def get(url: str, accept: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


@contextmanager
def serving(project: Path, store_url: str) -> Iterator[str]:
    """``jaif-kg serve --store URL`` on the tiny project; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "JAIF_ONTOLOGY_DIR": str(project / "ontology"),
        "JAIF_DATA_DIR": str(project / "graph_data"),
        "JAIF_QUERY_WORKERS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "jaif_kg.cli", "serve", "--store", store_url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                get(base + "/healthz", "application/json")
                break
            except OSError:
                assert time.monotonic() < deadline, "jaif-kg serve did not start"
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def count(base: str, query: str) -> int:
    csv = get(f"{base}/sparql?{urllib.parse.urlencode({'query': query})}", "text/csv")
    header, value = csv.decode().splitlines()
    assert header == "n"
    return int(value)


def test_load_pushes_and_records_every_graph_and_serve_sees_their_union(
    oxigraph_server: OxigraphServer, project: Path, extra: dict[str, Path]
) -> None:
    args = [*endpoint(oxigraph_server), "--graph", f"{WDI}={extra['wdi']}"]
    done = jaif_kg(project, *args, "--graph", str(extra["iati"]))
    assert done.returncode == 0, done.stderr
    shipped = shipped_graph()
    assert f"pushed {PROJECT_TRIPLES} triples to <{shipped}> on" in done.stdout
    assert f"pushed 3 triples to <{WDI}> on" in done.stdout
    assert f"pushed 1 triples to <{IATI}> on" in done.stdout
    store = server_store(oxigraph_server)
    assert store.named_graphs() == sorted([shipped, meta_graph(), WDI, IATI])
    assert store.count(shipped) == PROJECT_TRIPLES
    records = {r.graph: r for r in graph_records(store)}
    assert set(records) == {shipped, WDI, IATI}
    paths = [project / "ontology" / "jaif.ttl", project / "graph_data" / "countries.ttl"]
    assert records[shipped].sha256 == fingerprint(paths)
    assert records[shipped].source == (project / "graph_data").resolve().as_uri()
    assert records[WDI].sha256 == hashlib.sha256(extra["wdi"].read_bytes()).hexdigest()
    assert records[IATI].sha256 == hashlib.sha256(extra["iati"].read_bytes()).hexdigest()
    assert records[WDI].source == extra["wdi"].resolve().as_uri()
    assert (records[WDI].triples, records[IATI].triples) == (3, 1)

    with serving(project, oxigraph_server.query_url) as base:
        # the union of the data graphs: a triple in two graphs counts twice, graph/meta not at all
        union = count(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert union == PROJECT_TRIPLES + 3 + 1
        only = f"SELECT (COUNT(*) AS ?n) FROM <{shipped}> WHERE {{ ?s ?p ?o }}"
        assert count(base, only) == PROJECT_TRIPLES
        meta = (
            f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ GRAPH <{meta_graph()}> {{ ?d ?p ?o }} }}"
        )
        assert count(base, meta) >= 3  # a description per graph (and their checksums)


def test_a_second_load_replaces_each_graph_and_its_record(
    oxigraph_server: OxigraphServer, project: Path, extra: dict[str, Path]
) -> None:
    args = [*endpoint(oxigraph_server), "--graph", f"{WDI}={extra['wdi']}"]
    assert jaif_kg(project, *args).returncode == 0
    extra["wdi"].write_text(TURTLE.replace('"15.8"', '"16.0"'), encoding="utf-8")
    done = jaif_kg(project, *args)
    assert done.returncode == 0, done.stderr
    store = server_store(oxigraph_server)
    assert store.count(WDI) == 3
    assert not store.query('ASK { GRAPH ?g { ?s ?p "15.8" } }').boolean
    (record,) = [r for r in graph_records(store) if r.graph == WDI]
    assert record.sha256 == hashlib.sha256(extra["wdi"].read_bytes()).hexdigest()
    assert len(graph_records(store)) == 2


def test_shipped_graph_option_chooses_the_target(
    oxigraph_server: OxigraphServer, project: Path
) -> None:
    target = "http://example.org/elsewhere"
    done = jaif_kg(project, *endpoint(oxigraph_server), "--shipped-graph", target)
    assert done.returncode == 0, done.stderr
    store = server_store(oxigraph_server)
    assert store.named_graphs() == sorted([target, meta_graph()])
    assert [r.graph for r in graph_records(store)] == [target]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--graph", "http://example.org/g"], "use --shipped-graph IRI"),
        (["--graph", f"{meta_graph()}=WDI"], "is reserved"),
        (["--graph", f"{shipped_graph()}=WDI"], "is reserved"),
        (["--graph", "http://example.org/g=MISSING"], "no such file"),
        (["--graph", "http://example.org/g=TRIG"], "holds"),
        (["--graph", "WDI"], "outside any named graph"),
        (["--shipped-graph", meta_graph()], "is the metadata graph"),
        (["--shipped-graph", "not an iri"], "is not an absolute IRI"),
        (["--shipped-graph", IATI, "--graph", "TRIG"], "is where the shipped graph goes"),
    ],
)
def test_refused_graphs_push_nothing(
    oxigraph_server: OxigraphServer,
    project: Path,
    extra: dict[str, Path],
    args: list[str],
    message: str,
) -> None:
    two = extra["iati"].with_name("two.trig")
    two.write_text(TRIG + f"<{WDI}> {{ <http://example.org/x> <http://example.org/p> 1 . }}\n")
    names = {"WDI": str(extra["wdi"]), "TRIG": str(two), "MISSING": str(extra["wdi"]) + ".no"}
    args = [next((a.replace(k, v) for k, v in names.items() if a.endswith(k)), a) for a in args]
    store = server_store(oxigraph_server)
    store.load(b"<http://example.org/before> <http://example.org/p> 1 .", "text/turtle", WDI)
    before = oxigraph_server.nquads()
    done = jaif_kg(project, *endpoint(oxigraph_server), *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert oxigraph_server.nquads() == before


def test_a_failing_graph_is_left_as_it_was_and_those_before_stay_pushed(
    oxigraph_server: OxigraphServer, project: Path, extra: dict[str, Path]
) -> None:
    """The server fails at the request that replaces the second graph."""
    graph_args = ["--graph", f"{WDI}={extra['wdi']}", "--graph", str(extra["iati"])]
    trial = Behaviour(upstream=oxigraph_server.base_url)
    with Probe(trial) as proxy:
        args = ["--endpoint", proxy.url + "/query", "--update-url", proxy.url + "/update"]
        assert jaif_kg(project, *args, *graph_args).returncode == 0
        seen = list(proxy.seen)
    writes_wdi = next(
        i
        for i, s in enumerate(seen)
        if s.path.startswith("/update") and WDI.encode() in s.body and b"INSERT" in s.body
    )
    oxigraph_server.reset()
    store = server_store(oxigraph_server)
    store.load(b"<http://example.org/old> <http://example.org/p> 1 .", "text/turtle", WDI)
    failing = Behaviour(upstream=oxigraph_server.base_url, forward_limit=writes_wdi, status=502)
    with Probe(failing) as proxy:
        args = ["--endpoint", proxy.url + "/query", "--update-url", proxy.url + "/update"]
        done = jaif_kg(project, *args, *graph_args)
    assert done.returncode == 3
    assert f"<{WDI}> was left as it was" in done.stderr
    assert f"pushed before: <{shipped_graph()}>" in done.stderr
    assert store.count(shipped_graph()) == PROJECT_TRIPLES
    assert store.count(WDI) == 1  # the old triple, untouched
    assert IATI not in store.named_graphs()
    assert [r.graph for r in graph_records(store)] == [shipped_graph()]
