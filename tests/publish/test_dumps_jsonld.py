"""The dumps read anywhere, offline: each parses with rdflib and with PyLD (a JSON-LD 1.1
processor) while every connection but to loopback is refused, and gives the served graph.

The JSON-LD dump embeds its ``@context`` (its w3id URL need not resolve for a reader); the
N-Triples and N-Quads dumps are read by PyLD through its RDF reader (``from_rdf``), so PyLD's
view of every line-based dump is compared too.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pyld import jsonld
from rdflib import BNode, Dataset, Graph
from rdflib.compare import isomorphic

from jaif_kg.publish.dumps import CONTEXT_FILE, Bundle, dump_name
from jaif_kg.store import Store


class Fetched(AssertionError):
    """A reader tried to fetch something: the dump does not read offline."""


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse every connection but to loopback, and refuse PyLD's document loader outright."""
    attempts: list[Any] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise Fetched(f"connection to {address!r} attempted")
        connect(self, address)

    def no_loader(url: str, options: Any = None) -> Any:
        attempts.append(url)
        raise Fetched(f"PyLD asked for {url}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    previous = jsonld.get_document_loader()
    jsonld.set_document_loader(no_loader)
    yield attempts
    jsonld.set_document_loader(previous)


def served(store: Store) -> Graph:
    """The shipped graph as the store serves it (its N-Triples, parsed by rdflib)."""
    return Graph().parse(data=store.dump("application/n-triples").decode(), format="nt")


def pyld_graph(document: Any) -> Graph:
    """The triples PyLD reads from a JSON-LD document, via its N-Quads output."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")


def test_the_jsonld_dump_embeds_the_published_context(bundle: Bundle) -> None:
    document = json.loads(bundle.files[dump_name("jsonld")].data)
    context = json.loads(bundle.files[CONTEXT_FILE].data)
    assert isinstance(document["@context"], dict)
    assert document["@context"] == context["@context"]


def test_the_jsonld_dump_reads_offline_with_rdflib_and_pyld(
    bundle: Bundle, shipped_store: Store, offline: list[Any]
) -> None:
    data = bundle.files[dump_name("jsonld")].data
    expected = served(shipped_store)
    by_rdflib = Graph().parse(data=data.decode("utf-8"), format="json-ld")
    by_pyld = pyld_graph(json.loads(data))
    assert offline == []
    assert len(by_rdflib) == len(by_pyld) == len(expected) == shipped_store.count()
    assert isomorphic(by_rdflib, expected)
    assert isomorphic(by_pyld, expected)


@pytest.mark.parametrize("name", ["turtle", "ntriples", "rdfxml", "trig"])
def test_every_other_shipped_dump_reads_offline_with_rdflib(
    name: str, bundle: Bundle, shipped_store: Store, offline: list[Any]
) -> None:
    data = bundle.files[dump_name(name)].data.decode("utf-8")
    if name == "trig":
        dataset = Dataset()
        dataset.parse(data=data, format="trig")
        parsed = Graph()
        for g in dataset.graphs():
            for triple in g:
                parsed.add(triple)
    else:
        parsed = Graph().parse(
            data=data, format={"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}[name]
        )
    assert offline == []
    assert isomorphic(parsed, served(shipped_store))


@pytest.mark.parametrize("name", ["ntriples"])
def test_line_based_dumps_read_with_pyld(
    name: str, bundle: Bundle, shipped_store: Store, offline: list[Any]
) -> None:
    nquads = bundle.files[dump_name(name)].data.decode("utf-8")
    document = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    assert offline == []
    assert isomorphic(pyld_graph(document), served(shipped_store))


def test_the_dataset_nquads_dump_reads_with_pyld(bundle: Bundle, offline: list[Any]) -> None:
    nquads = bundle.files["jaif-kg-dataset.nq"].data.decode("utf-8")
    document = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    back = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert offline == []

    def quads(text: str) -> tuple[int, set[tuple[Any, ...]]]:
        dataset = Dataset()
        dataset.parse(data=text, format="nquads")
        found = list(dataset.quads())
        ground = {q for q in found if not any(isinstance(t, BNode) for t in q[:3])}
        return len(found), ground

    assert quads(back) == quads(nquads)
    assert quads(nquads)[0] > 0
