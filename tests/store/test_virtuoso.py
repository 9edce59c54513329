"""Virtuoso Open-Source 7 as a remote store, end to end: ``jaif-kg load`` through its
Digest-authenticated endpoints (SPARQL Update and Graph Store Protocol), refused credentials,
``jaif-kg query --store`` and ``jaif-kg serve --store`` on its anonymous ``/sparql``, and what
jaif-kg mends or refuses where Virtuoso departs from SPARQL 1.1 (docs/STORES.md).

The contract suite runs on it too (backends ``virtuoso`` and ``virtuoso-gsp``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from jaif_kg.errors import QuerySyntaxError, ResultTooLarge, StoreError
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.graphs import graph_records, meta_graph, shipped_graph
from jaif_kg.store.remote import DEFAULT_GRAPH_IRI, PLAIN, VIRTUOSO, RemoteStore
from jaif_kg.store.shipped import count_graph, push_dataset
from tests.store.test_load import PROJECT_TRIPLES, jaif_kg
from tests.store.test_load import project as project  # the fixture
from tests.store.test_serve_remote import cli, count, get, serving
from tests.virtuoso_server import (
    PASSWORD,
    USER,
    VirtuosoServer,
    start_virtuoso,
    virtuoso_binaries,
)

AUTH = ("--user", USER, "--password", PASSWORD)


def test_load_pushes_through_digest_authentication(
    virtuoso_server: VirtuosoServer, project: Path
) -> None:
    done = jaif_kg(project, "--endpoint", virtuoso_server.auth_url, *AUTH)
    assert done.returncode == 0, done.stderr
    assert f"pushed {PROJECT_TRIPLES} triples to <{shipped_graph()}> on" in done.stdout
    assert f"the server now holds {PROJECT_TRIPLES} triples there" in done.stdout
    store = virtuoso_server.store()
    assert store.dialect is VIRTUOSO
    assert store.count(shipped_graph()) == PROJECT_TRIPLES
    assert count_graph(store, None) == 0  # the store's own default graph is left alone
    assert store.named_graphs() == [shipped_graph(), meta_graph()]  # not Virtuoso's own
    assert [r.graph for r in graph_records(store)] == [shipped_graph()]


def test_load_by_graph_store_protocol_replaces(
    virtuoso_server: VirtuosoServer, project: Path
) -> None:
    store = virtuoso_server.store()
    store.load(b"<http://example.org/old> <http://example.org/p> 1 .", "text/turtle")
    args = ["--endpoint", virtuoso_server.auth_url, "--graph-store-url", virtuoso_server.store_url]
    for _ in range(2):  # a second push replaces, it does not add
        done = jaif_kg(project, *args, *AUTH)
        assert done.returncode == 0, done.stderr
        assert "one Graph Store Protocol request" in done.stdout
        assert store.count(shipped_graph()) == PROJECT_TRIPLES
    assert count_graph(store, None) == 1  # the default graph was not touched
    assert store.count(DEFAULT_GRAPH_IRI) == 1  # where jaif-kg keeps it on Virtuoso


def test_wrong_or_missing_credentials_are_refused_clearly(
    virtuoso_server: VirtuosoServer, project: Path
) -> None:
    wrong = jaif_kg(
        project, "--endpoint", virtuoso_server.auth_url, "--user", USER, "--password", "nope"
    )
    assert wrong.returncode == 3
    assert "refused the credentials (401)" in wrong.stderr
    anonymous = jaif_kg(project, "--endpoint", virtuoso_server.auth_url)
    assert anonymous.returncode == 3
    assert "401" in anonymous.stderr
    # the anonymous endpoint reads but does not write: Virtuoso's own message says why
    read_only = jaif_kg(project, "--endpoint", virtuoso_server.query_url)
    assert read_only.returncode == 3
    assert "Virtuoso" in read_only.stderr and "permission" in read_only.stderr.lower()
    assert virtuoso_server.store().named_graphs() == []


def test_a_query_selecting_graphs_twice_is_refused(virtuoso_server: VirtuosoServer) -> None:
    """Virtuoso adds default-graph-uri to a query's FROM instead of replacing it: refused."""
    store = virtuoso_server.store()
    with pytest.raises(StoreError, match="Virtuoso adds default-graph-uri"):
        store.query("ASK FROM <http://example.org/a> { ?s ?p ?o }", default_graphs=[meta_graph()])


