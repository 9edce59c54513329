"""Resource descriptions: what the server says about one IRI, in RDF and for pages.

A description of an IRI (`Linked Data`_ style, close to a symmetric Concise Bounded Description) is:

* every triple whose subject is the IRI or one of its *hash sub-resources* (``{iri}#part``, found by
  following links to and from the IRI and its sub-resources), plus the blank-node closure of those
  triples (the triples of the blank nodes they reach through blank nodes only);
* the *incoming* triples ``?s ?p <iri or sub-resource>`` from other resources (``rdf:type`` links
  and blank-node subjects are left out), so a country's description lists the projects that
  benefit it.

Triples are read from the store's default graph and from every named graph but the metadata graph
``{base}graph/meta`` (whatever the store's default graph is), and a description records which
named graphs hold each triple (:attr:`Description.graphs`) and each graph's ``dcterms:source`` from
the metadata graph (:attr:`Description.graph_sources`), so pages can say where an imported fact
comes from.

Every query goes through :class:`jaif_kg.store.Store`, so descriptions work on every backend.

.. _Linked Data: https://www.w3.org/DesignIssues/LinkedData.html
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from jaif_kg.publish.vocab import VOCABULARIES
from jaif_kg.rdf.graph import new_graph as _new_graph
from jaif_kg.rdf.namespaces import DEFAULT_BASE, SCHEMA, TIME, project_prefixes
from jaif_kg.sparql.escape import is_valid_iri, sparql_iri, sparql_string
from jaif_kg.store import Store
from jaif_kg.store.base import Term

Triple = tuple[Term, Term, Term]

#: The RDF formats a description (and the ontology, the shapes, the VoID) is offered in, best
#: first, with their names for people.
DESCRIPTION_FORMATS: dict[str, str] = {
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "ntriples": "N-Triples",
    "rdfxml": "RDF/XML",
}

#: Most incoming links a description carries (a source document may be cited by many facts).
MAX_INCOMING = 5000

#: Label properties, best first.
LABEL_PROPERTIES: tuple[str, ...] = tuple(
    str(p) for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, FOAF.name)
)

#: OWL-Time properties that give an instant its position (https://www.w3.org/TR/owl-time/).
INSTANT_VALUE_PROPERTIES: tuple[str, ...] = tuple(
    str(TIME[name])
    for name in (
        "inXSDDate",
        "inXSDDateTimeStamp",
        "inXSDDateTime",
        "inXSDgYearMonth",
        "inXSDgYear",
    )
)
_CHUNK = 400
_TYPE = sparql_iri(str(RDF.type))
#: The graph of per-graph metadata (VoID: source, checksum, licence, load time), under the base;
#: it is not part of the data.
META_GRAPH = "graph/meta"
#: The named graph of the shipped data, under the base.
SHIPPED_GRAPH = "graph/jaif"


def meta_graph(base: str = DEFAULT_BASE) -> str:
    """The IRI of the metadata graph.

    >>> meta_graph("http://example.org/kg/")
    'http://example.org/kg/graph/meta'
    """
    return base + META_GRAPH


def in_data_graphs(pattern: str, base: str = DEFAULT_BASE) -> str:
    """A group matching ``pattern`` in the default graph or in any named graph but the metadata
    graph (so that a description sees imported graphs whether or not the store's default graph
    is their union).

    >>> print(in_data_graphs("?s ?p ?o", "http://e/").replace(" UNION ", "\\nUNION "))
    { { ?s ?p ?o }
    UNION { GRAPH ?dataGraph { ?s ?p ?o } FILTER(?dataGraph != <http://e/graph/meta>) } }
    """
    meta = sparql_iri(meta_graph(base))
    return (
        f"{{ {{ {pattern} }} UNION {{ GRAPH ?dataGraph {{ {pattern} }} "
        f"FILTER(?dataGraph != {meta}) }} }}"
    )


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The prefixes RDF output uses: the project's (under ``base``), then other well-known
    vocabularies'.

    >>> prefixes()["vann"]
    'http://purl.org/vocab/vann/'
    >>> prefixes("http://example.org/kg/")["id"]
    'http://example.org/kg/id/'
    """
    known = project_prefixes(base)
    for namespace, (prefix, _, _) in VOCABULARIES.items():
        if prefix not in known and namespace not in known.values():
            known[prefix] = namespace
    return known


def new_graph(base: str = DEFAULT_BASE) -> Graph:
    """An empty rdflib graph with the :func:`prefixes` (under ``base``) bound."""
    return _new_graph(prefixes(base), base=base)


def _values(iris: Iterable[str]) -> str:
    return " ".join(sparql_iri(i) for i in iris)


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Description:
    """What the dataset says about one IRI.

    Attributes:
        iri: the described IRI.
        resources: the IRI and its hash sub-resources (the IRI first, then sorted).
        triples: triples about ``resources`` with their blank-node closure, sorted.
        incoming: triples from other resources to ``resources``, sorted.
        truncated: whether ``incoming`` was cut at :data:`MAX_INCOMING`.
        graphs: the named graphs (but the metadata graph) that hold each triple with a named
            subject of ``triples`` or ``incoming``, sorted; a triple only in the store's default
            graph is absent.
        graph_sources: each graph of ``graphs`` that has one -> its ``dcterms:source`` in the
            metadata graph.
    """

    iri: str
    resources: tuple[str, ...]
    triples: tuple[Triple, ...]
    incoming: tuple[Triple, ...] = ()
    truncated: bool = False
    graphs: Mapping[Triple, tuple[str, ...]] = field(default_factory=dict)
    graph_sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        """Whether the dataset mentions the IRI at all."""
        return bool(self.triples or self.incoming)

    def graph(self, *, with_incoming: bool = True, base: str = DEFAULT_BASE) -> Graph:
        """The description as an rdflib graph, with the project's prefixes (under ``base``)
        bound."""
        graph = new_graph(base)
        for triple in self.triples:
            graph.add(triple)
        if with_incoming:
            for triple in self.incoming:
                graph.add(triple)
        return graph

    def sections(self, base: str = DEFAULT_BASE) -> list[tuple[str, Graph]]:
        """The description in three parts: the resource, its parts, the links to it (the
        project's prefixes under ``base`` bound)."""
        main, parts, links = new_graph(base), new_graph(base), new_graph(base)
        # Blank nodes stay in the section of the resource that uses them, so that Turtle can
        # nest them.
        home: dict[Term, Graph] = {}
        for triple in self.triples:
            if not isinstance(triple[0], BNode):
                home[triple[0]] = main if str(triple[0]) == self.iri else parts
        changed = True
        while changed:
            changed = False
            for s, _, o in self.triples:
                if isinstance(o, BNode) and o not in home and s in home:
                    home[o] = home[s]
                    changed = True
        for triple in self.triples:
            home.get(triple[0], parts).add(triple)
        for triple in self.incoming:
            links.add(triple)
        return [
            (f"<{self.iri}>", main),
            ("Its parts (hash IRIs) and the nodes they use", parts),
            ("Links to it from other resources", links),
        ]


def hash_resources(store: Store, iri: str, base: str = DEFAULT_BASE) -> list[str]:
    """The IRI and its hash sub-resources linked to or from it (directly or through each other).

    Only index lookups are used (no scan of the store), so the cost does not grow with the store.
    """
    prefix = sparql_string(iri + "#")
    sparql_iri(iri)
    found = {iri}
    frontier = [iri]
    while frontier:
        query = (
            "SELECT DISTINCT ?x WHERE { VALUES ?r { "
            + _values(frontier)
            + " } "
            + in_data_graphs("{ ?r ?p ?x } UNION { ?x ?p ?r }", base)
            + f" FILTER(isIRI(?x) && STRSTARTS(STR(?x), {prefix})) }}"
        )
        new = {str(row["x"]) for row in store.query(query).rows} - found
        found |= new
        frontier = sorted(new)
    return [iri, *sorted(found - {iri})]


def fragment_resources(store: Store, iri: str) -> list[str]:
    """The IRI and every subject IRI that starts with ``{iri}#`` (a scan; for the ontology)."""
    sparql_iri(iri)
    prefix = sparql_string(iri + "#")
    query = (
        f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}"
    )
    found = {str(row["s"]) for row in store.query(query).rows}
    return [iri, *sorted(found - {iri})]


def _sort_key(triple: Triple) -> tuple[str, ...]:
    return tuple(f"{type(t).__name__}:{t}" for t in triple)


def _outgoing(store: Store, resources: Sequence[str], base: str) -> list[Triple]:
    """Triples about ``resources`` and their blank-node closure (through blank nodes only)."""
    triples: list[Triple] = []
    for chunk in _chunks(list(resources)):
        values = _values(chunk)
        # One CONSTRUCT keeps blank-node labels consistent between the two branches, even on a
        # remote store. The path may pass through IRIs; the closure is cut to blank nodes below.
        body = (
            "{ VALUES ?s { " + values + " } ?s ?p ?o } UNION "
            "{ VALUES ?r { " + values + " } ?r ?q ?b . FILTER(isBlank(?b)) "
            "?b (<urn:jaif-kg:any>|!<urn:jaif-kg:any>)* ?s . FILTER(isBlank(?s)) ?s ?p ?o }"
        )
        query = "CONSTRUCT { ?s ?p ?o } WHERE " + in_data_graphs(body, base)
        triples.extend(store.query(query).triples)
    named = [t for t in triples if not isinstance(t[0], BNode)]
    by_blank: dict[Term, list[Triple]] = {}
    for t in triples:
        if isinstance(t[0], BNode):
            by_blank.setdefault(t[0], []).append(t)
    keep: list[Triple] = list(named)
    seen: set[Term] = set()
    todo = [t[2] for t in named if isinstance(t[2], BNode)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in by_blank.get(node, []):
            keep.append(t)
            if isinstance(t[2], BNode):
                todo.append(t[2])
    return sorted(set(keep), key=_sort_key)


def _incoming(
    store: Store, resources: Sequence[str], limit: int, base: str
) -> tuple[list[Triple], bool]:
    inside = set(resources)
    found: list[Triple] = []
    for chunk in _chunks(list(resources)):
        query = (
            "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?o { "
            + _values(chunk)
            + " } "
            + in_data_graphs("?s ?p ?o", base)
            + f" FILTER(?p != {_TYPE} && isIRI(?s)) }} LIMIT {limit + 1 - len(found)}"
        )
        for row in store.query(query).rows:
            if str(row["s"]) not in inside:
                found.append((row["s"], row["p"], row["o"]))
        if len(found) > limit:
            break
    truncated = len(found) > limit
    return sorted(set(found[:limit]), key=_sort_key), truncated


def describe(
    store: Store,
    iri: str,
    *,
    incoming: bool = True,
    scan_fragments: bool = False,
    max_incoming: int = MAX_INCOMING,
    base: str = DEFAULT_BASE,
) -> Description:
    """Describe ``iri`` (see the module docstring for what a description holds).

    Args:
        store: the store to read.
        iri: the IRI to describe.
        incoming: also collect links from other resources.
        scan_fragments: find hash sub-resources by scanning every subject (for the ontology,
            whose terms need not be linked to the ontology IRI) instead of following links.
        max_incoming: most incoming links to collect.
        base: the dataset's base IRI (names the metadata graph).

    Raises:
        jaif_kg.sparql.escape.TermError: ``iri`` is not a valid IRI (an ``InputError``).
    """
    resources = (
        fragment_resources(store, iri) if scan_fragments else hash_resources(store, iri, base)
    )
    triples = _outgoing(store, resources, base)
    links: list[Triple] = []
    truncated = False
    if incoming:
        links, truncated = _incoming(store, resources, max_incoming, base)
    graphs = graphs_of(store, [*triples, *links], base)
    sources = graph_sources(store, {g for gs in graphs.values() for g in gs}, base)
    return Description(
        iri, tuple(resources), tuple(triples), tuple(links), truncated, graphs, sources
    )


def graphs_of(
    store: Store, triples: Sequence[Triple], base: str = DEFAULT_BASE
) -> dict[Triple, tuple[str, ...]]:
    """The named graphs (but the metadata graph) holding each triple with a named subject."""
    by_subject: dict[str, set[Triple]] = {}
    for triple in triples:
        if not isinstance(triple[0], BNode):
            by_subject.setdefault(str(triple[0]), set()).add(triple)
    meta = sparql_iri(meta_graph(base))
    found: dict[Triple, set[str]] = {}
    for chunk in _chunks(sorted(by_subject)):
        query = (
            "SELECT ?g ?s ?p ?o WHERE { VALUES ?s { " + _values(chunk) + " } "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {meta}) }}"
        )
        for row in store.query(query).rows:
            triple = (row["s"], row["p"], row["o"])
            if triple in by_subject.get(str(row["s"]), ()):
                found.setdefault(triple, set()).add(str(row["g"]))
    return {t: tuple(sorted(gs)) for t, gs in found.items()}


