"""The W3C SPARQL 1.1 Protocol test suite, replayed against a live server (one case per test).

The manifest is read at test time from ``../shared/conformance/w3c-rdf-tests/protocol/`` (next to
the checkout; ``JAIF_CONFORMANCE_DIR`` names another folder holding ``w3c-rdf-tests``). Each
test's ``ut:graphData`` files are loaded as named graphs whose IRI is the ``rdfs:label``, a
server is started per distinct set of graphs, and every ``ht:Request`` is sent as written (path
``/sparql/`` mapped to ``/sparql``). The endpoint is read-only, so a test that expects an update
to succeed passes when the update is refused with a 4xx (and its follow-up ASK is not sent).
The three service-description tests of ``service-description/manifest.ttl`` are mechanical
checks on ``GET /sparql``.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from jaif_kg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS, rdf_format
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from tests.conftest import require_suite

from .conftest import REPO, Live, api_settings

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def conformance_dir() -> Path:
    """Where ``w3c-rdf-tests/`` is: ``$JAIF_CONFORMANCE_DIR`` or ``../shared/conformance``."""
    env = os.environ.get("JAIF_CONFORMANCE_DIR")
    return Path(env) if env else REPO.parent / "shared" / "conformance"


PROTOCOL = conformance_dir() / "w3c-rdf-tests" / "protocol"
SERVICE_DESCRIPTION = conformance_dir() / "w3c-rdf-tests" / "service-description"
# A bare clone has no suite: its tests skip and say where to put it; under CI
# (JAIF_REQUIRE_SUITES=1) they fail instead (tests/conftest.py require_suite).


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[int]  # acceptable status classes: 2, 3, 4
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graphs: tuple[tuple[str, str], ...]  # (graph IRI, file name)
    requests: tuple[Request, ...]


def _list(graph: Graph, head: Any) -> list[Any]:
    return list(Collection(graph, head))


def load_manifest() -> list[ProtocolTest]:
    """Every test of the protocol manifest, in manifest order."""
    path = PROTOCOL / "manifest.ttl"
    if not path.is_file():
        return []
    g = Graph()
    g.parse(
        path,
        format="turtle",
        publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest.ttl",
    )
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _list(g, g.value(manifest, MF.entries)):
        graphs = tuple(
            sorted(
                (str(g.value(gd, RDFS.label)), str(g.value(gd, UT.graph)).rsplit("/", 1)[-1])
                for gd in g.objects(entry, UT.graphData)
            )
        )
        action = g.value(entry, MF.action)
        requests = []
        for req in _list(g, g.value(action, HT.requests)):
            headers = tuple(
                (str(g.value(h, HT.fieldName)), str(g.value(h, HT.fieldValue)))
                for h in _list(g, g.value(req, HT.headers) or RDF.nil)
            )
            body_node = g.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding)
            resp = g.value(req, HT.resp)
            statuses = frozenset(
                int(str(s).rsplit("StatusCode", 1)[1][0])
                for s in g.objects(resp, MF.expectedStatus)
            )
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            requests.append(
                Request(
                    str(g.value(req, HT.methodName)),
                    str(g.value(req, HT.absolutePath)),
                    headers,
                    body,
                    statuses,
                    str(fmt) if fmt is not None else None,
                    boolean.toPython() if isinstance(boolean, Literal) else None,
                )
            )
        tests.append(
            ProtocolTest(
                str(entry).rsplit("#", 1)[-1], str(g.value(entry, MF.name)), graphs, tuple(requests)
            )
        )
    return tests


TESTS = load_manifest()


@pytest.fixture
def protocol_suite() -> None:
    """The W3C protocol suite must be there (skip in a bare clone, fail under CI)."""
    require_suite(PROTOCOL / "manifest.ttl", "the W3C SPARQL 1.1 Protocol test suite")
    require_suite(SERVICE_DESCRIPTION / "manifest.ttl", "the W3C Service Description tests")


def test_the_manifest_has_34_tests(protocol_suite: None) -> None:
    where = f"{PROTOCOL} (set JAIF_CONFORMANCE_DIR)"
    assert len(TESTS) == 34, f"expected the 34 W3C protocol tests in {where}"


@pytest.fixture(scope="module")
def servers(live_factory: Callable[..., Live]) -> Iterator[Callable[[ProtocolTest], Live]]:
    """One server per distinct set of test graphs (named graphs; the default graph is empty)."""
    started: dict[tuple[tuple[str, str], ...], Live] = {}

    def server_for(test: ProtocolTest) -> Live:
        if test.graphs not in started:
            settings: Settings = api_settings()
            store: Store = open_store(settings)
            for iri, name in test.graphs:
                store.load((PROTOCOL / name).read_bytes(), "application/n-triples", iri)
            started[test.graphs] = live_factory(settings, store)
        return started[test.graphs]

    yield server_for


def _is_update(req: Request) -> bool:
    ctype = dict((k.lower(), v) for k, v in req.headers).get("content-type", "")
    return ctype.startswith("application/sparql-update") or (
        ctype.startswith("application/x-www-form-urlencoded")
        and (req.body or b"").startswith(b"update=")
    )


def _boolean(response: httpx.Response) -> bool:
    ctype = response.headers["content-type"].split(";")[0]
    if ctype in ("application/sparql-results+json", "application/json"):
        return bool(json.loads(response.content)["boolean"])
    root = ET.fromstring(response.content)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None, response.text
    return node.text == "true"


def _check_format(response: httpx.Response, req: Request) -> None:
    ctype = response.headers["content-type"].split(";")[0].strip()
    if req.expected_format in ("boolean", "tabular"):
        assert ctype in {f.media_type for f in RESULTS_FORMATS}, ctype
        if ctype == "application/sparql-results+json":
            parsed = json.loads(response.content)
            assert ("boolean" in parsed) == (req.expected_format == "boolean"), parsed
            if req.expected_format == "tabular":
                assert "vars" in parsed["head"] and "bindings" in parsed["results"]
        if req.expected_boolean is not None:
            assert _boolean(response) is req.expected_boolean
    elif req.expected_format == "RDF":
        assert ctype in {f.media_type for f in RDF_FORMATS}, ctype
        Graph().parse(data=response.content, format=rdf_format(ctype).rdflib_name)


@pytest.mark.parametrize("test", TESTS or [None], ids=[t.name for t in TESTS] or ["suite-missing"])
def test_protocol(
    test: ProtocolTest | None, servers: Callable[[ProtocolTest], Live], protocol_suite: None
) -> None:
    assert test is not None
    live = servers(test)
    with httpx.Client(base_url=live.url, timeout=30) as client:
        for req in test.requests:
            path = req.path.replace("/sparql/", "/sparql", 1)
            response = client.request(req.method, path, headers=dict(req.headers), content=req.body)
            if _is_update(req):
                # Read-only endpoint: every update, valid or not, is refused with a 4xx.
                assert response.status_code // 100 == 4, (response.status_code, response.text)
                if 2 in req.statuses:
                    assert "read-only" in response.text
                    break  # the follow-up ASK checks the update's effect: there is none
                continue
            assert response.status_code // 100 in req.statuses, (
                response.status_code,
                response.text,
            )
            if response.status_code // 100 == 2:
                _check_format(response, req)


# -- SPARQL 1.1 Service Description (service-description/manifest.ttl) ----------------------


def _description(live: Live, accept: str | None = None) -> tuple[httpx.Response, Graph]:
    headers = {"accept": accept} if accept else {}
    response = httpx.get(live.sparql, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    ctype = response.headers["content-type"].split(";")[0]
    g = Graph().parse(data=response.content, format=rdf_format(ctype).rdflib_name)
    return response, g


def test_service_description_manifest_lists_the_three_checks(protocol_suite: None) -> None:
    g = Graph().parse(SERVICE_DESCRIPTION / "manifest.ttl", format="turtle")
    names = {str(e).rsplit("#", 1)[-1] for e in g.subjects(RDF.type, MF.ServiceDescriptionTest)}
    assert names == {"returns-rdf", "has-endpoint-triple", "conforms-to-schema"}


@pytest.mark.parametrize(
    "accept",
    [None, "text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"],
)
def test_sd_returns_rdf(live: Live, accept: str | None) -> None:
    """returns-rdf: GET on the endpoint (no query) returns RDF."""
    _, g = _description(live, accept)
    assert len(g) > 0


def test_sd_has_endpoint_triple(live: Live) -> None:
    """has-endpoint-triple: an sd:endpoint triple names the URL the description came from."""
    _, g = _description(live)
    assert (None, SD.endpoint, URIRef(live.sparql)) in g


def test_sd_conforms_to_schema(live: Live) -> None:
    """conforms-to-schema: the terms are used with the domains and ranges of the SD vocabulary."""
    _, g = _description(live)
    service = g.value(predicate=SD.endpoint, object=URIRef(live.sparql))
    assert (service, RDF.type, SD.Service) in g
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert len(set(g.objects(service, SD.resultFormat))) == len(RESULTS_FORMATS) + len(RDF_FORMATS)
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    default_graph = g.value(dataset, SD.defaultGraph)
    assert (default_graph, RDF.type, SD.Graph) in g
    for named in g.objects(dataset, SD.namedGraph):
        assert (named, RDF.type, SD.NamedGraph) in g
        assert isinstance(g.value(named, SD.name), URIRef)
        assert (g.value(named, SD.graph), RDF.type, SD.Graph) in g
    # The union default graph is on by default (README); no IRI is dereferenced, and SERVICE is
    # refused unless an allow-list is configured (tests/api/test_federation.py).
    assert set(g.objects(service, SD.feature)) == {SD.UnionDefaultGraph}


def test_sd_lists_the_named_graphs(
    servers: Callable[[ProtocolTest], Live], protocol_suite: None
) -> None:
    live = servers(next(t for t in TESTS if len(t.graphs) == 3))
    _, g = _description(live)
    names = {str(g.value(n, SD.name)) for n in g.objects(None, SD.namedGraph)}
    assert names == {iri for iri, _ in next(t for t in TESTS if len(t.graphs) == 3).graphs}
