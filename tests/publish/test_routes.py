"""Dereferencing over HTTP, against a live server: 303s, content negotiation, documents, 404s."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from jaif_kg.publish.describe import describe
from jaif_kg.publish.dumps import Bundle
from jaif_kg.rdf.graph import read_graph, shapes_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store import Store
from tests.publish.conftest import Server

KHM = DEFAULT_BASE + "id/country/KHM"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


def parse(body: bytes, rdflib_format: str) -> Graph:
    return Graph().parse(data=body.decode(), format=rdflib_format)


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_a_program_gets_303_to_the_data(
    server: Server, media_type: str, shipped_store: Store
) -> None:
    answer = server.client.get("/id/country/KHM", headers={"Accept": media_type})
    suffix, rdflib_format = RDF_TYPES[media_type]
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/data/country/KHM.{suffix}"
    assert "Accept" in answer.headers["vary"]
    data = server.client.get(answer.headers["location"])
    assert data.status_code == 200
    assert data.headers["content-type"].startswith(media_type)
    graph = parse(data.content, rdflib_format)
    assert (URIRef(KHM), RDFS.label, Literal("Cambodia", lang="en")) in graph
    assert isomorphic(graph, describe(shipped_store, KHM).graph())


def test_curl_dash_l_with_turtle_returns_the_description(server: Server) -> None:
    """The issue's acceptance check: ``curl -L -H 'Accept: text/turtle'`` on a member state."""
    answer = server.client.get(
        "/id/country/KHM", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert answer.status_code == 200
    graph = parse(answer.content, "turtle")
    assert (
        URIRef(KHM),
        URIRef("https://schema.org/sameAs"),
        URIRef("http://www.wikidata.org/entity/Q424"),
    ) in graph


@pytest.mark.parametrize("accept", [BROWSER, "text/html", "*/*", None])
def test_a_browser_gets_303_to_the_page(server: Server, accept: str | None) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    if accept is None:
        headers = {"Accept": ""}
    answer = server.client.get("/id/country/KHM", headers=headers)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/page/country/KHM"
    page = server.client.get("/page/country/KHM")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Cambodia</h1>" in page.text


def test_pages_and_data_name_their_alternates(server: Server) -> None:
    page = server.client.get("/page/country/KHM")
    link = page.headers["link"]
    assert f'<{KHM}>; rel="describes"' in link
    for suffix in ("ttl", "jsonld", "nt", "rdf"):
        assert f"</data/country/KHM.{suffix}>" in link
    data = server.client.get("/data/country/KHM.ttl")
    assert '</page/country/KHM>; rel="alternate"; type="text/html"' in data.headers["link"]


def test_data_without_suffix_negotiates(server: Server) -> None:
    answer = server.client.get("/data/country/KHM", headers={"Accept": "application/ld+json"})
    assert answer.status_code == 200
    assert answer.headers["content-location"] == "/data/country/KHM.jsonld"
    document = json.loads(answer.content)
    assert isinstance(document["@context"], dict)  # single descriptions carry their context


def test_hash_sub_resources_come_with_their_owner(server: Server) -> None:
    answer = server.client.get("/data/membership/asean-KHM.nt")
    start = URIRef(DEFAULT_BASE + "id/membership/asean-KHM#period-start")
    graph = parse(answer.content, "nt")
    assert (start, URIRef("http://www.w3.org/2006/time#inXSDDate"), None) in graph


def test_slashes_in_slugs_resolve(server: Server) -> None:
    answer = server.client.get(
        "/id/attachment-stream/junior-diplomats/batch/17", headers={"Accept": "text/turtle"}
    )
    assert answer.headers["location"] == "/data/attachment-stream/junior-diplomats/batch/17.ttl"
    assert server.client.get(answer.headers["location"]).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/id/country/XXX",
        "/id/country/khm",
        "/page/country/XXX",
        "/data/country/XXX.ttl",
        "/id/country/K%3E%20%7D%20DROP%20ALL",
        "/id/nothing%22here",
    ],
)
def test_unknown_iris_get_a_helpful_404(server: Server, path: str) -> None:
    answer = server.client.get(path, headers={"Accept": BROWSER})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert 'action="/page/"' in answer.text  # the search box
    assert 'href="/page/"' in answer.text  # the list of things


def test_a_case_slip_is_suggested(server: Server) -> None:
    answer = server.client.get("/id/country/khm", headers={"Accept": "text/html"})
    assert 'href="/page/country/KHM"' in answer.text


def test_a_program_gets_a_plain_404(server: Server) -> None:
    answer = server.client.get("/id/country/XXX", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        (
            "text/html;q=0.1, application/ld+json;q=0.9, text/turtle;q=0.5",
            "/data/country/KHM.jsonld",
        ),
        ("text/turtle;q=0.2, */*;q=0.1", "/data/country/KHM.ttl"),
        ("text/html;q=0, */*", "/data/country/KHM.ttl"),
        ("text/*;q=0.5, text/html;q=0.1", "/data/country/KHM.ttl"),
        ("application/n-triples;q=0.3, text/html;q=0.4", "/page/country/KHM"),
        # The most specific range wins, and of equally specific ones the highest q (RFC 9110
        # section 12.5.1): RDF/XML at 0.9, not at the 0.2 of application/xml listed first.
        (
            "application/xml;q=0.2, application/rdf+xml;q=0.9, text/turtle;q=0.5",
            "/data/country/KHM.rdf",
        ),
        # Aliases clients send for the same formats.
        ("application/json", "/data/country/KHM.jsonld"),
        ("text/n3", "/data/country/KHM.ttl"),
    ],
)
def test_q_values_choose_the_redirect(server: Server, accept: str, location: str) -> None:
    answer = server.client.get("/id/country/KHM", headers={"Accept": accept})
    assert answer.status_code == 303
    assert answer.headers["location"] == location


