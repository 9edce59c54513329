"""Dumps of the dataset: the shipped graph in five formats, the whole dataset as TriG and
N-Quads, each graph as Turtle, with the dataset description and checksums.

``jaif-kg build`` writes them to a folder; the server offers the very same bytes under ``/dumps/``
(built on first request and cached), computed from the dataset it serves. The ``jaif-kg.*`` dumps
hold the shipped graph (ontology + data: the named graph ``{base}graph/jaif`` when the store holds
it, else the store's default graph, see :func:`shipped_graph_in`):

* ``jaif-kg.ttl``    canonical Turtle, as ``jaif-kg fmt`` writes it (:mod:`jaif_kg.rdf.canonical`);
* ``jaif-kg.nt``     N-Triples, one triple per line, lines sorted, so diffs are clean;
* ``jaif-kg.jsonld`` JSON-LD with its ``@context`` embedded (the same context as ``context.jsonld``,
  published beside it and at ``/dumps/context.jsonld``), so that any processor reads it offline:
  the context's w3id URL need not resolve; nodes sorted by ``@id``;
* ``jaif-kg.trig``   TriG with one named graph per source document (see :func:`graph_name_for`);
* ``jaif-kg.rdf``    RDF/XML;
* ``jaif-kg-dataset.trig`` and ``jaif-kg-dataset.nq``: every graph of the dataset as loaded
  (the default graph and each named graph under its own name), but the metadata graph
  ``{base}graph/meta``, which records load times and would make two builds differ;
* ``graph-{name}.ttl`` one canonical Turtle file per named graph (:func:`graph_file_name`), and
  ``default-graph.ttl`` for the store's own default graph when it holds triples;
* ``countries.sssom.tsv`` and ``countries.linkset.ttl``: the country crosswalk
  (:mod:`jaif_kg.publish.crosswalk`), an SSSOM mapping set and the same mappings as RDF;
* ``void.ttl``       the dataset description (VoID + DCAT, :mod:`jaif_kg.publish.void`), with every
  file above as a ``void:dataDump`` and a ``dcat:Distribution``, and the Graph Store endpoint;
* ``SHA256SUMS``     ``sha256sum -c`` compatible checksums of every other file.

Blank nodes are given canonical labels (RDFC-1.0,
:func:`jaif_kg.rdf.canonical.canonical_triples`; over the whole dataset for the dataset dumps)
before writing, and triples, quads and N-Triples/N-Quads lines are sorted, so two builds of the
same dataset give the same bytes. Under another base IRI than the default
(``settings.base_iri``), the graph is read rebased and every prefix and context names the
rebased namespaces, so no dump mentions the default base.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF
from rdflib.term import Node

from jaif_kg.errors import ResultTooLarge
from jaif_kg.publish import crosswalk
from jaif_kg.publish.describe import new_graph, prefixes
from jaif_kg.publish.iris import published_base, split_fragment
from jaif_kg.publish.vocab import SPDX
from jaif_kg.publish.void import (
    DCAT,
    IANA,
    LICENCE,
    XSD,
    DumpFile,
    dataset_description,
    dataset_iri,
    void_iri,
)
from jaif_kg.rdf.canonical import canonical_triples, graph_turtle
from jaif_kg.rdf.formats import rdf_format
from jaif_kg.rdf.graph import to_oxigraph_term, to_rdflib_term
from jaif_kg.rdf.namespaces import DEFAULT_BASE, VOID
from jaif_kg.settings import Settings
from jaif_kg.sparql.escape import sparql_iri
from jaif_kg.store import Store, load_shipped, open_store
from jaif_kg.store.graphs import meta_graph, shipped_graph

DUMP_STEM = "jaif-kg"
#: File stem of the whole dataset's dumps (TriG and N-Quads).
DATASET_STEM = "jaif-kg-dataset"
#: File stem of the store's own default graph's Turtle dump (when it holds triples).
DEFAULT_GRAPH_STEM = "default-graph"
#: The path of the read-only SPARQL 1.1 Graph Store HTTP Protocol endpoint.
GRAPH_STORE_PATH = "graph-store"
GRAPH_STORE_SPEC = "https://www.w3.org/TR/sparql11-http-rdf-update/"
CONTEXT_FILE = "context.jsonld"
VOID_FILE = "void.ttl"
CHECKSUMS_FILE = "SHA256SUMS"
#: The dumps of the graph: format name -> human title.
DUMP_FORMATS: dict[str, str] = {
    "turtle": "Turtle",
    "ntriples": "N-Triples (sorted)",
    "jsonld": "JSON-LD",
    "trig": "TriG (one named graph per source document)",
    "rdfxml": "RDF/XML",
}
#: The dumps of the whole dataset: format name -> human title.
DATASET_FORMATS: dict[str, str] = {"trig": "TriG", "nquads": "N-Quads"}
#: A triple as rdflib graphs hold it.
RdfTriple = tuple[Node, Node, Node]
PRIMARY_SOURCE = PROV.hadPrimarySource
_ONTOLOGY_PATH = "ontology"
_SHAPES_PATH = "shapes"


def context_url(settings: Settings) -> str:
    """The URL the JSON-LD dump names as its ``@context``."""
    return f"{published_base(settings)}dumps/{CONTEXT_FILE}"


def jsonld_context(base: str = DEFAULT_BASE) -> dict[str, Any]:
    """The published JSON-LD context: the project's prefixes (under ``base``) as terms.

    >>> jsonld_context()["@context"]["org"]
    'http://www.w3.org/ns/org#'
    >>> jsonld_context("http://example.org/kg/")["@context"]["jaif"]
    'http://example.org/kg/ontology#'
    """
    return {"@context": dict(sorted(prefixes(base).items()))}


def _key(term: Node) -> str:
    return f"{type(term).__name__}:{term}"


def _sorted(triples: Iterable[RdfTriple]) -> list[RdfTriple]:
    return sorted(triples, key=lambda t: tuple(_key(x) for x in t))


def graph_from_ntriples(data: bytes, base: str = DEFAULT_BASE) -> Graph:
    """The graph of N-Triples ``data`` with canonical blank-node labels, added in sorted order
    (the project's prefixes under ``base`` bound).

    Sorted insertion makes rdflib's serialisers (which iterate in insertion order) deterministic.
    pyoxigraph parses, and the terms keep their lexical form exactly (rdflib's parser would
    normalise some literals, and the dump would then differ from the store).

    >>> len(graph_from_ntriples(b'_:x <http://example.org/p> "1" .\\n'))
    1
    """
    triples = (
        (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
        for t in canonical_triples(ox.parse(data, ox.RdfFormat.N_TRIPLES))
    )
    graph = new_graph(base)
    for triple in _sorted(triples):
        graph.add(triple)
    return graph


def store_graph(store: Store, base: str = DEFAULT_BASE, graph: str | None = None) -> Graph:
    """One graph of the store (``graph``; the store's own default graph when ``None``) with
    canonical blank-node labels, added in sorted order (see :func:`graph_from_ntriples`)."""
    return graph_from_ntriples(store.dump("application/n-triples", graph), base)


def shipped_graph_in(store: Store, base: str) -> str | None:
    """Where the store holds the shipped graph: its named graph
    (:func:`jaif_kg.store.graphs.shipped_graph`) when the store has it, else the store's own
    default graph (``None``: a store loaded before the shipped graph had a name of its own)."""
    name = shipped_graph(base)
    return name if name in store.named_graphs() else None


def dumped_graphs(store: Store, base: str) -> list[str | None]:
    """The graphs of the dataset that the dumps hold, in file order: the store's own default
    graph first (``None``) when it holds triples, then every named graph by IRI, but the
    metadata graph (:func:`jaif_kg.store.graphs.meta_graph`): it records load times, so two
    builds would differ."""
    named = [g for g in store.named_graphs() if g != meta_graph(base)]
    default: list[str | None] = [None] if store.dump("application/n-triples") else []
    return [*default, *sorted(named)]


_SAFE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def graph_file_stem(iri: str, base: str) -> str:
    """The file name (without suffix) of a named graph's dump: ``graph-`` and a name from its IRI.

    A graph ``{base}graph/{name}`` whose ``{name}`` is lower-case letters and digits in
    hyphen-separated words (``jaif``, ``wdi-2023``) gives ``graph-{name}``. Any other IRI (other
    characters, upper case, slashes, or outside ``{base}graph/``) gives ``graph-{slug}--{hash}``:
    a lower-case slug of its last path segment and the first 16 hex digits of the IRI's SHA-256,
    after a double hyphen that no plain name has. Names are thus distinct for distinct IRIs (short
    of a hash collision), stable, safe in every file system and URL (no case-only differences, no
    dots, no slashes), and never those of the other dump files.

    >>> graph_file_stem("https://w3id.org/jaif-kg/graph/jaif", "https://w3id.org/jaif-kg/")
    'graph-jaif'
    >>> graph_file_stem("http://example.org/Data/WDI_2023", "https://w3id.org/jaif-kg/")
    'graph-wdi-2023--7cc2fb82b2f836cb'
    """
    prefix = base + "graph/"
    if iri.startswith(prefix) and _SAFE_NAME.fullmatch(iri[len(prefix) :]):
        return "graph-" + iri[len(prefix) :]
    last = re.split(r"[/#:?]", iri.rstrip("/#?"))[-1]
    slug = "-".join(re.findall(r"[a-z0-9]+", last.lower()))[:40].strip("-")
    return f"graph-{slug}--{hashlib.sha256(iri.encode()).hexdigest()[:16]}"


def graph_file_name(graph: str | None, base: str) -> str:
    """File name of one graph's Turtle dump (``graph=None``: the store's own default graph).

    >>> graph_file_name(None, "https://w3id.org/jaif-kg/")
    'default-graph.ttl'
    >>> graph_file_name("https://w3id.org/jaif-kg/graph/wdi", "https://w3id.org/jaif-kg/")
    'graph-wdi.ttl'
    """
    stem = DEFAULT_GRAPH_STEM if graph is None else graph_file_stem(graph, base)
    return f"{stem}.{rdf_format('turtle').suffix}"


def read_graph(
    store: Store,
    graph: str | None,
    media_type: str,
    *,
    base: str = DEFAULT_BASE,
    max_bytes: int | None = None,
) -> bytes:
    """One graph as the Graph Store read answers it (``GET /graph-store``): the named graph
    ``graph``, or the default graph that queries see (``None``: the union of the data graphs, or
    the store's default graph, as the store has it), written by :func:`graph_document`.

    The triples are first read as N-Triples through a writer that stops at ``max_bytes``, so an
    oversized graph is never written whole; the answer itself is checked against the limit too.

    Raises:
        jaif_kg.errors.ResultTooLarge: the answer would be larger than ``max_bytes``.
    """
    where = "?s ?p ?o" if graph is None else f"GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }}"
    # DISTINCT: a triple in two graphs of a union default graph is one triple of the answer
    sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}"
    fmt = rdf_format(media_type)
    try:
        ntriples, _ = store.query_serialized(sparql, "application/n-triples", max_bytes=max_bytes)
        body = graph_document(ntriples, fmt.media_type, graph=graph, base=base)
        if max_bytes is not None and len(body) > max_bytes:
            raise ResultTooLarge("")
    except ResultTooLarge:
        raise ResultTooLarge(
            f"the graph is larger than {max_bytes} bytes as {fmt.media_type} (the server's "
            f"limit, JAIF_MAX_RESULT_BYTES): download it from /dumps/ instead"
        ) from None
    return body


def _quad_key(quad: ox.Quad) -> tuple[str, ...]:
    g = quad.graph_name
    name = "" if isinstance(g, ox.DefaultGraph) else f"1{g}"
    return (name, str(quad.subject), str(quad.predicate), str(quad.object))


def canonical_quads(data: bytes) -> list[ox.Quad]:
    """The quads of N-Quads ``data``, blank nodes relabelled by RDFC-1.0 over the whole dataset
    (a blank node may be shared by graphs), without duplicates, sorted (default graph first, then
    by graph name, subject, predicate, object)."""
    dataset = ox.Dataset(ox.parse(data, ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_quad_key)


def dataset_quads(store: Store, base: str) -> list[ox.Quad]:
    """Every quad of the dumped graphs (:func:`dumped_graphs`), canonical and sorted."""
    meta = ox.NamedNode(meta_graph(base))
    data = store.dump("application/n-quads")
    quads = [q for q in ox.parse(data, ox.RdfFormat.N_QUADS) if q.graph_name != meta]
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    return canonical_quads(text)


def to_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """N-Quads, one line per quad, lines sorted and without duplicates."""
    text = (ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def quads_trig(quads: Iterable[ox.Quad], base: str) -> bytes:
    """TriG of ``quads`` in the order given, with the project's prefixes and ``graph:``."""
    # Without "id:", whose local names would need escaped slashes (id:source\/x).
    names = {k: v for k, v in prefixes(base).items() if k != "id"} | {"graph": base + "graph/"}
    return ox.serialize(list(quads), format=ox.RdfFormat.TRIG, prefixes=names) or b""


def graph_document(
    ntriples: bytes,
    media_type: str,
    *,
    graph: str | None = None,
    base: str = DEFAULT_BASE,
    context: str | None = None,
) -> bytes:
    """One graph (given as N-Triples) written canonically in any RDF format: the bytes the
    dumps and the Graph Store read (``GET /graph-store``) answer with.

    Turtle, N-Triples, JSON-LD and RDF/XML are written as :func:`serialize` does; N-Quads and TriG
    put the triples in the named graph ``graph`` (in the default graph when ``None``), sorted.

    Args:
        ntriples: the graph.
        media_type: any media type, alias or name of :data:`jaif_kg.rdf.formats.RDF_FORMATS`.
        graph: the graph name N-Quads and TriG give the triples.
        base: the base IRI of the project's prefixes.
        context: the JSON-LD ``@context`` URL (``None``: the context inline).

    >>> graph_document(b"<http://e.org/s> <http://e.org/p> <http://e.org/o> .\\n", "nquads",
    ...                graph="http://e.org/g")
    b'<http://e.org/s> <http://e.org/p> <http://e.org/o> <http://e.org/g> .\\n'
    """
    fmt = rdf_format(media_type)
    rdf = graph_from_ntriples(ntriples, base)
    if fmt.name not in ("nquads", "trig"):
        return serialize(rdf, fmt.name, context=context, base=base)
    name = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    quads = []
    for triple in _sorted(rdf):
        t = _ox_triple(triple)
        quads.append(ox.Quad(t.subject, t.predicate, t.object, name))
    return to_nquads(quads) if fmt.name == "nquads" else quads_trig(quads, base)


def _sorted_json(value: Any, *, in_list: bool = False) -> Any:
    """Sort JSON-LD arrays (except ``@list`` values, whose order is meaningful) and nodes."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, in_list=(k == "@list")) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if in_list:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def to_jsonld(graph: Graph, context: str | None = None, *, base: str = DEFAULT_BASE) -> bytes:
    """Serialise ``graph`` as compacted JSON-LD with the project's context.

    Args:
        graph: the graph.
        context: the URL to name as ``@context``; ``None`` puts the context inline.
        base: the base IRI the project's prefixes are under.
    """
    inline = jsonld_context(base)["@context"]
    text = graph.serialize(format="json-ld", context=inline)
    document = json.loads(text)
    if isinstance(document, list):
        document = {"@graph": document}
    document.pop("@context", None)
    if "@graph" not in document:
        document = {"@graph": [document]} if document else {"@graph": []}
    body = _sorted_json(document)
    out = {"@context": context if context is not None else inline, **body}
    return (json.dumps(out, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def to_ntriples(graph: Graph) -> bytes:
    """N-Triples, one line per triple, sorted and without duplicates."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def serialize(
    graph: Graph, format_name: str, *, context: str | None = None, base: str = DEFAULT_BASE
) -> bytes:
    """Serialise ``graph`` in one of the description formats (turtle, ntriples, jsonld, rdfxml).

    ``context`` is the ``@context`` URL for JSON-LD (inline context when ``None``); ``base`` the
    base IRI of the project's prefixes. Turtle is canonical Turtle (:mod:`jaif_kg.rdf.canonical`)
    with the graph's prefixes.
    """
    name = rdf_format(format_name).name
    if name == "turtle":
        return graph_turtle(graph, base=base).encode("utf-8")
    if name == "ntriples":
        return to_ntriples(graph)
    if name == "jsonld":
        return to_jsonld(graph, context, base=base)
    if name == "rdfxml":
        return to_rdfxml(graph, base)
    raise ValueError(f"{format_name!r} is not offered for single graphs")


def graph_name_for(source: str, base: str) -> str:
    """The TriG graph that holds the facts whose primary source is ``source``.

    Source documents under ``{base}id/`` give ``{base}graph/{rest}``; any other IRI gives a name
    from a hash of it.

    >>> graph_name_for("https://w3id.org/jaif-kg/id/source/sector-brief", "https://w3id.org/jaif-kg/")
    'https://w3id.org/jaif-kg/graph/source/sector-brief'
    """
    prefix = base + "id/"
    if source.startswith(prefix):
        return f"{base}graph/{source[len(prefix) :]}"
    return f"{base}graph/source-{hashlib.sha256(source.encode()).hexdigest()[:16]}"


def dataset_graph_name(base: str) -> str:
    """The TriG graph of triples whose subject has no primary source (sources, schemes...)."""
    return f"{base}graph/dataset"


def ontology_graph_name(base: str) -> str:
    """The TriG graph of the ontology (its IRI and its terms)."""
    return f"{base}graph/ontology"


def split_by_source(graph: Graph, base: str) -> dict[str, list[RdfTriple]]:
    """Assign every triple of ``graph`` to a named graph (the TriG dump's layout).

    A triple goes to the graph of its subject's ``prov:hadPrimarySource`` (the first in IRI order
    when there are several); hash sub-resources (``…#part``) take their owner's; blank nodes take
    the graph of the subject that refers to them; ontology terms go to the ontology graph; the rest
    (source documents themselves, schemes, anything unsourced) to the dataset graph.
    """
    primary: dict[str, str] = {}
    for s, _, o in sorted(graph.triples((None, PRIMARY_SOURCE, None)), key=lambda t: str(t[2])):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            primary.setdefault(str(s), str(o))
    ontology = base + _ONTOLOGY_PATH

    def named_home(subject: str) -> str:
        owner, _ = split_fragment(subject)
        source = primary.get(subject) or primary.get(owner)
        if source is not None:
            return graph_name_for(source, base)
        if owner in (ontology, base + _SHAPES_PATH):
            return ontology_graph_name(base)
        return dataset_graph_name(base)

    homes: dict[Node, str] = {}
    triples = _sorted(graph)
    for s, _, _ in triples:
        if isinstance(s, URIRef) and s not in homes:
            homes[s] = named_home(str(s))
    # Blank nodes follow the (first) subject that refers to them, transitively.
    changed = True
    while changed:
        changed = False
        for s, _, o in triples:
            if isinstance(o, BNode) and o not in homes and s in homes:
                homes[o] = homes[s]
                changed = True
    out: dict[str, list[RdfTriple]] = {}
    for s, p, o in triples:
        out.setdefault(homes.get(s, dataset_graph_name(base)), []).append((s, p, o))
    return dict(sorted(out.items()))


def _ox_triple(triple: RdfTriple) -> ox.Triple:
    s, p, o = (to_oxigraph_term(t) for t in triple)
    assert not isinstance(s, ox.Literal) and isinstance(p, ox.NamedNode)
    return ox.Triple(s, p, o)


def to_rdfxml(graph: Graph, base: str = DEFAULT_BASE) -> bytes:
    """RDF/XML, subjects in sorted order (pyoxigraph's writer, which keeps the order given),
    with the project's prefixes under ``base``."""
    triples = [_ox_triple(t) for t in _sorted(graph)]
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes(base)) or b""


