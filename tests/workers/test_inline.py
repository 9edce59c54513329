"""Lookups answered in the calling process (:meth:`QueryExecutor.run`, ``_inline``) give the very
bytes a query worker gives, and hand anything else to a worker.

Each ``tests/fixtures/lookups/accepted/*.rq`` (add a file, get a test) is run as the endpoint
sends it (``prepare``, the endpoint's base and row cap) in every results format, by an executor
that answers lookups itself and by one whose every query goes to a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from jaif_kg.errors import JaifError, ResultTooLarge
from jaif_kg.store import Store
from jaif_kg.workers.pool import INLINE_MAX_BYTES, ROWS_MEDIA_TYPE, Job, QueryExecutor
from tests.api.conftest import api_settings, shipped

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lookups"
ACCEPTED = sorted((FIXTURES / "accepted").glob("*.rq"))
DECLINED = sorted((FIXTURES / "declined").glob("*.rq"))
FORMATS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    ROWS_MEDIA_TYPE,
]
ENDPOINT = "http://127.0.0.1:8000/sparql"


@pytest.fixture(scope="module")
def store() -> Store:
    return shipped(api_settings())


@pytest.fixture(scope="module")
def executors(store: Store) -> Iterator[tuple[QueryExecutor, QueryExecutor]]:
    inline = QueryExecutor(store, workers=1, max_workers=1)
    workers = QueryExecutor(store, workers=1, max_workers=1, inline=False)
    try:
        yield inline, workers
    finally:
        inline.close()
        workers.close()


def _job(
    text: str, media_type: str | None, params: tuple[tuple[str, str], ...] = (), **changes: object
) -> Job:
    """The job the endpoint makes of ``GET /sparql?query=TEXT&PARAMS`` asking for
    ``media_type`` (:func:`jaif_kg.api.routes.sparql.query_job`), with ``changes``."""
    from jaif_kg.api.routes.sparql import query_job
    from jaif_kg.sparql.protocol import parse_request

    request = parse_request("GET", [("query", text), *params], None, b"")
    job = query_job(api_settings(), request, media_type or "text/turtle", ENDPOINT)
    return replace(job, **changes)  # type: ignore[arg-type]


def _both(
    executors: tuple[QueryExecutor, QueryExecutor], job: Job
) -> tuple[tuple[bytes, str], tuple[bytes, str], int]:
    inline, workers = executors
    before = inline.inline_answers
    here = asyncio.run(inline.run(job))
    there = asyncio.run(workers.run(job))
    assert workers.inline_answers == 0
    return here, there, inline.inline_answers - before


@pytest.mark.parametrize("media_type", FORMATS)
@pytest.mark.parametrize("case", ACCEPTED, ids=[p.stem for p in ACCEPTED])
def test_a_lookup_answered_here_is_the_workers_answer(
    executors: tuple[QueryExecutor, QueryExecutor], case: Path, media_type: str
) -> None:
    here, there, answered = _both(executors, _job(case.read_text(encoding="utf-8"), media_type))
    assert answered == 1
    assert here == there


MALFORMED = sorted((FIXTURES / "malformed").glob("*.rq"))


@pytest.mark.parametrize("media_type", FORMATS)
@pytest.mark.parametrize("case", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_a_malformed_iri_in_a_lookup_is_the_workers_syntax_error(
    executors: tuple[QueryExecutor, QueryExecutor], case: Path, media_type: str
) -> None:
    """Lookup-shaped, but an IRI RDF refuses (``%zz``, a bad host): a 400 with the worker's
    message in every format, never an error of the HTTP process's own."""
    from jaif_kg.errors import QuerySyntaxError

    messages = []
    for executor in executors:
        with pytest.raises(QuerySyntaxError) as caught:
            asyncio.run(executor.run(_job(case.read_text(encoding="utf-8"), media_type)))
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "IRI" in messages[0]


@pytest.mark.parametrize("case", DECLINED[:12], ids=[p.stem for p in DECLINED[:12]])
def test_other_queries_go_to_a_worker(
    executors: tuple[QueryExecutor, QueryExecutor], case: Path
) -> None:
    inline = executors[0]
    before = inline.inline_answers
    with contextlib.suppress(JaifError):  # refusals and syntax errors: the worker's answers
        asyncio.run(inline.run(_job(case.read_text(encoding="utf-8"), "text/csv")))
    assert inline.inline_answers == before


def test_a_large_answer_goes_to_a_worker(executors: tuple[QueryExecutor, QueryExecutor]) -> None:
    """The shipped graph's every triple is more than 64 KiB of JSON: a worker writes it."""
    here, there, answered = _both(
        executors, _job("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json")
    )
    assert answered == 0
    assert here == there and len(here[0]) > INLINE_MAX_BYTES