def test_nothing_acceptable_is_406(server: Server) -> None:
    answer = server.client.get("/id/country/KHM", headers={"Accept": "image/png"})
    assert answer.status_code == 406


def test_head_requests(server: Server) -> None:
    assert (
        server.client.head("/id/country/KHM", headers={"Accept": "text/turtle"}).status_code == 303
    )
    assert server.client.head("/page/country/KHM").status_code == 200


def test_ontology_negotiates_html_and_rdf(server: Server, settings: Settings) -> None:
    html = server.client.get("/ontology", headers={"Accept": BROWSER})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'id="Project"' in html.text  # {base}ontology#Project lands on its section
    turtle = server.client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-location"] == "/ontology.ttl"
    expected = Graph().parse(settings.ontology_dir / "jaif.ttl")
    assert isomorphic(parse(turtle.content, "turtle"), expected)
    for suffix, fmt in (("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
        answer = server.client.get(f"/ontology.{suffix}")
        assert isomorphic(parse(answer.content, fmt), expected), suffix
    assert (
        server.client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"}).status_code == 200
    )
    assert server.client.get("/ontology/9.9.9").status_code == 404


def test_shapes_are_served_beside_the_ontology(server: Server, settings: Settings) -> None:
    html = server.client.get("/shapes", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "ProjectShape" in html.text
    turtle = server.client.get("/shapes.ttl")
    assert isomorphic(parse(turtle.content, "turtle"), read_graph(shapes_paths(settings)))


def test_every_iri_under_the_base_resolves(server: Server, shipped_store: Store) -> None:
    """Subjects and objects under the base: things 303, documents (ontology, shapes) 200."""
    rows = shipped_store.query(
        "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } "
        f'FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{DEFAULT_BASE}")) }}'
    ).rows
    documents = {str(r["x"]).split("#", 1)[0] for r in rows}
    assert len(documents) > 100
    for iri in sorted(documents):
        path = "/" + iri[len(DEFAULT_BASE) :]
        answer = server.client.get(path, headers={"Accept": "text/turtle"})
        assert answer.status_code in (200, 303), (iri, answer.status_code)
        if answer.status_code == 303:
            assert server.client.get(answer.headers["location"]).status_code == 200, iri


def test_trig_graph_names_resolve(server: Server, bundle: Bundle) -> None:
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(data=bundle.files["jaif-kg.trig"].data.decode(), format="trig")
    names = [str(g.identifier) for g in dataset.graphs() if len(g)]
    for name in names:
        answer = server.client.get("/" + name[len(DEFAULT_BASE) :])
        assert answer.status_code == 303, name
        assert server.client.get(answer.headers["location"]).status_code == 200, name


def test_dumps_are_the_built_files(server: Server, bundle: Bundle) -> None:
    index = server.client.get("/dumps/")
    assert index.status_code == 200
    for name, item in bundle.files.items():
        assert f'href="/dumps/{name}"' in index.text
        answer = server.client.get(f"/dumps/{name}")
        assert answer.status_code == 200
        assert answer.content == item.data, name
    assert server.client.get("/dumps/nothing.ttl").status_code == 404


def test_the_jsonld_context_is_published(server: Server, bundle: Bundle) -> None:
    document = json.loads(server.client.get("/dumps/jaif-kg.jsonld").content)
    context = server.client.get("/dumps/context.jsonld")
    assert context.headers["content-type"].startswith("application/ld+json")
    published = json.loads(context.content)["@context"]
    assert published["jaif"] == DEFAULT_BASE + "ontology#"
    # the dump carries the same context inline, so it reads offline (test_dumps_jsonld.py)
    assert document["@context"] == published


@pytest.mark.parametrize("path", ["/.well-known/void", "/void"])
def test_void_is_served_with_content_negotiation(server: Server, bundle: Bundle, path: str) -> None:
    turtle = server.client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.content == bundle.files["void.ttl"].data
    jsonld = server.client.get(path, headers={"Accept": "application/ld+json"})
    assert isomorphic(parse(jsonld.content, "json-ld"), bundle.void)
    browser = server.client.get(path, headers={"Accept": BROWSER})
    assert browser.status_code == 303 and browser.headers["location"] == "/dumps/"


def test_the_list_of_things_searches(server: Server) -> None:
    everything = server.client.get("/page/")
    assert 'href="/page/country/KHM"' in everything.text
    found = server.client.get("/page/", params={"q": "cambodia"})
    assert 'href="/page/country/KHM"' in found.text
    assert 'href="/page/country/LAO"' not in found.text
