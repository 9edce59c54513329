"""The structural SERVICE check on its own (:mod:`jaif_kg.sparql.safety`), for every spelling.

The check decides on rdflib's parse of the query, never on tokens; what it cannot read is refused
when ``strict`` (remote stores, unconfined engines) and left to the kernel sandbox otherwise. The
hostile corpus of the endpoint tests (``tests/fixtures/hostile``) runs here too, without a server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.errors import QueryRefused
from jaif_kg.settings import Settings
from jaif_kg.sparql.safety import expand_escapes, inspect, may_use_service, refuse_service
from jaif_kg.store import open_store
from tests.oxigraph_server import OxigraphServer
from tests.store.http_probe import Probe

HOSTILE = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "hostile").glob("*.rq"))

SERVICE_SPELLINGS = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { SERVI\\u0043E <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053\\u0045RVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {\nSERVICE\n<http://127.0.0.1:9/>\n{ ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { } } }",
]
HARMLESS = [
    "SELECT ?service WHERE { ?service <http://e/SERVICE> 'SERVICE' } # SERVICE <http://x/> {}",
    "SELECT * WHERE { ?s <http://e/service> ?o }",
    'ASK { ?s ?p """SERVICE <http://x/> { }""" }',
]


@pytest.mark.parametrize("text", SERVICE_SPELLINGS)
def test_every_spelling_of_service_is_refused(text: str) -> None:
    assert may_use_service(text)
    assert inspect(text).service
    for strict in (True, False):
        with pytest.raises(QueryRefused, match="SERVICE is not supported"):
            refuse_service(text, strict=strict)


@pytest.mark.parametrize("text", HARMLESS)
def test_the_word_service_elsewhere_is_not_a_clause(text: str) -> None:
    assert inspect(text).parsed and not inspect(text).service
    refuse_service(text, strict=True)


def test_unreadable_text_that_may_use_service_is_refused_only_when_strict() -> None:
    text = "PREFIX : <http://e/> ASK { BIND(:a\\# AS ?q) SERVICE <http://127.0.0.1:9/> { } }"
    assert not inspect(text).parsed  # rdflib cannot read the valid :a\#
    with pytest.raises(QueryRefused, match="cannot read it"):
        refuse_service(text, strict=True)
    refuse_service(text, strict=False)  # left to the kernel sandbox


def test_a_text_without_the_letters_needs_no_parse() -> None:
    assert not may_use_service("SELECT * WHERE { ?s ?p ?o }")
    assert expand_escapes("\\u0073ervice") == "service"
    assert may_use_service("\\u0073\\U00000065rvice")


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_the_hostile_corpus_is_refused_by_a_strict_check(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("{probe}", "http://127.0.0.1:9/")
    with pytest.raises(QueryRefused):
        refuse_service(text, strict=True)


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("text", SERVICE_SPELLINGS)
def test_each_local_backend_refuses_on_its_own(backend: str, text: str, tmp_path: Path) -> None:
    store = open_store(Settings(store=backend, store_path=None))
    with pytest.raises(QueryRefused):
        store.query(text)
    with pytest.raises(QueryRefused):
        store.query_serialized(text, "application/sparql-results+json")


def test_the_remote_store_sends_nothing_it_cannot_verify(oxigraph_server: OxigraphServer) -> None:
    """Oxigraph server follows SERVICE anywhere, so the remote store never sends a query whose
    SERVICE clauses the check cannot rule out. A second probe stands for the target: a query that
    got through would make the server call it."""
    with Probe() as target:
        store = open_store(Settings(store=oxigraph_server.query_url))
        texts = [
            p.read_text(encoding="utf-8").replace("{probe}", target.url + "/") for p in HOSTILE
        ] + [s.replace("http://127.0.0.1:9/", target.url + "/") for s in SERVICE_SPELLINGS]
        for text in texts:
            with pytest.raises(QueryRefused):
                store.query(text)
        assert target.seen == []
        assert store.query("ASK {}").boolean is True
