"""The shipped graph on a live Oxigraph server: ``jaif-kg query --store URL`` and
``jaif-kg serve --store URL`` answer as the embedded store does, and never load the server;
``serve --store URL`` validates what the server holds (not the local files), queries the union
of the server's data graphs, or the shipped graph alone with ``--no-union-default-graph``."""

from __future__ import annotations

import json
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

from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.graphs import meta_graph, shipped_graph
from jaif_kg.store.remote import RemoteStore
from jaif_kg.store.shipped import push_dataset
from tests.oxigraph_server import OxigraphServer, free_port
from tests.store.conftest import DATA

START_TIMEOUT_S = 90.0


@pytest.fixture
def loaded_server(oxigraph_server: OxigraphServer, settings: Settings) -> Iterator[Store]:
    """The session's Oxigraph server holding the shipped graph in ``{base}graph/jaif`` and its
    record, as ``jaif-kg load`` leaves it."""
    remote = open_store(
        settings.model_copy(
            update={"store": oxigraph_server.query_url, "update_url": oxigraph_server.update_url}
        )
    )
    push_dataset(remote, settings)
    yield remote


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_query_store_url_answers_as_the_embedded_store(
    loaded_server: Store, oxigraph_server: OxigraphServer
) -> None:
    here = cli("query", "member-states", "--format", "json")
    there = cli("query", "member-states", "--format", "json", "--store", oxigraph_server.query_url)
    assert here.returncode == there.returncode == 0, here.stderr + there.stderr
    assert json.loads(there.stdout) == json.loads(here.stdout)
    assert len(json.loads(here.stdout)) >= 10


def get(url: str, accept: str = "application/json") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


@contextmanager
def serving(store_url: str, *args: str, **env: str) -> Iterator[str]:
    """``jaif-kg serve --store URL ARGS`` until the block ends; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "jaif_kg.cli", "serve"),
            *("--store", store_url, "--port", str(port), *args),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "JAIF_QUERY_WORKERS": "1", **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                get(base + "/healthz")
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


def count(base: str, query: str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") -> int:
    csv = get(f"{base}/sparql?{urllib.parse.urlencode({'query': query})}", "text/csv")
    header, value = csv.decode().splitlines()
    assert header == "n"
    return int(value)


def test_serve_store_url_serves_the_server(
    loaded_server: Store, oxigraph_server: OxigraphServer, shipped_store: Store
) -> None:
    shipped = shipped_graph()
    before = loaded_server.count(shipped)
    with serving(oxigraph_server.query_url) as base:
        assert count(base) == before
        served = json.loads(get(base + "/api/queries/member-states"))
        local = json.loads(cli("query", "member-states", "--format", "json").stdout)
        assert served == local
    assert loaded_server.count(shipped) == before == shipped_store.count()
    assert loaded_server.named_graphs() == [shipped, meta_graph()]  # nothing was written


def test_serve_store_url_queries_the_union_or_with_the_flag_the_shipped_graph(
    loaded_server: Store, oxigraph_server: OxigraphServer
) -> None:
    """A graph written to the server by someone else joins the union; the metadata graph not."""
    extra = "http://example.org/extra"
    loaded_server.load(
        b"<http://example.org/a> <http://example.org/p> 1 , 2 .", "text/turtle", extra
    )
    shipped = loaded_server.count(shipped_graph())
    with serving(oxigraph_server.query_url, "--allow-invalid") as base:
        assert count(base) == shipped + 2
    with serving(oxigraph_server.query_url, "--allow-invalid", "--no-union-default-graph") as base:
        assert count(base) == shipped
        named = f"SELECT (COUNT(*) AS ?n) FROM <{extra}> WHERE {{ ?s ?p ?o }}"
        assert count(base, named) == 2


PROJECT = DATA / "project"


def serve_project(store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``jaif-kg serve --store URL`` over the tiny project's shapes, when it refuses to start."""
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "serve", "--store", store_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "JAIF_ONTOLOGY_DIR": str(PROJECT / "ontology"),
            "JAIF_DATA_DIR": str(PROJECT / "graph_data"),
            "JAIF_QUERY_WORKERS": "1",
        },
    )


def project_env() -> dict[str, str]:
    return {
        "JAIF_ONTOLOGY_DIR": str(PROJECT / "ontology"),
        "JAIF_DATA_DIR": str(PROJECT / "graph_data"),
    }


def test_serve_store_url_validates_what_the_server_holds(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> None:
    """The local files conform; the server's copy, pushed there without ``jaif-kg load``, lacks
    a code: serve reports it and does not start, as it does for local data."""
    countries = (PROJECT / "graph_data" / "countries.ttl").read_text(encoding="utf-8")
    broken = countries.replace('ex:code "LAO" ;', "")
    assert broken != countries
    server = RemoteStore(oxigraph_server.query_url, update_url=oxigraph_server.update_url)
    server.replace_graph(broken.encode(), "text/turtle", shipped_graph())
    before = oxigraph_server.nquads()
    done = serve_project(oxigraph_server.query_url, "--port", str(free_port()))
    assert done.returncode == 1, done.stderr
    assert "A country has a code." in done.stderr
    assert "not serving" in done.stderr
    assert oxigraph_server.nquads() == before  # the server was not loaded, nor fixed
    with serving(oxigraph_server.query_url, "--allow-invalid", **project_env()) as base:
        assert count(base) == server.count(shipped_graph()) == 13  # 14, LAO's code gone


def test_serve_store_url_on_an_empty_server_validates_nothing(
    oxigraph_server: OxigraphServer,
) -> None:
    done = serve_project(oxigraph_server.query_url, "--port", str(free_port()))
    assert done.returncode == 1
    assert "not serving" in done.stderr
    assert oxigraph_server.nquads() == ""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "jaif_kg.cli", "serve", "--store", oxigraph_server.query_url),
            *("--port", str(port), "--allow-invalid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **project_env(), "JAIF_QUERY_WORKERS": "1"},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "the server holds no triples in the default graph of" in line, line
        assert "nothing was validated" in line
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def test_refusing_an_empty_server_says_why(oxigraph_server: OxigraphServer) -> None:
    done = serve_project(oxigraph_server.query_url, "--port", str(free_port()))
    assert done.returncode == 1
    assert "nothing was validated" in done.stderr