def graph_sources(store: Store, graphs: Iterable[str], base: str = DEFAULT_BASE) -> dict[str, str]:
    """Each graph's ``dcterms:source`` recorded in the metadata graph (where there is one): the
    record that names the graph (``sd:name``, as :func:`jaif_kg.store.graphs.record_graph`
    writes it) gives it."""
    wanted = sorted(g for g in graphs if is_valid_iri(g))
    if not wanted:
        return {}
    name = sparql_iri("http://www.w3.org/ns/sparql-service-description#name")
    query = (
        "SELECT ?g ?src WHERE { VALUES ?g { " + _values(wanted) + " } "
        f"GRAPH {sparql_iri(meta_graph(base))} "
        f"{{ ?record {name} ?g ; {sparql_iri(str(DCTERMS.source))} ?src }} }}"
    )
    found: dict[str, str] = {}
    for row in store.query(query).rows:
        found.setdefault(str(row["g"]), str(row["src"]))
    return found


def _lang_rank(literal: Literal) -> int:
    lang = (literal.language or "").lower()
    if lang == "en":
        return 0
    if lang.startswith("en-"):
        return 1
    if not lang:
        return 2
    return 3


def labels(store: Store, iris: Iterable[str], base: str = DEFAULT_BASE) -> dict[str, str]:
    """The best label of each IRI that has one (``skos:prefLabel``, ``rdfs:label``, ...; English
    first)."""
    wanted = sorted({i for i in iris if is_valid_iri(i)})
    best: dict[str, tuple[int, int, str]] = {}
    props = _values(LABEL_PROPERTIES)
    for chunk in _chunks(wanted):
        query = (
            "SELECT ?x ?p ?l WHERE { VALUES ?x { " + _values(chunk) + " } "
            "VALUES ?p { " + props + " } " + in_data_graphs("?x ?p ?l", base) + " "
            "FILTER(isLiteral(?l)) }"
        )
        for row in store.query(query).rows:
            label = row["l"]
            if not isinstance(label, Literal):
                continue
            rank = (LABEL_PROPERTIES.index(str(row["p"])), _lang_rank(label), str(label))
            key = str(row["x"])
            if key not in best or rank < best[key]:
                best[key] = rank
    return {key: rank[2] for key, rank in best.items()}


