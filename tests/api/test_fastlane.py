"""The SPARQL endpoint's fast lane answers exactly as the app's stack would.

Two live servers over the same store: one as served (queries take the fast lane,
:class:`jaif_kg.api.fastlane.FastLane`), one with the lane switched off (every request goes
through the guard, CORS, caching, admission and the route). Each request of the table below is
sent to both; status, body and every header but ``date`` must be equal. Add a row, get a test.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

import httpx
import pytest

from jaif_kg.api.fastlane import FastLane
from tests.api.conftest import Live, api_settings, shipped

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/jaif-kg/id/country/KHM> ?p ?o }"
JSON = "application/sparql-results+json"

#: (name, method, query-string parameters, headers, body)
REQUESTS: list[tuple[str, str, dict[str, str], dict[str, str], bytes | None]] = [
    ("lookup-json", "GET", {"query": LOOKUP}, {"accept": JSON}, None),
    ("lookup-no-accept", "GET", {"query": LOOKUP}, {}, None),
    ("lookup-csv-format", "GET", {"query": LOOKUP, "format": "csv"}, {}, None),
    ("lookup-head", "HEAD", {"query": LOOKUP}, {"accept": JSON}, None),
    (
        "lookup-origin",
        "GET",
        {"query": LOOKUP},
        {"accept": JSON, "origin": "https://a.example"},
        None,
    ),
    (
        "lookup-origin-cookie",
        "GET",
        {"query": LOOKUP},
        {"origin": "https://a.example", "cookie": "x=1"},
        None,
    ),
    (
        "construct-turtle",
        "GET",
        {"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"},
        {"accept": "text/turtle"},
        None,
    ),
    (
        "construct-nquads",
        "GET",
        {"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"},
        {"accept": "application/n-quads"},
        None,
    ),
    (
        "ask",
        "GET",
        {"query": "ASK { ?s ?p ?o }"},
        {"accept": "application/sparql-results+xml"},
        None,
    ),
    ("syntax-error", "GET", {"query": "SELEKT * WHERE { ?s ?p ?o }"}, {}, None),
    (
        "service-refused",
        "GET",
        {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
        {},
        None,
    ),
    ("not-acceptable", "GET", {"query": LOOKUP}, {"accept": "image/png"}, None),
    ("two-queries", "GET", {"query": LOOKUP}, {}, None),  # doubled below
    (
        "from-unknown-graph",
        "GET",
        {"query": "SELECT * FROM <http://nowhere.example/g> { ?s ?p ?o }"},
        {},
        None,
    ),
    (
        "default-graph-uri",
        "GET",
        {"query": LOOKUP, "default-graph-uri": "https://w3id.org/jaif-kg/graph/jaif"},
        {},
        None,
    ),
    (
        "post-direct",
        "POST",
        {},
        {"content-type": "application/sparql-query", "accept": JSON},
        LOOKUP.encode(),
    ),
    (
        "post-form",
        "POST",
        {},
        {"content-type": "application/x-www-form-urlencoded"},
        urllib.parse.urlencode({"query": LOOKUP}).encode(),
    ),
    (
        "post-update-refused",
        "POST",
        {},
        {"content-type": "application/sparql-update"},
        b"CLEAR ALL",
    ),
    (
        "post-form-update-refused",
        "POST",
        {},
        {"content-type": "application/x-www-form-urlencoded"},
        b"update=CLEAR+ALL",
    ),
    ("post-unsupported-type", "POST", {}, {"content-type": "text/plain"}, b"ASK {}"),
    (
        "post-no-query",
        "POST",
        {},
        {"content-type": "application/x-www-form-urlencoded"},
        b"format=json",
    ),
    ("post-not-utf8", "POST", {}, {"content-type": "application/sparql-query"}, b"ASK { \xff }"),
    ("get-update-refused", "GET", {"update": "CLEAR ALL"}, {}, None),
    ("description", "GET", {}, {"accept": "text/turtle"}, None),
    (
        "if-none-match-stale",
        "GET",
        {"query": LOOKUP},
        {"accept": JSON, "if-none-match": '"nope"'},
        None,
    ),
]


@pytest.fixture(scope="module")
def pair(live_factory: Callable[..., Live]) -> tuple[Live, Live]:
    """A server with the fast lane and one without, over one store."""
    settings = api_settings()
    store = shipped(settings)
    with_lane = live_factory(settings, store)
    without = live_factory(settings, store)
    without.app.build_middleware_stack()  # built now, so that the lane can be reached
    stack = without.app.middleware_stack
    assert isinstance(stack, FastLane)
    stack.enabled = False
    return with_lane, without


def _send(
    live: Live,
    method: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes | None,
    name: str,
) -> httpx.Response:
    query = urllib.parse.urlencode(params)
    if name == "two-queries":
        query += "&" + urllib.parse.urlencode({"query": "ASK {}"})
    url = live.sparql + (f"?{query}" if query else "")
    return httpx.request(method, url, headers=headers, content=body, timeout=30)


def _comparable(response: httpx.Response, live: Live) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Status, body and headers but ``date``, with the server's own URL (in the service
    description, in ETags of answers that name it) made the same for both servers."""
    url = live.url
    headers = sorted(
        (name.lower(), value.replace(url, "URL"))
        for name, value in response.headers.multi_items()
        if name.lower() not in ("date", "content-length")
    )
    return response.status_code, response.content.replace(url.encode(), b"URL"), headers


