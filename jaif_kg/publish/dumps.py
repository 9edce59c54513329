"""Dumps of the whole dataset: Turtle, N-Triples, JSON-LD, TriG and RDF/XML, with checksums.

``jaif-kg build`` writes them to a folder; the server offers the very same bytes under ``/dumps/``
(built on first request and cached). Every dump holds the store's default graph (ontology + data):

* ``jaif-kg.ttl``    canonical Turtle, as ``jaif-kg fmt`` writes it (:mod:`jaif_kg.rdf.canonical`);
* ``jaif-kg.nt``     N-Triples, one triple per line, lines sorted, so diffs are clean;
* ``jaif-kg.jsonld`` JSON-LD whose ``@context`` is the URL of ``context.jsonld`` (published beside
  it and at ``/dumps/context.jsonld``); nodes sorted by ``@id``;
* ``jaif-kg.trig``   TriG with one named graph per source document (see :func:`graph_name_for`);
* ``jaif-kg.rdf``    RDF/XML;
* ``void.ttl``       the dataset description (VoID + DCAT, :mod:`jaif_kg.publish.void`);
* ``SHA256SUMS``     ``sha256sum -c`` compatible checksums of every other file.

Blank nodes are given canonical labels (RDFC-1.0,
:func:`jaif_kg.rdf.canonical.canonical_triples`) before writing, so two builds of the same graph
give the same bytes. Under another base IRI than the default (``settings.base_iri``), the graph is
read rebased and every prefix and context names the rebased namespaces, so no dump mentions the
default base.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from jaif_kg.publish.describe import new_graph, prefixes
from jaif_kg.publish.iris import published_base, split_fragment
from jaif_kg.publish.void import DumpFile, dataset_description
from jaif_kg.rdf.canonical import canonical_triples, graph_turtle
from jaif_kg.rdf.formats import rdf_format
from jaif_kg.rdf.graph import shipped_paths, to_oxigraph_term, to_rdflib_term
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.loading import load_files

DUMP_STEM = "jaif-kg"
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


def store_graph(store: Store, base: str = DEFAULT_BASE) -> Graph:
    """The store's default graph with canonical blank-node labels, added in sorted order (the
    project's prefixes under ``base`` bound).

    Sorted insertion makes rdflib's serialisers (which iterate in insertion order) deterministic.
    """
    data = store.dump("application/n-triples")
    # pyoxigraph parses, and the terms keep their lexical form exactly (rdflib's parser would
    # normalise some literals, and the dump would then differ from the store).
    triples = (
        (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
        for t in canonical_triples(ox.parse(data, ox.RdfFormat.N_TRIPLES))
    )
    graph = new_graph(base)
    for triple in _sorted(triples):
        graph.add(triple)
    return graph


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
    # Without "id:", whose local names would need escaped slashes (id:source\/x).
    names = {k: v for k, v in prefixes(base).items() if k != "id"} | {"graph": base + "graph/"}
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=names) or b""


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


def build_bundle(store: Store, settings: Settings) -> Bundle:
    """Build every dump of the store's default graph, the dataset description and the checksums."""
    base = settings.base_iri
    graph = store_graph(store, base)
    files: dict[str, DumpFile] = {}
    for name, title in DUMP_FORMATS.items():
        fmt = rdf_format(name)
        if name == "trig":
            data = to_trig(graph, base)
        else:
            data = serialize(graph, name, context=context_url(settings), base=base)
        files[dump_name(name)] = DumpFile(dump_name(name), fmt.media_type, title, data)
    context = (json.dumps(jsonld_context(base), indent=2, sort_keys=True) + "\n").encode("utf-8")
    files[CONTEXT_FILE] = DumpFile(CONTEXT_FILE, "application/ld+json", "JSON-LD context", context)
    void = dataset_description(store, settings, [files[dump_name(n)] for n in DUMP_FORMATS])
    void_bytes = graph_turtle(void, base=base).encode("utf-8")
    files[VOID_FILE] = DumpFile(
        VOID_FILE, "text/turtle", "Dataset description (VoID + DCAT)", void_bytes
    )
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files.values())
    files[CHECKSUMS_FILE] = DumpFile(
        CHECKSUMS_FILE, "text/plain", "SHA-256 checksums", sums.encode("ascii")
    )
    return Bundle(files, void)


def shipped_bundle(settings: Settings) -> Bundle:
    """Build the dumps of the shipped graph (ontology + ``graph_data/``), as ``jaif-kg build`` does.

    The graph is loaded into a fresh in-memory store (read under ``settings.base_iri``), so the
    result does not depend on the configured store; a server over the shipped graph serves the
    same bytes.

    Raises:
        jaif_kg.errors.InputError: a file of the graph is missing or malformed.
    """
    store = open_store(settings.model_copy(update={"store": "oxigraph", "store_path": None}))
    try:
        load_files(store, shipped_paths(settings), base=settings.base_iri)
        return build_bundle(store, settings)
    finally:
        store.close()
