"""The endpoint's `SPARQL 1.1 Service Description
<https://www.w3.org/TR/sparql11-service-description/>`_, answered to a request with no query.

Each named graph that has a record in the metadata graph (``{base}graph/meta``, written by
:func:`jaif_kg.store.graphs.record_graph`) is described with it, in VoID
(https://www.w3.org/TR/void/#sparql-sd): ``dcterms:source``, an ``spdx:checksum`` (SHA-256),
``prov:generatedAtTime`` (when it was loaded), ``dcterms:license``, ``dcterms:title`` and
``void:triples``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

import pyoxigraph as ox

from jaif_kg.rdf.formats import rdf_format
from jaif_kg.rdf.namespaces import PREFIXES, VOID

# Not yet in jaif_kg.rdf.namespaces (the one place namespaces are declared): move them there.
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"
_SPDX = "http://spdx.org/rdf/terms#"
#: W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint writes.
_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
)


class GraphMetadata(Protocol):
    """What the description says of a named graph: the fields of
    :class:`jaif_kg.store.graphs.GraphRecord` (declared here, as this layer sits above the
    store's)."""

    @property
    def graph(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def triples(self) -> int: ...
    @property
    def loaded(self) -> datetime: ...
    @property
    def license(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...


def _term(value: str) -> ox.NamedNode | ox.Literal:
    """An IRI when ``value`` is one, else a plain literal (a source given as a bare path)."""
    try:
        return ox.NamedNode(value) if ":" in value else ox.Literal(value)
    except ValueError:
        return ox.Literal(value)


def _record_triples(graph: ox.BlankNode, record: GraphMetadata, index: int) -> list[ox.Triple]:
    iri = ox.NamedNode
    checksum = ox.BlankNode(f"checksum{index}")
    loaded = record.loaded if record.loaded.tzinfo else record.loaded.replace(tzinfo=UTC)
    triples = [
        ox.Triple(graph, iri(PREFIXES["dcterms"] + "source"), _term(record.source)),
        ox.Triple(graph, iri(_SPDX + "checksum"), checksum),
        ox.Triple(checksum, iri(PREFIXES["rdf"] + "type"), iri(_SPDX + "Checksum")),
        ox.Triple(checksum, iri(_SPDX + "algorithm"), iri(_SPDX + "checksumAlgorithm_sha256")),
        ox.Triple(checksum, iri(_SPDX + "checksumValue"), ox.Literal(record.sha256)),
        ox.Triple(
            graph,
            iri(PREFIXES["prov"] + "generatedAtTime"),
            ox.Literal(loaded.isoformat(), datatype=iri(PREFIXES["xsd"] + "dateTime")),
        ),
    ]
    if record.license:
        triples.append(
            ox.Triple(graph, iri(PREFIXES["dcterms"] + "license"), _term(record.license))
        )
    if record.title:
        triples.append(
            ox.Triple(graph, iri(PREFIXES["dcterms"] + "title"), ox.Literal(record.title))
        )
    return triples


def service_description(
    endpoint: str,
    media_type: str,
    *,
    default_graph_triples: int | None = None,
    named_graphs: Sequence[tuple[str, int | None]] = (),
    records: Sequence[GraphMetadata] = (),
    union: bool = False,
    meta_graph: str | None = None,
    federated: bool = False,
    graph_store: str | None = None,
    title: str = "jaif-kg SPARQL endpoint",
) -> bytes:
    """The service description of the endpoint at ``endpoint``, written as ``media_type``.

    It names the endpoint (``sd:endpoint``), the language (``sd:SPARQL11Query`` only: the endpoint
    is read-only), the result formats, and the default dataset: the default graph and each named
    graph with its size (``void:triples``, from ``named_graphs``, else from its record) and, when
    ``records`` holds one for it, the record (source, SHA-256, load time, licence, title).
    With ``union``, the default graph of a query that names no dataset is the union of the data
    graphs (``sd:feature sd:UnionDefaultGraph``; ``meta_graph``, when given, is named as the
    one graph left out of it). With ``federated``, ``SERVICE`` may call the endpoints the operator
    lists (``sd:BasicFederatedQuery``); else it is refused. The endpoint never dereferences IRIs
    (no ``sd:DereferencesURIs``). ``graph_store``, when given, is the read-only Graph Store
    Protocol service beside the endpoint (``rdfs:seeAlso``, a ``dcat:DataService``).

    Args:
        endpoint: the endpoint's URL.
        media_type: an RDF media type.
        default_graph_triples: the size of the default graph (of what a query that names no
            dataset sees), when known.
        named_graphs: each named graph with its size, when known.
        records: what each graph was loaded from (graphs not in ``named_graphs`` are added).
        union: whether the default graph is the union of the data graphs.
        meta_graph: the metadata graph, which the union leaves out.
        federated: whether ``SERVICE`` may call the endpoints of an allow-list.
        graph_store: the URL of the Graph Store Protocol service (read only), if any.
        title: the endpoint's label.

    >>> ttl = service_description("http://h/sparql", "application/n-triples")
    >>> b"<http://h/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint>" in ttl
    True
    """
    iri = ox.NamedNode

    def sd(term: str) -> ox.NamedNode:
        return iri(_SD + term)

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=iri(PREFIXES["xsd"] + "integer"))

    service = iri(endpoint)
    rdf_type = iri(PREFIXES["rdf"] + "type")
    void_triples = iri(str(VOID.triples))
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, iri(PREFIXES["rdfs"] + "label"), ox.Literal(title)),
        ox.Triple(
            service,
            iri(PREFIXES["rdfs"] + "comment"),
            ox.Literal(
                "Read-only SPARQL 1.1 endpoint. SPARQL Update and LOAD are refused, and SERVICE "
                + ("may call only the endpoints the operator lists" if federated else "is refused")
                + "; FROM, FROM NAMED, default-graph-uri and named-graph-uri select graphs held "
                "by the store and are never dereferenced (an unknown graph is empty)."
            ),
        ),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultEntailmentRegime"), iri(_SIMPLE_ENTAILMENT)),
    ]
    triples += [ox.Triple(service, sd("resultFormat"), iri(_FORMATS_NS + f)) for f in _FORMAT_IRIS]
    if union:
        triples.append(ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")))
    if federated:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    if graph_store:
        store_service = iri(graph_store)
        dcat = "http://www.w3.org/ns/dcat#"
        triples += [
            ox.Triple(service, iri(PREFIXES["rdfs"] + "seeAlso"), store_service),
            ox.Triple(store_service, rdf_type, iri(dcat + "DataService")),
            ox.Triple(store_service, iri(dcat + "endpointURL"), store_service),
            ox.Triple(
                store_service,
                iri(PREFIXES["dcterms"] + "conformsTo"),
                iri("https://www.w3.org/TR/sparql11-http-rdf-update/"),
            ),
        ]
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
    ]
    if default_graph_triples is not None:
        triples.append(ox.Triple(default_graph, void_triples, count(default_graph_triples)))
    if union:
        left_out = f" but the metadata graph <{meta_graph}>" if meta_graph else ""
        comment = (
            f"The union of the named graphs{left_out} (a triple held by two graphs counts twice)."
        )
        triples.append(
            ox.Triple(default_graph, iri(PREFIXES["rdfs"] + "comment"), ox.Literal(comment))
        )
    by_graph = {r.graph: r for r in records}
    sizes = dict(named_graphs)
    sizes.update((g, r.triples) for g, r in by_graph.items() if sizes.get(g) is None)
    for i, (name, size) in enumerate(sorted(sizes.items())):
        node, graph = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, rdf_type, sd("NamedGraph")),
            ox.Triple(node, sd("name"), iri(name)),
            ox.Triple(node, sd("graph"), graph),
            ox.Triple(graph, rdf_type, sd("Graph")),
        ]
        if size is not None:
            triples.append(ox.Triple(graph, void_triples, count(size)))
        if name in by_graph:
            triples.append(ox.Triple(graph, rdf_type, iri(str(VOID.Dataset))))
            triples += _record_triples(graph, by_graph[name], i)
        elif name == meta_graph:
            note = "The metadata graph: one VoID description per graph (not in the union)."
            triples.append(ox.Triple(graph, iri(PREFIXES["rdfs"] + "comment"), ox.Literal(note)))
    fmt = rdf_format(media_type)
    prefixes = {"sd": _SD, "formats": _FORMATS_NS, "void": str(VOID), "rdfs": PREFIXES["rdfs"]}
    prefixes |= {"dcterms": PREFIXES["dcterms"], "prov": PREFIXES["prov"], "spdx": _SPDX}
    prefixes["xsd"] = PREFIXES["xsd"]
    if fmt.name in ("turtle", "trig"):
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes) or b""
    return ox.serialize(triples, format=fmt.oxigraph) or b""
