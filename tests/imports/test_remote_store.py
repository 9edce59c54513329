"""``jaif-kg import --store URL`` against a real ``oxigraph serve`` and a real Virtuoso (whose
authenticated endpoints want HTTP Digest): the write goes to ``--update-url`` or
``--graph-store-url``; without either, the server's refusal at the query URL says which option
(and variable) names the write URL."""

from __future__ import annotations

import pytest

from jaif_kg.cli import main
from tests.imports.conftest import EXAMPLES
from tests.oxigraph_server import OxigraphServer
from tests.virtuoso_server import PASSWORD, USER, VirtuosoServer

EXAMPLE = str(EXAMPLES / "iati" / "EXAMPLE-activities.xml")
GRAPH = "<https://w3id.org/jaif-kg/graph/iati>"


@pytest.mark.parametrize("option", ["--update-url", "--graph-store-url"])
def test_import_into_a_server(
    option: str, oxigraph_server: OxigraphServer, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del engine
    url = oxigraph_server.update_url if option == "--update-url" else oxigraph_server.store_url
    code = main(["import", "iati", EXAMPLE, "--store", oxigraph_server.query_url, option, url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "replaced with" in out
    held = [line for line in oxigraph_server.nquads().splitlines() if line.endswith(GRAPH + " .")]
    assert held and f"in {oxigraph_server.query_url}" in out


def test_without_a_write_url_the_error_names_it(
    oxigraph_server: OxigraphServer, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del engine
    code = main(["import", "iati", EXAMPLE, "--store", oxigraph_server.query_url])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "--update-url or JAIF_UPDATE_URL" in err and len(err.splitlines()) == 1
    assert oxigraph_server.nquads() == ""


@pytest.mark.parametrize("option", ["--update-url", "--graph-store-url"])
def test_import_into_virtuoso_with_digest_authentication(
    option: str, virtuoso_server: VirtuosoServer, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del engine
    url = virtuoso_server.auth_url if option == "--update-url" else virtuoso_server.store_url
    args = ["import", "iati", EXAMPLE, "--store", virtuoso_server.auth_url, option, url]
    code = main([*args, "--user", USER, "--password", PASSWORD])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "replaced with" in out
    store = virtuoso_server.store()
    assert store.count(GRAPH.strip("<>")) > 0
    assert GRAPH.strip("<>") in store.named_graphs()