@pytest.mark.parametrize(
    ("method", "params", "headers", "body", "name"),
    [(m, p, h, b, n) for n, m, p, h, b in REQUESTS],
    ids=[r[0] for r in REQUESTS],
)
def test_the_lane_answers_as_the_stack(
    pair: tuple[Live, Live],
    method: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes | None,
    name: str,
) -> None:
    with_lane, without = pair
    fast = _comparable(_send(with_lane, method, params, headers, body, name), with_lane)
    slow = _comparable(_send(without, method, params, headers, body, name), without)
    assert fast == slow


def test_a_revalidation_is_answered_the_same(pair: tuple[Live, Live]) -> None:
    """``If-None-Match`` with the tag just answered: ``304``, with the same headers."""
    answers = []
    for live in pair:
        first = _send(live, "GET", {"query": LOOKUP}, {"accept": JSON}, None, "etag")
        again = _send(
            live,
            "GET",
            {"query": LOOKUP},
            {"accept": JSON, "if-none-match": first.headers["etag"]},
            None,
            "etag",
        )
        assert again.status_code == 304
        answers.append(_comparable(again, live))
    assert answers[0] == answers[1]


def test_the_lane_takes_queries(pair: tuple[Live, Live]) -> None:
    """The comparison means something only if the lane really answers: switched on, it does."""
    with_lane, _ = pair
    lane = with_lane.app.middleware_stack
    assert isinstance(lane, FastLane) and lane.enabled
    assert (
        _send(with_lane, "GET", {"query": LOOKUP}, {"accept": JSON}, None, "x").status_code == 200
    )
    assert lane._ready  # set up by the first query it answered


# -- named queries: GET /api/queries/<name> ------------------------------------------------------