def to_trig(graph: Graph, base: str) -> bytes:
    """TriG with one named graph per source document (see :func:`split_by_source`), sorted."""
    quads = []
    for name, triples in split_by_source(graph, base).items():
        graph_name = ox.NamedNode(name)
        for triple in triples:
            t = _ox_triple(triple)
            quads.append(ox.Quad(t.subject, t.predicate, t.object, graph_name))
    return quads_trig(quads, base)


@dataclass(frozen=True)
class Bundle:
    """The whole dumps folder, in memory: file name -> file (in listing order)."""

    files: Mapping[str, DumpFile]
    void: Graph

    def write(self, out: Path) -> list[Path]:
        """Write every file into ``out`` (created if needed); returns the paths written."""
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for item in self.files.values():
            path = out / item.name
            path.write_bytes(item.data)
            written.append(path)
        return written


def dump_name(format_name: str) -> str:
    """File name of the dump in ``format_name``.

    >>> dump_name("ntriples")
    'jaif-kg.nt'
    """
    return f"{DUMP_STEM}.{rdf_format(format_name).suffix}"


def dataset_files(store: Store, base: str) -> list[tuple[DumpFile, str]]:
    """The dumps of the whole dataset and of each graph, each with the local name of its
    ``dcat:Distribution`` in the dataset description (``dist-dataset-trig``, ``dist-graph-jaif``).
    """
    quads = dataset_quads(store, base)
    out: list[tuple[DumpFile, str]] = []
    for name, data in (("trig", quads_trig(quads, base)), ("nquads", to_nquads(quads))):
        fmt = rdf_format(name)
        title = f"The whole dataset, every graph under its name ({DATASET_FORMATS[name]})"
        file = DumpFile(f"{DATASET_STEM}.{fmt.suffix}", fmt.media_type, title, data)
        out.append((file, f"dist-dataset-{name}"))
    turtle = rdf_format("turtle")
    for graph in dumped_graphs(store, base):
        data = graph_document(store.dump("application/n-triples", graph), "turtle", base=base)
        title = "The default graph" if graph is None else f"The named graph <{graph}>"
        name = graph_file_name(graph, base)
        stem = name.rsplit(".", 1)[0]
        out.append((DumpFile(name, turtle.media_type, f"{title} (Turtle)", data), f"dist-{stem}"))
    return out


