"""The endpoint's `SPARQL 1.1 Service Description
<https://www.w3.org/TR/sparql11-service-description/>`_, answered to a request with no query."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from jaif_kg.rdf.formats import rdf_format
from jaif_kg.rdf.namespaces import PREFIXES, VOID

# Not yet in jaif_kg.rdf.namespaces (the one place namespaces are declared): move them there.
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"
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


def service_description(
    endpoint: str,
    media_type: str,
    *,
    default_graph_triples: int | None = None,
    named_graphs: Sequence[tuple[str, int | None]] = (),
    title: str = "jaif-kg SPARQL endpoint",
) -> bytes:
    """The service description of the endpoint at ``endpoint``, written as ``media_type``.

    It names the endpoint (``sd:endpoint``), the language (``sd:SPARQL11Query`` only: the endpoint
    is read-only), the result formats, and the default dataset: the default graph and each named
    graph with its size (``void:triples``). It declares no ``sd:feature``: the endpoint does not
    dereference IRIs (``sd:DereferencesURIs``), has no union default graph
    (``sd:UnionDefaultGraph``), and refuses ``SERVICE`` (``sd:BasicFederatedQuery``).

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
                "Read-only SPARQL 1.1 endpoint. SPARQL Update, LOAD and SERVICE are refused; FROM, "
                "FROM NAMED, default-graph-uri and named-graph-uri select graphs held by the store "
                "and are never dereferenced (an unknown graph is empty)."
            ),
        ),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultEntailmentRegime"), iri(_SIMPLE_ENTAILMENT)),
    ]
    triples += [ox.Triple(service, sd("resultFormat"), iri(_FORMATS_NS + f)) for f in _FORMAT_IRIS]
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
    for i, (name, size) in enumerate(named_graphs):
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
    fmt = rdf_format(media_type)
    prefixes = {"sd": _SD, "formats": _FORMATS_NS, "void": str(VOID), "rdfs": PREFIXES["rdfs"]}
    if fmt.name in ("turtle", "trig"):
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes) or b""
    return ox.serialize(triples, format=fmt.oxigraph) or b""
