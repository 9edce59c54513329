"""The store contract: every backend loads, answers and fails the same way.

Each test runs on every backend of ``conftest.BACKENDS``: embedded Oxigraph in memory and on
disk, rdflib, and a live ``oxigraph serve`` and a live Virtuoso Open-Source 7 reached over HTTP
(writes by SPARQL Update, and by the Graph Store Protocol). Expected answers are written out,
so a backend that agrees with the others but is wrong still fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from jaif_kg.errors import InputError, QueryRefused, QuerySyntaxError, StoreError
from jaif_kg.rdf.terms import to_rdflib
from jaif_kg.store import Store
from jaif_kg.store.remote import RemoteStore
from tests.store.conftest import DATA
from tests.store.http_probe import Probe

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
PREFIX = "PREFIX ex: <http://example.org/>\n"
TURTLE = "text/turtle"


def ex(name: str) -> URIRef:
    return URIRef(EX + name)


def xsd(name: str) -> URIRef:
    return URIRef("http://www.w3.org/2001/XMLSchema#" + name)


def load_sample(store: Store) -> None:
    store.load((DATA / "sample.ttl").read_bytes(), TURTLE)
    store.load((DATA / "graphs.trig").read_bytes(), "application/trig")


def canonical(store: object) -> list[str]:
    """The quads of an Oxigraph store with blank nodes renamed canonically, sorted."""
    dataset = ox.Dataset(store.raw)  # type: ignore[attr-defined]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(map(str, dataset))


def plain(rows: list[dict[str, object]]) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in rows]


# -- loading and counting ----------------------------------------------------------------------


def test_load_counts_triples_per_graph(store: Store) -> None:
    load_sample(store)
    assert store.named_graphs() == [G1, G2]
    assert store.count(G1) == 3
    assert store.count(G2) == 4
    assert store.count(EX + "nowhere") == 0
    default = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    assert int(default) == 22
    assert store.count() == 22 + 3 + 4


def test_loading_twice_adds_nothing_new(store: Store) -> None:
    data = (DATA / "replacement.ttl").read_bytes()
    store.load(data, TURTLE, G1)
    store.load(data, TURTLE, G1)
    assert store.count(G1) == 3


# -- answers -----------------------------------------------------------------------------------


def test_select_returns_typed_literals(store: Store) -> None:
    load_sample(store)
    result = store.query(
        PREFIX + "SELECT ?code ?joined ?population ?share ?clmv WHERE { ?c ex:code ?code ; "
        "ex:joined ?joined ; ex:clmv ?clmv . OPTIONAL { ?c ex:population ?population } "
        "OPTIONAL { ?c ex:share ?share } } ORDER BY ?code"
    )
    assert result.kind == "solutions"
    assert result.variables == ["code", "joined", "population", "share", "clmv"]
    assert result.rows == [
        {
            "code": Literal("KHM"),
            "joined": Literal("1999-04-30", datatype=xsd("date")),
            "population": Literal("16000000", datatype=xsd("integer")),
            "share": Literal("1.5", datatype=xsd("decimal")),
            "clmv": Literal("true", datatype=xsd("boolean")),
        },
        {
            "code": Literal("LAO"),
            "joined": Literal("1997-07-23", datatype=xsd("date")),
            "clmv": Literal("true", datatype=xsd("boolean")),
        },
        {
            "code": Literal("SGP"),
            "joined": Literal("1967-08-08", datatype=xsd("date")),
            "clmv": Literal("false", datatype=xsd("boolean")),
        },
    ]
    for row in result.rows:
        assert row["joined"].datatype == xsd("date")  # type: ignore[attr-defined]


def test_language_tags_and_unicode(store: Store) -> None:
    load_sample(store)
    default = store.query(PREFIX + "SELECT ?name WHERE { ex:KHM ex:name ?name }")
    assert {row["name"] for row in default.rows} == {
        Literal("Cambodia", lang="en"),
        Literal("Cambodge", lang="fr"),
    }
    khmer = store.query(
        PREFIX
        + 'SELECT ?name WHERE { GRAPH ?g { ex:KHM ex:name ?name FILTER(lang(?name) = "km") } }'
    )
    assert khmer.rows == [{"name": Literal("កម្ពុជា", lang="km")}]


def test_strings_keep_newlines_quotes_and_backslashes(store: Store) -> None:
    load_sample(store)
    result = store.query(PREFIX + "SELECT ?note WHERE { ex:KHM ex:note ?note }")
    assert result.rows == [
        {"note": Literal('two\nlines with "quotes" and a backslash \\ and tab\t')}
    ]


def test_blank_nodes(store: Store) -> None:
    load_sample(store)
    result = store.query(
        PREFIX + "SELECT ?site ?label WHERE { ex:KHM ex:site ?site . ?site ex:label ?label }"
    )
    assert len(result.rows) == 1
    assert isinstance(result.rows[0]["site"], BNode)
    assert result.rows[0]["label"] == Literal("Phnom Penh")


def test_ask(store: Store) -> None:
    load_sample(store)
    assert store.query(PREFIX + "ASK { ex:LAO ex:clmv true }").boolean is True
    assert store.query(PREFIX + "ASK { ex:SGP ex:clmv true }").boolean is False
    assert store.query(PREFIX + "ASK { ex:VNM ?p ?o }").boolean is False  # only in a named graph
    assert store.query(PREFIX + "ASK { GRAPH ex:g1 { ex:VNM ?p ?o } }").boolean is True


def test_construct(store: Store) -> None:
    load_sample(store)
    result = store.query(
        PREFIX + "CONSTRUCT { ?c ex:label ?n } WHERE { ?c ex:name ?n FILTER(lang(?n) = 'en') }"
    )
    assert result.kind == "graph"
    assert set(result.triples) == {
        (ex("KHM"), ex("label"), Literal("Cambodia", lang="en")),
        (ex("LAO"), ex("label"), Literal("Lao PDR", lang="en")),
        (ex("SGP"), ex("label"), Literal("Singapore", lang="en")),
    }


def test_graph_patterns_see_named_graphs(store: Store) -> None:
    load_sample(store)
    result = store.query(
        PREFIX + "SELECT ?g ?c WHERE { GRAPH ?g { ?c a ex:Country } } ORDER BY ?g ?c"
    )
    assert plain(result.rows) == [{"g": G1, "c": EX + "VNM"}, {"g": G2, "c": EX + "MMR"}]


WHERE_ARE_COUNTRIES = PREFIX + (
    "SELECT ?where ?c WHERE { { ?c a ex:Country BIND('default' AS ?where) } UNION "
    "{ GRAPH ?g { ?c a ex:Country } BIND(STR(?g) AS ?where) } }"
)
IN_DEFAULT = {("default", EX + "KHM"), ("default", EX + "LAO"), ("default", EX + "SGP")}
IN_G1 = {(G1, EX + "VNM")}
IN_G2 = {(G2, EX + "MMR")}


def found(store: Store, query: str, **dataset: list[str] | None) -> set[tuple[str, str]]:
    rows = store.query(query, **dataset).rows  # type: ignore[arg-type]
    return {(str(r["where"]), str(r["c"])) for r in rows}


@pytest.mark.parametrize(
    ("default_graphs", "named_graphs", "expected"),
    [
        (None, None, IN_DEFAULT | IN_G1 | IN_G2),
        ([G1], None, {("default", EX + "VNM")} | IN_G1 | IN_G2),
        ([G1, G2], [], {("default", EX + "VNM"), ("default", EX + "MMR")}),
        ([], [G2], IN_G2),
        ([G1], [G2], {("default", EX + "VNM")} | IN_G2),
        ([EX + "unknown"], [EX + "unknown"], set()),
    ],
    ids=["whole-store", "default-only", "merge-no-named", "named-only", "both", "unknown"],
)
def test_dataset_selection(
    store: Store,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    expected: set[tuple[str, str]],
) -> None:
    load_sample(store)
    got = found(
        store, WHERE_ARE_COUNTRIES, default_graphs=default_graphs, named_graphs=named_graphs
    )
    assert got == expected


def test_named_graph_selection_keeping_the_store_default_graph(store: Store) -> None:
    """Locally the store's default graph stays; a server's cannot be named in the protocol,
    except on Virtuoso, where jaif-kg keeps it in a named graph of its own."""
    load_sample(store)
    if isinstance(store, RemoteStore) and not store.dialect.union_default_graph:
        with pytest.raises(StoreError, match="default graph"):
            store.query(WHERE_ARE_COUNTRIES, named_graphs=[G1])
    else:
        assert found(store, WHERE_ARE_COUNTRIES, named_graphs=[G1]) == IN_DEFAULT | IN_G1


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (f"FROM <{G1}>", {("default", EX + "VNM")}),
        (f"FROM NAMED <{G2}>", IN_G2),
        (
            f"FROM <{G1}> FROM <{G2}> FROM NAMED <{G1}>",
            {("default", EX + "VNM"), ("default", EX + "MMR")} | IN_G1,
        ),
    ],
    ids=["from", "from-named", "both"],
)
def test_from_clauses_select_graphs_of_the_store(
    store: Store, clause: str, expected: set[tuple[str, str]]
) -> None:
    load_sample(store)
    query = WHERE_ARE_COUNTRIES.replace(" WHERE {", f" {clause} WHERE {{", 1)
    assert found(store, query) == expected


# -- serialised answers ------------------------------------------------------------------------

SELECT_NAMES = PREFIX + "SELECT ?c ?name WHERE { ?c ex:name ?name } ORDER BY ?c ?name"
CONSTRUCT_NAMES = PREFIX + "CONSTRUCT { ?c ex:name ?name } WHERE { ?c ex:name ?name }"


@pytest.mark.parametrize(
    ("media_type", "oxigraph_format"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_results_serialised_in_each_format(
    store: Store, media_type: str, oxigraph_format: ox.QueryResultsFormat
) -> None:
    load_sample(store)
    data, written = store.query_serialized(SELECT_NAMES, media_type)
    assert written == media_type
    parsed = ox.parse_query_results(data, format=oxigraph_format)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == ["c", "name"]
    rows = {(to_rdflib(s["c"]), to_rdflib(s["name"])) for s in parsed}  # type: ignore[arg-type]
    assert rows == {
        (ex("KHM"), Literal("Cambodia", lang="en")),
        (ex("KHM"), Literal("Cambodge", lang="fr")),
        (ex("LAO"), Literal("Lao PDR", lang="en")),
        (ex("SGP"), Literal("Singapore", lang="en")),
    }


def test_csv_results(store: Store) -> None:
    load_sample(store)
    data, written = store.query_serialized(SELECT_NAMES, "text/csv")
    assert written == "text/csv"
    lines = data.decode().splitlines()
    assert lines[0] == "c,name"
    assert sorted(lines[1:]) == [
        "http://example.org/KHM,Cambodge",
        "http://example.org/KHM,Cambodia",
        "http://example.org/LAO,Lao PDR",
        "http://example.org/SGP,Singapore",
    ]


def test_ask_serialised(store: Store) -> None:
    load_sample(store)
    data, written = store.query_serialized(
        PREFIX + "ASK { ex:LAO ?p ?o }", "application/sparql-results+json"
    )
    assert written == "application/sparql-results+json"
    assert json.loads(data)["boolean"] is True


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-quads",
        "application/trig",
    ],
)
def test_graphs_serialised_in_each_format(store: Store, media_type: str) -> None:
    load_sample(store)
    data, written = store.query_serialized(CONSTRUCT_NAMES, media_type)
    assert written == media_type
    fmt = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "application/n-quads": ox.RdfFormat.N_QUADS,
        "application/trig": ox.RdfFormat.TRIG,
    }[media_type]
    triples = {
        (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
        for t in ox.parse(data, fmt)
    }
    assert triples == set(store.query(CONSTRUCT_NAMES).triples)
    assert len(triples) == 4


def test_a_results_format_for_a_graph_is_refused(store: Store) -> None:
    load_sample(store)
    with pytest.raises(InputError):
        store.query_serialized(CONSTRUCT_NAMES, "text/csv")


# -- errors ------------------------------------------------------------------------------------


def test_malformed_turtle_names_its_line_and_adds_nothing(store: Store) -> None:
    load_sample(store)
    before = store.count()
    with pytest.raises(InputError) as caught:
        store.load((DATA / "malformed.ttl").read_bytes(), TURTLE)
    assert caught.value.line == 5
    assert store.count() == before


@pytest.mark.parametrize(
    "query",
    [
        "SELEC * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o ",
        "SELECT * WHERE { ?s undeclared:p ?o }",
        "INSERT DATA { <http://example.org/x> <http://example.org/p> 1 }",
        "DELETE WHERE { ?s ?p ?o }",
    ],
    ids=["keyword", "unclosed", "prefix", "insert", "delete"],
)
def test_bad_queries_are_syntax_errors_and_change_nothing(store: Store, query: str) -> None:
    load_sample(store)
    before = store.count()
    with pytest.raises(QuerySyntaxError) as caught:
        store.query(query)
    assert str(caught.value)
    with pytest.raises(QuerySyntaxError):
        store.query_serialized(query, "application/sparql-results+json")
    assert store.count() == before


def test_unknown_format_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="unknown RDF format"):
        store.load(b"", "text/x-unknown")


def test_service_is_refused_and_nothing_is_fetched(store: Store) -> None:
    with Probe() as probe:
        for query in (
            f"SELECT * WHERE {{ SERVICE <{probe.url}/sparql> {{ ?s ?p ?o }} }}",
            f"ASK {{ SERVICE SILENT <{probe.url}/sparql> {{ ?s ?p ?o }} }}",
        ):
            with pytest.raises(QueryRefused):
                store.query(query)
            with pytest.raises(QueryRefused):
                store.query_serialized(query, "application/sparql-results+json")
        assert probe.seen == []


def test_from_never_dereferences(store: Store) -> None:
    load_sample(store)
    with Probe() as probe:
        for clause in (f"FROM <{probe.url}/data.ttl>", f"FROM NAMED <{probe.url}/data.ttl>"):
            result = store.query(f"SELECT * {clause} WHERE {{ ?s ?p ?o }}")
            assert result.rows == []
        result = store.query(
            "SELECT * WHERE { ?s ?p ?o }", default_graphs=[probe.url + "/x"], named_graphs=[]
        )
        assert result.rows == []
        assert probe.seen == []


# -- dumps, replacement, clearing --------------------------------------------------------------


def test_dump_round_trips(store: Store, tmp_path: Path) -> None:
    load_sample(store)
    from jaif_kg.store.oxigraph import OxigraphStore

    copy = OxigraphStore()
    copy.load(store.dump("application/n-quads"), "application/n-quads")
    assert copy.named_graphs() == [G1, G2]
    assert copy.count() == store.count()
    assert copy.count(G2) == 4
    again = OxigraphStore()
    again.load(store.dump("application/trig"), "application/trig")
    assert canonical(again) == canonical(copy)
    g2 = OxigraphStore()
    g2.load(store.dump(TURTLE, G2), TURTLE)
    assert g2.named_graphs() == [] and g2.count() == 4
    default = OxigraphStore()
    default.load(store.dump("application/n-triples"), "application/n-triples")
    assert default.count() == 22
    assert default.query(PREFIX + "ASK { ex:KHM ex:site [ ex:label 'Phnom Penh' ] }").boolean


def test_replace_graph_swaps_the_contents(store: Store) -> None:
    load_sample(store)
    store.replace_graph((DATA / "replacement.ttl").read_bytes(), TURTLE, G1)
    assert store.count(G1) == 3
    assert store.query(PREFIX + "ASK { GRAPH ex:g1 { ex:BRN ex:code 'BRN' } }").boolean
    assert not store.query(PREFIX + "ASK { GRAPH ex:g1 { ex:VNM ?p ?o } }").boolean
    assert store.count(G2) == 4  # other graphs untouched
    store.replace_graph((DATA / "replacement.ttl").read_bytes(), TURTLE)
    assert store.count() == 3 + 3 + 4


def test_replace_graph_is_all_or_nothing(store: Store) -> None:
    load_sample(store)
    before = store.dump("application/n-quads")
    for graph in (G1, None):
        with pytest.raises(InputError) as caught:
            store.replace_graph((DATA / "malformed.ttl").read_bytes(), TURTLE, graph)
        assert caught.value.line == 5
    assert sorted(store.dump("application/n-quads").splitlines()) == sorted(before.splitlines())


def test_replacing_with_nothing_removes_the_graph(store: Store) -> None:
    load_sample(store)
    store.replace_graph(b"", "application/n-triples", G1)
    assert store.named_graphs() == [G2]
    assert store.count(G1) == 0


def test_clear(store: Store) -> None:
    load_sample(store)
    store.clear()
    assert store.count() == 0
    assert store.named_graphs() == []
    assert store.query("ASK { ?s ?p ?o }").boolean is False
