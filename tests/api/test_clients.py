"""Real SPARQL clients against the live server give the same answers as the library.

SPARQLWrapper (GET and POST; JSON, XML, CSV, TSV results; Turtle and JSON-LD for CONSTRUCT and
DESCRIBE) and rdflib's ``SPARQLStore``, over the shipped graph, compared with ``Store.query``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.util import from_n3
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper

from jaif_kg.store import QueryResult, Store

from .conftest import Live, api_settings, shipped

SELECT = """PREFIX jaif: <https://w3id.org/jaif-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?project ?title WHERE { ?project a jaif:Project ; dcterms:title ?title }
ORDER BY ?project ?title"""
ASK = "PREFIX jaif: <https://w3id.org/jaif-kg/ontology#> ASK { ?p a jaif:Project }"
CONSTRUCT = """PREFIX jaif: <https://w3id.org/jaif-kg/ontology#>
CONSTRUCT { ?p a jaif:Project ; ?k ?v } WHERE { ?p a jaif:Project ; ?k ?v }"""
DESCRIBE = "DESCRIBE <https://w3id.org/jaif-kg/id/country/KHM>"


@pytest.fixture(scope="module")
def store() -> Store:
    return shipped(api_settings())


def _key(term: Any) -> str:
    if isinstance(term, BNode):
        return "_:"
    return str(term)


def _expected_rows(result: QueryResult) -> list[tuple[str, ...]]:
    return [tuple(_key(row.get(v, "")) for v in result.variables) for row in result.rows]


def _wrapper(live: Live, query: str, fmt: str, method: str) -> Any:
    client = SPARQLWrapper(live.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query()


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(live: Live, store: Store, method: str, fmt: str) -> None:
    expected = _expected_rows(store.query(SELECT))
    assert expected, "the shipped graph has projects"
    response = _wrapper(live, SELECT, fmt, method)
    if fmt == JSON:
        data = response.convert()
        rows = [(b["project"]["value"], b["title"]["value"]) for b in data["results"]["bindings"]]
    elif fmt == XML:
        doc = response.convert()
        ns = "http://www.w3.org/2005/sparql-results#"
        rows = []
        for result in doc.getElementsByTagNameNS(ns, "result"):
            values = {
                b.getAttribute("name"): b.firstChild.firstChild.nodeValue
                for b in result.getElementsByTagNameNS(ns, "binding")
            }
            rows.append((values["project"], values["title"]))
    elif fmt == CSV:
        text = response.convert().decode("utf-8")
        rows = [tuple(r) for r in list(csv.reader(io.StringIO(text)))[1:]]
    else:
        text = response.convert().decode("utf-8")
        lines = text.rstrip("\n").split("\n")[1:]
        rows = [tuple(_tsv_term(v) for v in line.split("\t")) for line in lines]
    assert rows == expected


def _tsv_term(value: str) -> str:
    return _key(from_n3(value))


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live: Live, method: str, fmt: str) -> None:
    data = _wrapper(live, ASK, fmt, method).convert()
    if fmt == JSON:
        assert data["boolean"] is True
    else:
        assert data.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_graphs(live: Live, store: Store, method: str, fmt: str, query: str) -> None:
    expected = Graph()
    for triple in store.query(query).triples:
        expected.add(triple)
    assert len(expected) > 0
    response = _wrapper(live, query, fmt, method)
    got = response.convert()
    if not isinstance(got, Graph):  # SPARQLWrapper returns Turtle as bytes
        got = Graph().parse(data=got, format="json-ld" if fmt == JSONLD else "turtle")
    assert isomorphic(got, expected)


def test_rdflib_sparqlstore(live: Live, store: Store) -> None:
    remote = SPARQLStore(live.sparql, returnFormat="json")
    rows = [tuple(_key(v) for v in row) for row in remote.query(SELECT)]
    assert rows == _expected_rows(store.query(SELECT))
    assert remote.query(ASK).askAnswer is True
    # With returnFormat="json" rdflib accepts only SPARQL JSON, which no graph can be written
    # as (406); its default ("xml") also accepts RDF/XML.
    got = Graph()
    for triple in SPARQLStore(live.sparql).query(CONSTRUCT):
        got.add(triple)  # type: ignore[arg-type]
    expected = Graph()
    for triple in store.query(CONSTRUCT).triples:
        expected.add(triple)
    assert isomorphic(got, expected)


def test_rdflib_sparqlstore_post_and_xml(live: Live, store: Store) -> None:
    remote = SPARQLStore(live.sparql, method="POST_FORM")
    rows = [tuple(_key(v) for v in row) for row in remote.query(SELECT)]
    assert rows == _expected_rows(store.query(SELECT))
    assert isinstance(next(iter(remote.query(SELECT)))[0], URIRef)