@pytest.mark.parametrize("media_type", ["text/csv", "application/sparql-results+json"])
def test_the_row_cap_is_the_workers(
    executors: tuple[QueryExecutor, QueryExecutor], media_type: str
) -> None:
    text = (ACCEPTED[0].parent / "iri-lookup.rq").read_text(encoding="utf-8")
    inline, workers = executors
    messages = []
    for executor in (inline, workers):
        with pytest.raises(ResultTooLarge) as caught:
            asyncio.run(executor.run(_job(text, media_type, max_results=2)))
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "more than 2 rows" in messages[0]


def test_a_lookup_over_a_chosen_dataset_goes_to_a_worker(
    executors: tuple[QueryExecutor, QueryExecutor],
) -> None:
    text = (ACCEPTED[0].parent / "iri-lookup.rq").read_text(encoding="utf-8")
    job = _job(text, "text/csv", (("default-graph-uri", "http://example.org/g"),))
    here, there, answered = _both(executors, job)
    assert answered == 0 and here == there == (b"p,o\r\n", "text/csv")
    named = _job(text, "text/csv", (("named-graph-uri", "http://example.org/g"),))
    assert _both(executors, named)[2] == 0
    # a job of the library's own (not prepared) with an empty dataset chosen
    empty = Job(text, "text/csv", default_graphs=())
    here, there, answered = _both(executors, empty)
    assert answered == 0 and here == there == (b"p,o\r\n", "text/csv")


def test_a_lookup_asked_only_as_a_graph_goes_to_a_worker(
    executors: tuple[QueryExecutor, QueryExecutor],
) -> None:
    from jaif_kg.sparql.protocol import NotAcceptable

    text = (ACCEPTED[0].parent / "iri-lookup.rq").read_text(encoding="utf-8")
    inline = executors[0]
    before = inline.inline_answers
    with pytest.raises(NotAcceptable):
        asyncio.run(inline.run(_job(text, None)))
    assert inline.inline_answers == before


def test_lookups_are_answered_by_the_embedded_stores_only() -> None:
    rdflib = shipped(api_settings(store="rdflib"))
    assert QueryExecutor(rdflib).inline is False
    assert (
        QueryExecutor.from_settings(
            shipped(api_settings()), api_settings(inline_lookups=False)
        ).inline
        is False
    )


@pytest.fixture
def recording() -> Iterator[tuple[QueryExecutor, list[str]]]:
    """An executor over a one-triple store that records every text its engine is given."""
    from jaif_kg.store.oxigraph import OxigraphStore

    seen: list[str] = []

    class Recording(OxigraphStore):
        def query_serialized(
            self, sparql: str, *args: object, **kwargs: object
        ) -> tuple[bytes, str]:
            seen.append(sparql)
            return super().query_serialized(sparql, *args, **kwargs)  # type: ignore[arg-type]

    store = Recording()
    store.load(b'<http://e.org/s> <http://e.org/p> "1" .', "application/n-triples")
    executor = QueryExecutor(store, workers=1, max_workers=1)
    try:
        yield executor, seen
    finally:
        executor.close()


def test_a_json_lookup_is_read_from_the_index_without_the_engine(
    recording: tuple[QueryExecutor, list[str]],
) -> None:
    """SPARQL JSON with IRIs only: :func:`jaif_kg.sparql.lookup.answer_json`, not the engine; a
    literal in the pattern or another format: the engine, in this process."""
    executor, seen = recording
    json_type = "application/sparql-results+json"
    body, media_type = asyncio.run(
        executor.run(_job("SELECT ?o WHERE { <http://e.org/s> ?p ?o }", json_type))
    )
    assert seen == [] and executor.inline_answers == 1 and media_type == json_type
    row = b'{"o":{"type":"literal","value":"1"}}'
    assert body == b'{"head":{"vars":["o"]},"results":{"bindings":[' + row + b"]}}"
    asyncio.run(executor.run(_job("SELECT ?s WHERE { ?s ?p '1' }", json_type)))
    assert seen == ["SELECT ?s WHERE { ?s ?p '1' }"] and executor.inline_answers == 2


def test_the_engine_is_given_the_text_the_parser_wrote(
    recording: tuple[QueryExecutor, list[str]],
) -> None:
    """Not the client's: the prefixes are expanded and the layout is the parser's."""
    executor, seen = recording
    text = "PREFIX e: <http://e.org/>\nselect   ?o\nwhere { e:s e:p ?o . }"
    body, _ = asyncio.run(executor.run(_job(text, "text/csv")))
    assert body == b"o\r\n1\r\n" and executor.inline_answers == 1
    assert seen == ["SELECT ?o WHERE { <http://e.org/s> <http://e.org/p> ?o }"]