def crosswalk_dumps(store: Store, base: str) -> list[tuple[DumpFile, str]]:
    """The country crosswalk's files (:func:`jaif_kg.publish.crosswalk.crosswalk_files`: SSSOM
    TSV and RDF linkset), each with the local name of its ``dcat:Distribution``."""
    data = crosswalk.crosswalk_files(store, base)
    return [
        (
            DumpFile(
                crosswalk.SSSOM_FILE,
                "text/tab-separated-values",
                "Country crosswalk (SSSOM mapping set, TSV)",
                data[crosswalk.SSSOM_FILE],
            ),
            "dist-countries-sssom",
        ),
        (
            DumpFile(
                crosswalk.LINKSET_FILE,
                "text/turtle",
                "Country crosswalk (RDF linkset, skos:exactMatch, Turtle)",
                data[crosswalk.LINKSET_FILE],
            ),
            "dist-countries-linkset",
        ),
    ]


def add_distributions(
    void: Graph, settings: Settings, files: Sequence[tuple[DumpFile, str]]
) -> None:
    """Add ``files`` to the dataset description as ``void:dataDump`` and ``dcat:Distribution``
    (media type, size, SHA-256, licence), each under ``{base}void#{local name}``, as
    :func:`jaif_kg.publish.void.dataset_description` describes the graph dumps; and the Graph
    Store endpoint as a ``dcat:DataService``."""
    pub = published_base(settings)
    local = void_iri(settings) + "#"
    ds = dataset_iri(settings)
    for item, name in files:
        url = URIRef(f"{pub}dumps/{item.name}")
        media = URIRef(IANA + item.media_type)
        dist = URIRef(local + name)
        void.add((ds, VOID.dataDump, url))
        void.add((ds, DCAT.distribution, dist))
        void.add((dist, RDF.type, DCAT.Distribution))
        void.add((dist, DCTERMS.title, Literal(item.title, lang="en")))
        void.add((dist, DCAT.downloadURL, url))
        void.add((dist, DCAT.accessURL, URIRef(f"{pub}dumps/")))
        void.add((dist, DCAT.mediaType, media))
        void.add((dist, DCTERMS.format, media))
        void.add((dist, DCAT.byteSize, Literal(item.size, datatype=XSD.nonNegativeInteger)))
        void.add((dist, DCTERMS.license, LICENCE))
        checksum = URIRef(local + name + "-sha256")
        void.add((dist, SPDX.checksum, checksum))
        void.add((checksum, RDF.type, SPDX.Checksum))
        void.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        void.add((checksum, SPDX.checksumValue, Literal(item.sha256, datatype=XSD.hexBinary)))
    # The Graph Store read (https://www.w3.org/TR/sparql11-http-rdf-update/#http-get).
    service, dist = URIRef(local + GRAPH_STORE_PATH), URIRef(local + "dist-" + GRAPH_STORE_PATH)
    endpoint = URIRef(pub + GRAPH_STORE_PATH)
    void.add((ds, DCAT.distribution, dist))
    void.add((dist, RDF.type, DCAT.Distribution))
    void.add((dist, DCTERMS.title, Literal("Graph Store (read only)", lang="en")))
    void.add((dist, DCAT.accessURL, endpoint))
    void.add((dist, DCAT.accessService, service))
    void.add((dist, DCTERMS.license, LICENCE))
    void.add((service, RDF.type, DCAT.DataService))
    title = "jaif-kg SPARQL 1.1 Graph Store (GET and HEAD only)"
    void.add((service, DCTERMS.title, Literal(title, lang="en")))
    void.add((service, DCAT.endpointURL, endpoint))
    void.add((service, DCTERMS.conformsTo, URIRef(GRAPH_STORE_SPEC)))
    void.add((service, DCAT.servesDataset, ds))


