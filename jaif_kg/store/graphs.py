"""The dataset's graphs: their names, and what each was loaded from (its provenance).

One store holds one RDF dataset (https://www.w3.org/TR/sparql11-query/#rdfDataset):

* the shipped graph (ontology + ``graph_data/``) in the named graph :func:`shipped_graph`
  (``{base}graph/jaif``);
* every loaded file or imported source in a named graph of its own (``--graph IRI=FILE``, the
  graph names of a TriG/N-Quads file, ``{base}graph/<name>`` for imports);
* the metadata graph :func:`meta_graph` (``{base}graph/meta``): one VoID description per graph
  (:class:`GraphRecord`), written by :func:`record_graph` and read by :func:`graph_records`.

The default graph of a query that names no dataset is the union of the data graphs, the
metadata graph left out (:class:`DefaultDataset`, set by :func:`jaif_kg.store.open_store` from
``settings.union_default_graph``).

A record is RDF in the store itself, so it survives a restart of an on-disk store and is read
back from a remote one. Each graph is described as::

    <{base}graph/meta/wdi> a void:Dataset ;
        sd:name <{base}graph/wdi> ;
        dcterms:source <https://api.worldbank.org/...> ;
        spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                        spdx:checksumValue "9f86d0..." ] ;
        prov:generatedAtTime "2026-11-20T10:00:00+00:00"^^xsd:dateTime ;
        dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
        void:triples 1234 .

Vocabularies: VoID https://www.w3.org/TR/void/ , SPARQL 1.1 Service Description
https://www.w3.org/TR/sparql11-service-description/ , SPDX 2.3
https://spdx.org/rdf/terms/ , PROV-O https://www.w3.org/TR/prov-o/ .
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from jaif_kg.errors import InputError, StoreError
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.store.base import DefaultDataset, Store

#: Where, under the base IRI, the shipped graph lives.
SHIPPED_GRAPH_PATH = "graph/jaif"
#: Where, under the base IRI, the metadata graph lives.
META_GRAPH_PATH = "graph/meta"

VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
NTRIPLES = "application/n-triples"


def shipped_graph(base: str = DEFAULT_BASE) -> str:
    """The IRI of the named graph that holds the shipped graph.

    >>> shipped_graph()
    'https://w3id.org/jaif-kg/graph/jaif'
    """
    return base + SHIPPED_GRAPH_PATH


def meta_graph(base: str = DEFAULT_BASE) -> str:
    """The IRI of the metadata graph (not part of the union default graph).

    >>> meta_graph("http://example.org/kg/")
    'http://example.org/kg/graph/meta'
    """
    return base + META_GRAPH_PATH


def reserved_graphs(base: str = DEFAULT_BASE) -> frozenset[str]:
    """Graph names that no loaded file may use: the shipped graph and the metadata graph."""
    return frozenset({shipped_graph(base), meta_graph(base)})


def comparable_iri(iri: str) -> str:
    """``iri`` as compared with a reserved name: scheme and host in lower case (they are
    case-insensitive, RFC 3986 section 6.2.2.1), the fragment dropped (``…/graph/jaif#x`` is a
    part of ``…/graph/jaif`` to anyone who dereferences it).

    >>> comparable_iri("HTTPS://W3ID.org/jaif-kg/Graph/meta#x")
    'https://w3id.org/jaif-kg/Graph/meta'
    """
    parts = urlsplit(iri)
    userinfo, at, host = parts.netloc.rpartition("@")
    return urlunsplit(
        (parts.scheme.lower(), userinfo + at + host.lower(), parts.path, parts.query, "")
    )


def is_reserved_graph_name(iri: str, base: str = DEFAULT_BASE) -> bool:
    """Whether ``iri`` names the shipped graph, the metadata graph or one of its records
    (anything under ``{base}graph/meta/``), once compared as :func:`comparable_iri` says.

    >>> is_reserved_graph_name("HTTPS://w3id.org/jaif-kg/graph/meta")
    True
    >>> is_reserved_graph_name("https://w3id.org/jaif-kg/graph/meta/wdi")
    True
    >>> is_reserved_graph_name("https://w3id.org/jaif-kg/graph/jaif#x")
    True
    >>> is_reserved_graph_name("https://w3id.org/jaif-kg/graph/metadata")
    False
    """
    name = comparable_iri(iri)
    reserved = {comparable_iri(g) for g in reserved_graphs(base)}
    return name in reserved or name.startswith(comparable_iri(meta_graph(base)) + "/")


def check_graph_name(iri: str, base: str = DEFAULT_BASE, *, what: str = "graph") -> str:
    """``iri`` if it may name a loaded graph; :class:`InputError` otherwise.

    The shipped graph's and the metadata graph's names are reserved, and so is every name under
    ``{base}graph/meta/`` (where the records are), whatever the case of the scheme and host,
    and with or without a fragment (:func:`is_reserved_graph_name`).

    >>> check_graph_name("http://example.org/g")
    'http://example.org/g'
    >>> check_graph_name("https://w3id.org/jaif-kg/graph/meta")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: the graph name <https://w3id.org/jaif-kg/graph/meta> is reserved...

    Raises:
        InputError: not an absolute IRI, or a reserved name.
    """
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"the {what} name {iri!r} is not an absolute IRI ({exc})") from None
    if is_reserved_graph_name(iri, base):
        raise InputError(
            f"the {what} name <{iri}> is reserved (the shipped graph is <{shipped_graph(base)}>, "
            f"the metadata graph <{meta_graph(base)}> and its records <{meta_graph(base)}/...>, "
            "compared with the scheme and host in any case and without a fragment): "
            "load the file into another graph"
        )
    return iri


# -- the default graph of a query -------------------------------------------------------------


def default_dataset(*, union: bool, base: str = DEFAULT_BASE) -> DefaultDataset:
    """The default dataset of a deployment: the union of the data graphs, or the shipped graph.

    >>> default_dataset(union=False).graphs
    ('https://w3id.org/jaif-kg/graph/jaif',)
    """
    if union:
        return DefaultDataset.union_of([meta_graph(base)])
    return DefaultDataset.only([shipped_graph(base)])


# -- provenance records -----------------------------------------------------------------------


@dataclass(frozen=True)
class GraphRecord:
    """What one graph of the dataset was loaded from.

    Attributes:
        graph: the graph's IRI.
        source: where its data came from: a file (as a ``file:`` URL or a path) or a URL. A
            graph made of several files (the shipped graph) names their folder.
        sha256: SHA-256 of the source's bytes (64 hex digits). For several files, the
            fingerprint over their names and bytes (:func:`jaif_kg.store.fingerprint`).
        triples: how many triples the graph holds.
        loaded: when it was loaded (timezone-aware; default: now, in UTC).
        license: the licence IRI, when the source states one.
        title: a short name for people, when there is one.
    """

    graph: str
    source: str
    sha256: str
    triples: int
    loaded: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    license: str | None = None
    title: str | None = None


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits (what :class:`GraphRecord` records).

    >>> sha256_hex(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


def record_iri(graph: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of the VoID description of ``graph`` in the metadata graph.

    >>> record_iri("https://w3id.org/jaif-kg/graph/wdi")
    'https://w3id.org/jaif-kg/graph/meta/wdi'
    >>> record_iri("http://example.org/g")[:46]
    'https://w3id.org/jaif-kg/graph/meta/x-d81c7dc6'
    """
    prefix = base + "graph/"
    rest = graph[len(prefix) :] if graph.startswith(prefix) else ""
    if rest and all(c.isalnum() or c in "-._~" for c in rest):
        return f"{meta_graph(base)}/{rest}"
    return f"{meta_graph(base)}/x-{sha256_hex(graph.encode())[:16]}"


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _source_term(source: str) -> ox.NamedNode | ox.Literal:
    try:
        return ox.NamedNode(source) if ":" in source else ox.Literal(source)
    except ValueError:
        return ox.Literal(source)