def types(store: Store, iris: Iterable[str], base: str = DEFAULT_BASE) -> dict[str, list[str]]:
    """The ``rdf:type`` IRIs of each IRI, sorted."""
    wanted = sorted({i for i in iris if is_valid_iri(i)})
    found: dict[str, set[str]] = {}
    for chunk in _chunks(wanted):
        query = (
            "SELECT ?x ?t WHERE { VALUES ?x { "
            + _values(chunk)
            + " } "
            + in_data_graphs(f"?x {_TYPE} ?t", base)
            + " FILTER(isIRI(?t)) }"
        )
        for row in store.query(query).rows:
            found.setdefault(str(row["x"]), set()).add(str(row["t"]))
    return {key: sorted(value) for key, value in found.items()}


def periods(store: Store, iris: Iterable[str]) -> dict[str, tuple[Literal | None, Literal | None]]:
    """The beginning and end (OWL-Time) of a period each IRI links to, where it has one.

    A resource "has a period" when one of its values is a ``time:Interval``-like node with
    ``time:hasBeginning``/``time:hasEnd`` instants placed by ``time:inXSDDate`` (or another
    ``time:inXSD...`` property). Used to summarise linked resources ("from 30 April 1999").
    """
    wanted = sorted({i for i in iris if is_valid_iri(i)})
    values = _values(INSTANT_VALUE_PROPERTIES)
    begins, ends = sparql_iri(str(TIME.hasBeginning)), sparql_iri(str(TIME.hasEnd))
    found: dict[str, tuple[Literal | None, Literal | None]] = {}
    for chunk in _chunks(wanted):
        query = (
            "SELECT ?r ?b ?e WHERE { VALUES ?r { " + _values(chunk) + " } ?r ?via ?i . "
            f"{{ ?i {begins} ?bi . ?bi ?bp ?b . VALUES ?bp {{ {values} }} }} "
            f"UNION {{ ?i {ends} ?ei . ?ei ?ep ?e . VALUES ?ep {{ {values} }} }} }}"
        )
        for row in store.query(query).rows:
            key = str(row["r"])
            begin, end = found.get(key, (None, None))
            b, e = row.get("b"), row.get("e")
            if isinstance(b, Literal) and (begin is None or str(b) < str(begin)):
                begin = b
            if isinstance(e, Literal) and (end is None or str(e) > str(end)):
                end = e
            found[key] = (begin, end)
    return found
