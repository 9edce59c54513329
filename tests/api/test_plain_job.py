"""Which named-query requests the fast lane runs itself (:func:`plain_job`): only those the
route would run with the very values given; any other goes to the route (``None``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.api.routes.queries import plain_job
from jaif_kg.catalog import NamedQuery
from jaif_kg.catalog.running import load_query
from jaif_kg.settings import Settings

QUERY = """#+ summary: Every kind of parameter
#+ parameters:
#+   n: {type: integer, required: false, description: "a number"}
#+   flag: {type: boolean, required: false, description: "a flag"}
#+   kind: {type: string, required: false, enum: [a, b], description: "a kind"}
#+   thing: {type: iri, required: true, description: "a thing"}
#+ example: {thing: "http://example.org/x"}
SELECT ?s WHERE { ?thing ?p ?s . ?s ?q ?n, ?flag, ?kind }
"""
THING = ("thing", "http://example.org/x")


@pytest.fixture(scope="module")
def query(tmp_path_factory: pytest.TempPathFactory) -> NamedQuery:
    path: Path = tmp_path_factory.mktemp("q") / "kinds.rq"
    path.write_text(QUERY, encoding="utf-8")
    return load_query(path)


@pytest.mark.parametrize(
    "pairs",
    [
        [THING],
        [THING, ("n", "0")],
        [THING, ("n", "-12")],
        [THING, ("flag", "true")],
        [THING, ("flag", "false")],
        [THING, ("kind", "b")],
        [THING, ("format", "csv")],
    ],
)
def test_values_the_route_passes_on_unchanged_are_run_here(
    query: NamedQuery, pairs: list[tuple[str, str]]
) -> None:
    job = plain_job(query, pairs, None, Settings())
    assert job is not None and job.prepare


@pytest.mark.parametrize(
    "pairs",
    [
        [],  # the required parameter missing
        [THING, ("n", "007")],  # FastAPI reads 7
        [THING, ("n", "+7")],
        [THING, ("n", "-0")],
        [THING, ("n", "7.0")],
        [THING, ("flag", "yes")],  # FastAPI reads True
        [THING, ("flag", "1")],
        [THING, ("flag", "True")],
        [THING, ("kind", "c")],
        [THING, ("other", "1")],
        [THING, THING],
        [THING, ("format", "csv"), ("format", "tsv")],
        [THING, ("format", "png")],
        [("thing", "not an iri")],  # the catalog refuses it: the route says why
    ],
)
def test_anything_else_goes_to_the_route(query: NamedQuery, pairs: list[tuple[str, str]]) -> None:
    assert plain_job(query, pairs, None, Settings()) is None


def test_an_accept_nothing_matches_goes_to_the_route(query: NamedQuery) -> None:
    assert plain_job(query, [THING], "image/png", Settings()) is None
    job = plain_job(query, [THING], "text/csv", Settings())
    assert job is not None and job.media_type == "text/csv"