def _record_triples(record: GraphRecord, base: str) -> list[ox.Triple]:
    subject = _nn(record_iri(record.graph, base))
    checksum = ox.BlankNode()
    loaded = record.loaded if record.loaded.tzinfo else record.loaded.replace(tzinfo=UTC)
    triples = [
        ox.Triple(subject, _nn(RDF_TYPE), _nn(VOID + "Dataset")),
        ox.Triple(subject, _nn(SD + "name"), _nn(record.graph)),
        ox.Triple(subject, _nn(DCTERMS + "source"), _source_term(record.source)),
        ox.Triple(subject, _nn(SPDX + "checksum"), checksum),
        ox.Triple(checksum, _nn(RDF_TYPE), _nn(SPDX + "Checksum")),
        ox.Triple(checksum, _nn(SPDX + "algorithm"), _nn(SPDX + "checksumAlgorithm_sha256")),
        ox.Triple(checksum, _nn(SPDX + "checksumValue"), ox.Literal(record.sha256)),
        ox.Triple(
            subject,
            _nn(PROV + "generatedAtTime"),
            ox.Literal(loaded.isoformat(), datatype=_nn(XSD + "dateTime")),
        ),
        ox.Triple(
            subject,
            _nn(VOID + "triples"),
            ox.Literal(str(record.triples), datatype=_nn(XSD + "integer")),
        ),
    ]
    if record.license:
        triples.append(ox.Triple(subject, _nn(DCTERMS + "license"), _source_term(record.license)))
    if record.title:
        triples.append(ox.Triple(subject, _nn(DCTERMS + "title"), ox.Literal(record.title)))
    return triples


