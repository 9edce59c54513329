"""The shipped graph on a live Oxigraph server: ``jaif-kg query --store URL`` and
``jaif-kg serve --store URL`` answer as the embedded store does, and never load the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.shipped import count_graph, push
from tests.oxigraph_server import OxigraphServer, free_port

START_TIMEOUT_S = 90.0


@pytest.fixture
def loaded_server(oxigraph_server: OxigraphServer, settings: Settings) -> Iterator[Store]:
    """The session's Oxigraph server holding the shipped graph in its default graph."""
    remote = open_store(
        settings.model_copy(
            update={"store": oxigraph_server.query_url, "update_url": oxigraph_server.update_url}
        )
    )
    push(shipped_paths(settings), remote)
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


def test_serve_store_url_serves_the_server(
    loaded_server: Store, oxigraph_server: OxigraphServer, shipped_store: Store
) -> None:
    before = count_graph(loaded_server, None)
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "jaif_kg.cli", "serve"),
            *("--store", oxigraph_server.query_url, "--port", str(port), "--allow-invalid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "JAIF_QUERY_WORKERS": "1"},
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
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        csv = get(f"{base}/sparql?{urllib.parse.urlencode({'query': count})}", "text/csv")
        assert csv.decode().splitlines() == ["n", str(before)]
        served = json.loads(get(base + "/api/queries/member-states"))
        local = json.loads(cli("query", "member-states", "--format", "json").stdout)
        assert served == local
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    assert count_graph(loaded_server, None) == before == shipped_store.count()
    assert loaded_server.named_graphs() == []
