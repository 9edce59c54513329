"""``jaif-kg load``: validate, push to a live Oxigraph server, and fail without half-written graphs.

The command runs in a subprocess, as a user runs it, on a tiny project (``data/project``: an
ontology, one shape, four countries) chosen through ``JAIF_ONTOLOGY_DIR``/``JAIF_DATA_DIR``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jaif_kg.store.graphs import graph_records, meta_graph, shipped_graph
from jaif_kg.store.remote import RemoteStore
from jaif_kg.store.shipped import count_graph, push
from tests.oxigraph_server import OxigraphServer, start_oxigraph
from tests.store.conftest import DATA
from tests.store.http_probe import Behaviour, Probe

PROJECT = DATA / "project"
PROJECT_TRIPLES = 23  # ontology (8, with a blank node) + countries (15, with a blank node)
G = "https://example.org/graph/jaif"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the tiny project that a test may break."""
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    return copy


def jaif_kg(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "JAIF_ONTOLOGY_DIR": str(project / "ontology"),
        "JAIF_DATA_DIR": str(project / "graph_data"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "load", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def server_store(server: OxigraphServer) -> RemoteStore:
    return RemoteStore(server.query_url, update_url=server.update_url)


def test_load_pushes_the_validated_graph(oxigraph_server: OxigraphServer, project: Path) -> None:
    done = jaif_kg(
        project,
        "--endpoint",
        oxigraph_server.query_url,
        "--update-url",
        oxigraph_server.update_url,
    )
    assert done.returncode == 0, done.stderr
    assert "validated: Conforms" in done.stdout
    assert f"pushed {PROJECT_TRIPLES} triples to <{shipped_graph()}> on" in done.stdout
    assert "one SPARQL Update request" in done.stdout
    assert f"the server now holds {PROJECT_TRIPLES} triples there" in done.stdout
    store = server_store(oxigraph_server)
    assert store.count(shipped_graph()) == PROJECT_TRIPLES
    assert count_graph(store, None) == 0  # the server's own default graph is left alone
    assert store.named_graphs() == [shipped_graph(), meta_graph()]
    assert [r.graph for r in graph_records(store)] == [shipped_graph()]


def test_load_replaces_a_named_graph_by_graph_store_put(
    oxigraph_server: OxigraphServer, project: Path
) -> None:
    store = server_store(oxigraph_server)
    store.load(b"<http://example.org/old> <http://example.org/p> 1 .", "text/turtle", G)
    store.load(b"<http://example.org/kept> <http://example.org/p> 1 .", "text/turtle")
    args = ["--endpoint", oxigraph_server.query_url, "--shipped-graph", G]
    args += ["--graph-store-url", oxigraph_server.store_url]
    for _ in range(2):  # a second push replaces, it does not add
        done = jaif_kg(project, *args)
        assert done.returncode == 0, done.stderr
        assert "one Graph Store Protocol request" in done.stdout
        assert store.count(G) == PROJECT_TRIPLES
    assert not store.query("ASK { GRAPH ?g { <http://example.org/old> ?p ?o } }").boolean
    assert count_graph(store, None) == 1  # the default graph was not touched


def test_violations_push_nothing(oxigraph_server: OxigraphServer, project: Path) -> None:
    countries = project / "graph_data" / "countries.ttl"
    countries.write_text(countries.read_text().replace('ex:code "LAO" ;', ""))
    store = server_store(oxigraph_server)
    store.load(b"<http://example.org/before> <http://example.org/p> 1 .", "text/turtle")
    args = ["--endpoint", oxigraph_server.query_url, "--update-url", oxigraph_server.update_url]
    done = jaif_kg(project, *args)
    assert done.returncode == 1
    assert "A country has a code." in done.stderr
    assert "nothing was pushed" in done.stderr
    assert store.count() == 1
    forced = jaif_kg(project, *args, "--allow-invalid")
    assert forced.returncode == 0, forced.stderr
    assert store.count(shipped_graph()) == PROJECT_TRIPLES - 1


def test_malformed_data_pushes_nothing(oxigraph_server: OxigraphServer, project: Path) -> None:
    shutil.copy(DATA / "malformed.ttl", project / "graph_data" / "zz-broken.ttl")
    done = jaif_kg(project, "--endpoint", oxigraph_server.query_url)
    assert done.returncode == 2
    assert "zz-broken.ttl:5" in done.stderr
    assert server_store(oxigraph_server).count() == 0


def test_a_stopped_server_fails_clearly_and_keeps_the_previous_graph(
    tmp_path: Path, project: Path
) -> None:
    server = start_oxigraph(location=tmp_path / "oxigraph")
    try:
        args = ["--endpoint", server.query_url, "--graph-store-url", server.store_url]
        assert jaif_kg(project, *args).returncode == 0
        before = server.nquads()
        (project / "graph_data" / "more.ttl").write_text(
            '@prefix ex: <http://example.org/> .\nex:TLS a ex:Country ; ex:code "TLS" .\n'
        )
        server.stop()
        done = jaif_kg(project, *args)
        assert done.returncode == 3
        assert "cannot reach the SPARQL server" in done.stderr
        assert "was left as it was" in done.stderr
        server.start()
        assert server.nquads() == before
    finally:
        server.stop()


def test_a_push_failing_half_way_keeps_the_previous_graph(
    oxigraph_server: OxigraphServer, project: Path
) -> None:
    """Chunks of 4 triples go into a staging graph; the server fails after the third request."""
    store = server_store(oxigraph_server)
    store.load((DATA / "sample.ttl").read_bytes(), "text/turtle")
    before = oxigraph_server.nquads()
    behaviour = Behaviour(
        upstream=oxigraph_server.base_url, forward_limit=3, status=502, body=b"bad gateway"
    )
    with Probe(behaviour) as proxy:
        args = ["--endpoint", proxy.url + "/query", "--update-url", proxy.url + "/update"]
        done = jaif_kg(project, *args, JAIF_REMOTE_CHUNK_TRIPLES="4")
        pushes = [s for s in proxy.seen if s.path.startswith("/update")]
    assert done.returncode == 3
    assert "502" in done.stderr and "was left as it was" in done.stderr
    assert len(pushes) >= 3
    # the default graph is intact; the next push drops the staging graph that was left behind
    leftovers = [g for g in store.named_graphs() if g.startswith("urn:jaif-kg:staging:")]
    assert len(leftovers) == 1  # two chunks went in; the clean-up request failed too
    assert sorted(
        line for line in oxigraph_server.nquads().splitlines() if "urn:jaif-kg:staging" not in line
    ) == sorted(before.splitlines())
    args = ["--endpoint", oxigraph_server.query_url, "--update-url", oxigraph_server.update_url]
    done = jaif_kg(project, *args, JAIF_REMOTE_CHUNK_TRIPLES="4")
    assert done.returncode == 0, done.stderr
    assert "dropped 1 staging graph(s) of an interrupted push" in done.stdout
    assert store.named_graphs() == [shipped_graph(), meta_graph()]
    assert store.count(shipped_graph()) == PROJECT_TRIPLES


def test_bad_arguments(project: Path) -> None:
    done = jaif_kg(project, "--endpoint", "oxigraph")
    assert done.returncode == 2
    assert "--endpoint wants the http(s) URL" in done.stderr


def test_push_reports_what_it_did(oxigraph_server: OxigraphServer) -> None:
    store = RemoteStore(oxigraph_server.query_url, update_url=oxigraph_server.update_url)
    paths = [PROJECT / "ontology" / "jaif.ttl", PROJECT / "graph_data" / "countries.ttl"]
    report = push(paths, store, G)
    assert report.sent == report.on_server == PROJECT_TRIPLES
    assert report.verified
    assert report.target == f"<{G}> on {oxigraph_server.query_url}"
    assert report.method == f"one SPARQL Update request to {oxigraph_server.update_url}"