def test_a_syntax_error_is_a_syntax_error(virtuoso_server: VirtuosoServer) -> None:
    """Virtuoso answers 400 with ``SP030`` in plain text; jaif-kg reads the query first on
    Virtuoso (for the graphs it names), so the error says where, as for other servers."""
    with pytest.raises(QuerySyntaxError):
        RemoteStore(virtuoso_server.query_url).query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QuerySyntaxError, match="SP030"):  # the server's own message, raw
        RemoteStore(virtuoso_server.query_url, dialect=PLAIN).query("SELECT * WHERE { ?s ?p }")


def test_an_answer_virtuoso_cut_short_is_refused(tmp_path: Path) -> None:
    """Virtuoso answers 200 with the first ResultSetMaxRows rows and a header saying so."""
    server = start_virtuoso(tmp_path, max_rows=5)  # its own graphs and ours: 4
    try:
        store = server.store()
        data = b"<http://example.org/a> <http://example.org/p> 1, 2, 3, 4, 5, 6, 7 ."
        store.load(data, "text/turtle")
        with pytest.raises(ResultTooLarge, match="cut the answer at 5 rows"):
            store.query("SELECT ?o WHERE { ?s ?p ?o }")
        assert len(store.query("SELECT ?o WHERE { ?s ?p ?o } LIMIT 1").rows) == 1
    finally:
        server.stop()


@pytest.fixture
def loaded_virtuoso(virtuoso_server: VirtuosoServer, settings: Settings) -> Iterator[Store]:
    """Virtuoso holding the shipped graph and its record, as ``jaif-kg load`` leaves it."""
    remote = open_store(
        settings.model_copy(
            update={
                "store": virtuoso_server.auth_url,
                "remote_user": USER,
                "remote_password": PASSWORD,
            }
        )
    )
    push_dataset(remote, settings)
    yield remote


def test_query_store_url_answers_as_the_embedded_store(
    loaded_virtuoso: Store, virtuoso_server: VirtuosoServer
) -> None:
    here = cli("query", "member-states", "--format", "json")
    there = cli("query", "member-states", "--format", "json", "--store", virtuoso_server.query_url)
    assert here.returncode == there.returncode == 0, here.stderr + there.stderr
    assert json.loads(there.stdout) == json.loads(here.stdout)


def test_serve_store_url_serves_virtuoso(
    loaded_virtuoso: Store, virtuoso_server: VirtuosoServer, shipped_store: Store
) -> None:
    shipped = shipped_graph()
    before = loaded_virtuoso.count(shipped)
    assert before == shipped_store.count()
    with serving(virtuoso_server.query_url) as base:
        assert count(base) == before  # the union of the data graphs, not Virtuoso's own
        served = json.loads(get(base + "/api/queries/member-states"))
        local = json.loads(cli("query", "member-states", "--format", "json").stdout)
        assert served == local
        tsv = get(
            base + "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%7D", "text/tab-separated-values"
        )
        assert tsv.decode().splitlines()[0] == "?s"  # Virtuoso would write "s"
    assert loaded_virtuoso.named_graphs() == [shipped, meta_graph()]  # nothing was written


@pytest.mark.parametrize("required", ["1", ""])
def test_missing_virtuoso_skips_or_under_ci_fails(
    required: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("JAIF_REQUIRE_SUITES", required)
    outcome = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(outcome, match="apt-get install virtuoso-opensource"):
        virtuoso_binaries()