def build_bundle(store: Store, settings: Settings) -> Bundle:
    """Build every dump of the store's dataset, the dataset description and the checksums.

    The ``jaif-kg.*`` dumps hold the shipped graph (:func:`shipped_graph_in`); the dataset dumps and
    the per-graph files every graph but the metadata graph (:func:`dumped_graphs`).
    """
    base = settings.base_iri
    graph = store_graph(store, base, shipped_graph_in(store, base))
    files: dict[str, DumpFile] = {}
    for name, title in DUMP_FORMATS.items():
        fmt = rdf_format(name)
        if name == "trig":
            data = to_trig(graph, base)
        else:
            # the context is embedded (context=None): a dump must read without the network
            data = serialize(graph, name, context=None, base=base)
        files[dump_name(name)] = DumpFile(dump_name(name), fmt.media_type, title, data)
    context = (json.dumps(jsonld_context(base), indent=2, sort_keys=True) + "\n").encode("utf-8")
    files[CONTEXT_FILE] = DumpFile(CONTEXT_FILE, "application/ld+json", "JSON-LD context", context)
    extra = dataset_files(store, base) + crosswalk_dumps(store, base)
    files.update((item.name, item) for item, _ in extra)
    void = dataset_description(store, settings, [files[dump_name(n)] for n in DUMP_FORMATS])
    add_distributions(void, settings, extra)
    counts = crosswalk.link_counts(store, base)
    for triple in crosswalk.linkset_void(base, counts, f"{published_base(settings)}dumps/"):
        void.add(triple)
    void_bytes = graph_turtle(void, base=base).encode("utf-8")
    files[VOID_FILE] = DumpFile(
        VOID_FILE, "text/turtle", "Dataset description (VoID + DCAT)", void_bytes
    )
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files.values())
    files[CHECKSUMS_FILE] = DumpFile(
        CHECKSUMS_FILE, "text/plain", "SHA-256 checksums", sums.encode("ascii")
    )
    return Bundle(files, void)


def shipped_bundle(settings: Settings, graphs: Sequence[tuple[str | None, Path]] = ()) -> Bundle:
    """Build the dumps of the shipped graph (ontology + ``graph_data/``) and of ``graphs``
    (``(IRI, FILE)``: ``--graph IRI=FILE``; ``(None, FILE)``: a TriG/N-Quads file whose graphs
    keep their names), as ``jaif-kg build`` does.

    The files are loaded into a fresh in-memory store (read under ``settings.base_iri``) as
    ``jaif-kg serve`` loads them (:func:`jaif_kg.store.load_shipped`), so the result does not
    depend on the configured store, and a server over the same files serves the same bytes.

    Raises:
        jaif_kg.errors.InputError: a file of the graph is missing or malformed.
    """
    store = open_store(settings.model_copy(update={"store": "oxigraph", "store_path": None}))
    try:
        load_shipped(store, settings, graphs)
        return build_bundle(store, settings)
    finally:
        store.close()