PROJECT = "https://w3id.org/jaif-kg/id/project/training-business-plan-smes-clv"
KHM = "https://w3id.org/jaif-kg/id/country/KHM"
#: (name, path under /api/queries/, query-string pairs, headers)
NAMED: list[tuple[str, str, list[tuple[str, str]], dict[str, str]]] = [
    ("rows-default", "project-beneficiaries", [], {}),
    ("rows-one-project", "project-beneficiaries", [("project", PROJECT)], {}),
    ("csv-format", "project-beneficiaries", [("format", "csv")], {}),
    (
        "sparql-xml-accept",
        "project-beneficiaries",
        [],
        {"accept": "application/sparql-results+xml"},
    ),
    ("origin", "project-beneficiaries", [], {"origin": "https://a.example"}),
    ("enum-value", "project-participants", [("role", "monitoring")], {}),
    ("enum-unknown", "project-participants", [("role", "nope")], {}),
    ("integer", "projects-by-beneficiary", [("work_plan", "4")], {}),
    ("integer-leading-zero", "projects-by-beneficiary", [("work_plan", "04")], {}),
    ("integer-plus", "projects-by-beneficiary", [("work_plan", "+4")], {}),
    ("integer-bad", "projects-by-beneficiary", [("work_plan", "four")], {}),
    ("integer-decimal", "projects-by-beneficiary", [("work_plan", "4.0")], {}),
    ("integer-spaced", "projects-by-beneficiary", [("work_plan", " 4")], {}),
    ("integer-huge", "projects-by-beneficiary", [("work_plan", "4" * 30)], {}),
    ("date", "member-states", [("as_of", "2022-06-30")], {}),
    ("date-bad", "member-states", [("as_of", "2022-13-45")], {}),
    ("empty-value", "project-beneficiaries", [("project", "")], {}),
    ("iri-bad", "project-beneficiaries", [("project", "not an iri")], {}),
    ("unknown-parameter", "project-beneficiaries", [("foo", "1")], {}),
    ("repeated", "project-beneficiaries", [("project", PROJECT), ("project", PROJECT)], {}),
    ("format-repeated", "project-beneficiaries", [("format", "csv"), ("format", "tsv")], {}),
    ("format-unknown", "project-beneficiaries", [("format", "png")], {}),
    ("format-empty", "project-beneficiaries", [("format", "")], {}),
    ("not-acceptable", "project-beneficiaries", [], {"accept": "image/png"}),
    ("construct-default", "describe", [("iri", KHM)], {}),
    ("construct-turtle", "describe", [("iri", KHM), ("format", "turtle")], {}),
    ("construct-accept", "describe", [("iri", KHM)], {"accept": "application/n-triples"}),
    ("construct-missing-required", "describe", [], {}),
    ("unknown-query", "nope", [], {}),
    ("stale-tag", "project-beneficiaries", [], {"if-none-match": '"nope"'}),
    ("listing", "", [], {}),
]


@pytest.mark.parametrize(
    ("path", "pairs", "headers"),
    [(p, q, h) for _, p, q, h in NAMED],
    ids=[r[0] for r in NAMED],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_named_query_is_answered_as_the_stack_does(
    pair: tuple[Live, Live],
    path: str,
    pairs: list[tuple[str, str]],
    headers: dict[str, str],
    method: str,
) -> None:
    answers = []
    for live in pair:
        url = f"{live.url}/api/queries/{path}".rstrip("/")
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        response = httpx.request(method, url, headers=headers, timeout=30)
        answers.append(_comparable(response, live))
    assert answers[0] == answers[1]


def test_the_lane_answers_named_queries(pair: tuple[Live, Live]) -> None:
    """The comparison above is between the lane and the stack: the lane did answer."""
    with_lane = pair[0]
    url = f"{with_lane.url}/api/queries/project-beneficiaries"
    stack = with_lane.app.middleware_stack
    assert isinstance(stack, FastLane)
    inner = stack.app
    calls: list[str] = []

    async def counting(scope: object, receive: object, send: object) -> None:
        calls.append("stack")
        await inner(scope, receive, send)  # type: ignore[arg-type]

    stack.app = counting  # type: ignore[assignment]
    try:
        assert httpx.get(url, timeout=30).status_code == 200
        assert httpx.get(url + "?foo=1", timeout=30).status_code == 422
    finally:
        stack.app = inner
    assert calls == ["stack"]  # the 422 only


def test_a_named_answer_is_revalidated_the_same(pair: tuple[Live, Live]) -> None:
    answers = []
    for live in pair:
        url = f"{live.url}/api/queries/project-beneficiaries"
        first = httpx.get(url, timeout=30)
        tag = first.headers["etag"]
        again = httpx.get(url, headers={"if-none-match": tag}, timeout=30)
        answers.append((first.status_code, again.status_code, _comparable(again, live)[2]))
    assert answers[0] == answers[1] and answers[0][1] == 304


def test_a_lookup_sent_to_the_endpoint_is_answered_in_the_http_process(
    pair: tuple[Live, Live],
) -> None:
    """By GET and POST, through the lane and through the stack alike."""
    for live in pair:
        executor = live.app.state.executor
        before = executor.inline_answers
        assert httpx.get(live.sparql, params={"query": LOOKUP}, timeout=30).status_code == 200
        form = httpx.post(live.sparql, data={"query": LOOKUP}, timeout=30)
        assert form.status_code == 200
        assert executor.inline_answers == before + 2
        graph = {"query": LOOKUP, "default-graph-uri": "https://w3id.org/jaif-kg/graph/jaif"}
        assert httpx.get(live.sparql, params=graph, timeout=30).status_code == 200
        assert executor.inline_answers == before + 2  # a dataset chosen: a worker's