def _read_records(triples: Sequence[ox.Triple]) -> list[GraphRecord]:
    by_subject: dict[str, dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for t in triples:
        key = t.subject.value if isinstance(t.subject, ox.NamedNode | ox.BlankNode) else ""
        by_subject.setdefault(key, {})[t.predicate.value] = t.object  # type: ignore[assignment]
    records = []
    for props in by_subject.values():
        name, source = props.get(SD + "name"), props.get(DCTERMS + "source")
        if not isinstance(name, ox.NamedNode) or source is None:
            continue
        checksum = props.get(SPDX + "checksum")
        sha = ""
        if isinstance(checksum, ox.BlankNode | ox.NamedNode):
            value = by_subject.get(checksum.value, {}).get(SPDX + "checksumValue")
            sha = value.value if value is not None else ""
        loaded = props.get(PROV + "generatedAtTime")
        count = props.get(VOID + "triples")
        licence, title = props.get(DCTERMS + "license"), props.get(DCTERMS + "title")
        try:
            when = datetime.fromisoformat(loaded.value) if loaded is not None else None
            triples_n = int(count.value) if count is not None else 0
        except ValueError:
            continue  # a description someone else wrote by hand: not one of ours
        records.append(
            GraphRecord(
                graph=name.value,
                source=source.value,
                sha256=sha,
                triples=triples_n,
                loaded=when or datetime.fromtimestamp(0, UTC),
                license=None if licence is None else licence.value,
                title=None if title is None else title.value,
            )
        )
    return sorted(records, key=lambda r: r.graph)


def _meta_triples(store: Store, base: str) -> list[ox.Triple]:
    data = store.dump(NTRIPLES, meta_graph(base))
    return [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]


def graph_records(store: Store, *, base: str = DEFAULT_BASE) -> list[GraphRecord]:
    """Every graph's record in the metadata graph of ``store``, sorted by graph IRI.

    Raises:
        StoreError: the store (a server) cannot be read.
    """
    return _read_records(_meta_triples(store, base))


def recorded_triples(store: Store, base: str = DEFAULT_BASE) -> int | None:
    """The triples of an on-disk Oxigraph store's data graphs, from their records: the sum of
    the recorded counts when every named graph but the metadata graph has a record and the
    store's own default graph is empty; ``None`` otherwise (count them).

    jaif-kg records a graph each time it writes one (``serve``, ``load``, ``import``), so a
    restart does not count 10^7 triples (about 2 s) to print how many it serves.
    """
    raw = store.raw
    if raw is None or store.path is None:
        return None
    if next(iter(raw.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return None
    meta = meta_graph(base)
    records = {r.graph: r.triples for r in graph_records(store, base=base)}
    named = [g for g in store.named_graphs() if g != meta]
    if any(g not in records for g in named):
        return None
    return sum(records[g] for g in named)


def _rewrite(
    store: Store, base: str, change: Callable[[list[GraphRecord]], list[GraphRecord]]
) -> None:
    records = change(graph_records(store, base=base))
    triples = [t for r in records for t in _record_triples(r, base)]
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    # one replacement of the (small) metadata graph: all or nothing, on every backend
    try:
        store.replace_graph(body, NTRIPLES, meta_graph(base))
    except InputError as exc:  # our own N-Triples: only a bad IRI in a record gets here
        raise StoreError(f"cannot record the graph: {exc}") from exc


def record_graph(store: Store, record: GraphRecord, *, base: str = DEFAULT_BASE) -> None:
    """Record (or replace) ``record`` in the metadata graph of ``store``.

    Call it after putting ``record.graph`` in the store; the metadata graph is rewritten in one
    step (a few triples per graph).

    Raises:
        InputError: ``record.graph`` or ``record.source`` is not usable as an IRI.
        StoreError: the store (a server) failed.
    """
    try:
        ox.NamedNode(record.graph)
    except ValueError as exc:
        raise InputError(f"not a graph IRI: {record.graph!r} ({exc})") from None
    _rewrite(store, base, lambda old: [r for r in old if r.graph != record.graph] + [record])


def forget_graph(store: Store, graph: str, *, base: str = DEFAULT_BASE) -> None:
    """Remove the record of ``graph`` (after the graph itself was removed)."""
    _rewrite(store, base, lambda old: [r for r in old if r.graph != graph])
