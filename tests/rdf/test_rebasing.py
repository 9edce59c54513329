"""Publishing under another base IRI (``JAIF_BASE_IRI``): every file is read rebased, end to end.

The shipped files name things under the default base and stay so; with
``base_iri=http://example.org/kg/`` validation, named queries, the embedded and persistent stores,
a push to a live Oxigraph server, the dumps and a live ``jaif-kg serve`` all use the other base,
and nothing they produce names the default base. With the default base, reading costs nothing
extra (no rebasing pass at all).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from jaif_kg.catalog import Catalog, run_named
from jaif_kg.rdf import rebasing
from jaif_kg.rdf.files import parse_files
from jaif_kg.rdf.graph import read_graph, shapes_paths, shipped_paths
from jaif_kg.rdf.namespaces import DEFAULT_BASE, rebase_text
from jaif_kg.rdf.rebasing import IRI_VALUED, SPARQL_VALUED, Rebaser, rebase_quads
from jaif_kg.settings import Settings
from jaif_kg.shacl import validate as validate_files
from jaif_kg.shacl.report import ValidationReport
from jaif_kg.store import Store, open_store, read_triples, sync_graph
from jaif_kg.store.loading import load_files
from tests.catalog.rows import plain_rows
from tests.oxigraph_server import OxigraphServer, free_port
from tests.serving import start_serve, stop_serve

REPO = Path(__file__).resolve().parents[2]
BASE = "http://example.org/kg/"
SHAPE_FIXTURES = REPO / "tests" / "fixtures" / "shapes"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def rebased(settings: Settings) -> Settings:
    """The checkout's settings under :data:`BASE`."""
    return settings.model_copy(update={"base_iri": BASE})


@pytest.fixture(scope="module")
def rebased_store(rebased: Settings) -> Iterator[Store]:
    """The shipped graph read under :data:`BASE`, in memory."""
    store = open_store(rebased)
    load_files(store, shipped_paths(rebased), base=BASE)
    yield store
    store.close()


def jaif_kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jaif_kg.cli`` on the checkout under :data:`BASE` (as a user would)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    environment |= {"JAIF_BASE_IRI": BASE, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=120,
        check=False,
    )


# -- the rules ----------------------------------------------------------------------------------


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


@pytest.mark.parametrize(
    ("predicate", "obj", "expected"),
    [
        # IRIs under the default base move, others stay
        ("http://e.org/p", _iri(DEFAULT_BASE + "id/country/KHM"), _iri(BASE + "id/country/KHM")),
        ("http://e.org/p", _iri("http://www.wikidata.org/entity/Q424"), None),
        # a literal's datatype under the default base moves
        (
            SKOS.notation,
            ox.Literal("KHM", datatype=_iri(DEFAULT_BASE + "ontology#ISO3166Alpha3")),
            ox.Literal("KHM", datatype=_iri(BASE + "ontology#ISO3166Alpha3")),
        ),
        # literals that hold an IRI
        (
            _SH + "namespace",
            ox.Literal(DEFAULT_BASE + "ontology#", datatype=_iri(_XSD + "anyURI")),
            ox.Literal(BASE + "ontology#", datatype=_iri(_XSD + "anyURI")),
        ),
        (
            "http://schema.org/url",
            ox.Literal(DEFAULT_BASE + "void", datatype=_iri(_XSD + "anyURI")),
            ox.Literal(BASE + "void", datatype=_iri(_XSD + "anyURI")),
        ),
        (
            "http://purl.org/vocab/vann/preferredNamespaceUri",
            ox.Literal(DEFAULT_BASE + "ontology#"),
            ox.Literal(BASE + "ontology#"),
        ),
        # SPARQL text: every occurrence
        (
            _SH + "select",
            ox.Literal(
                f"SELECT $this WHERE {{ $this ?p <{DEFAULT_BASE}id/a>, <{DEFAULT_BASE}id/b> }}"
            ),
            ox.Literal(f"SELECT $this WHERE {{ $this ?p <{BASE}id/a>, <{BASE}id/b> }}"),
        ),
        # text that mentions the base says what it says
        ("http://www.w3.org/2000/01/rdf-schema#comment", ox.Literal(f"see {DEFAULT_BASE}"), None),
        (_SH + "select", ox.Literal(f"{DEFAULT_BASE}", language="en"), None),
        ("http://e.org/p", ox.BlankNode("b0"), None),
    ],
)
def test_rebaser_rules(
    predicate: str,
    obj: ox.NamedNode | ox.Literal | ox.BlankNode,
    expected: ox.NamedNode | ox.Literal | None,
) -> None:
    subject = _iri(DEFAULT_BASE + "id/x")
    triple = ox.Triple(subject, _iri(str(predicate)), obj)
    out = Rebaser(BASE).triple(triple)
    assert out.subject == _iri(BASE + "id/x")
    assert out.predicate == _iri(str(predicate))
    assert out.object == (obj if expected is None else expected)


def test_graph_names_are_the_readers() -> None:
    quad = ox.Quad(
        _iri(DEFAULT_BASE + "id/x"),
        _iri("http://e.org/p"),
        _iri("http://e.org/o"),
        _iri(DEFAULT_BASE + "graph/chosen"),
    )
    (out,) = rebase_quads([quad], BASE)
    assert out.subject == _iri(BASE + "id/x")
    assert out.graph_name == _iri(DEFAULT_BASE + "graph/chosen")


# -- the default base costs nothing ---------------------------------------------------------------


def test_the_default_base_makes_no_pass(settings: Settings, tmp_path: Path) -> None:
    paths = shipped_paths(settings)
    before = (rebasing.stats.passes, rebasing.stats.statements)
    parsed = parse_files(paths)
    store = open_store(settings)
    loaded = load_files(store, paths)
    store.close()
    read_triples(paths)
    read_graph(shapes_paths(settings))
    Catalog.from_dir(settings.queries_dir)
    validate_files(paths[1:], shapes_paths(settings), paths[:1], engine="fast")
    persistent = open_store(settings.model_copy(update={"store_path": tmp_path / "db"}))
    sync_graph(persistent, paths)
    persistent.close()
    assert (rebasing.stats.passes, rebasing.stats.statements) == before
    quads = parsed[0].quads
    assert rebase_quads(quads, DEFAULT_BASE) is quads

    # and the counter does count: under another base, one pass per file, over every triple
    store = open_store(settings)
    assert load_files(store, paths, base=BASE) == loaded
    store.close()
    assert rebasing.stats.passes == before[0] + len(paths)
    assert rebasing.stats.statements == before[1] + loaded


# -- files read under another base ----------------------------------------------------------------


def _ntriples(graph: Graph) -> str:
    return graph.serialize(format="nt")


def test_the_graph_and_shapes_read_rebased_are_the_files_under_the_other_base(
    settings: Settings,
) -> None:
    paths = [*shipped_paths(settings), *shapes_paths(settings)]
    default = read_graph(paths)
    moved = read_graph(paths, base=BASE)
    assert len(moved) == len(default)
    # the files mention the default base only where it is rebased (no comment quotes it), so
    # rewriting every occurrence in the default graph's text gives the rebased graph
    expected = Graph().parse(data=_ntriples(default).replace(DEFAULT_BASE, BASE), format="nt")
    assert isomorphic(moved, expected)
    for s, p, o in moved:
        for term in (s, p, o):
            assert not (isinstance(term, URIRef) and term.startswith(DEFAULT_BASE))
        if isinstance(o, Literal):
            assert not str(o.datatype or "").startswith(DEFAULT_BASE)
            if str(p) in IRI_VALUED | SPARQL_VALUED or str(o.datatype) == _XSD + "anyURI":
                assert DEFAULT_BASE not in str(o), (s, p)
    assert dict(moved.namespaces())["jaif"] == URIRef(BASE + "ontology#")


def test_named_queries_are_read_rebased(settings: Settings) -> None:
    default = Catalog.from_dir(settings.queries_dir)
    moved = Catalog.from_dir(settings.queries_dir, base=BASE)
    assert moved.names() == default.names()
    for query in moved:
        assert query.text == rebase_text(default[query.name].text, BASE)
        assert DEFAULT_BASE not in query.text
        assert DEFAULT_BASE not in json.dumps(query.example)
    sources_of = moved["sources-of"]
    assert sources_of.terms({"iri": "id:country/KHM"})["iri"] == URIRef(BASE + "id/country/KHM")


def _keys(report: ValidationReport, base: str) -> set[tuple[str, ...]]:
    """The results as text under ``base``, blank nodes made anonymous."""

    def text(term: object) -> str:
        if term is None:
            return ""
        return "_:" if isinstance(term, BNode) else str(term)

    return {
        tuple(
            rebase_text(text(t), base)
            for t in (
                r.focus_node,
                r.result_path,
                r.value,
                r.source_shape,
                r.severity,
                r.constraint_component,
            )
        )
        for r in report.results
    }


@pytest.mark.parametrize(
    ("case", "engine"),
    [
        # SHACL-SPARQL with an IRI inside sh:select, and prefixes declared by sh:namespace
        ("ProjectBeneficiaryMemberShape/invalid/country-never-a-member.ttl", "fast"),
        ("ProjectBeneficiaryMemberShape/invalid/country-never-a-member.ttl", "pyshacl"),
        ("ProjectBeneficiaryMemberShape/invalid/timor-leste-on-work-plan-4.ttl", "fast"),
        ("AttachmentBatchUniqueNumberShape/invalid/duplicate-of-shipped-batch.ttl", "fast"),
        ("ProjectAreaSchemeShape/invalid/work-plan-1-area-on-work-plan-4.ttl", "fast"),
        # datatypes of the ontology (ISO codes) and core shapes
        ("ISOAlpha3Value/invalid/alpha3-typed-as-alpha2.ttl", "fast"),
        ("AdoptionShape/invalid/missing-date.ttl", "fast"),
    ],
)
def test_validation_under_another_base_reports_the_same_results(
    settings: Settings, case: str, engine: str
) -> None:
    paths = shipped_paths(settings)
    data = [*paths[1:], SHAPE_FIXTURES / case]
    default = validate_files(data, shapes_paths(settings), paths[:1], engine=engine)
    moved = validate_files(data, shapes_paths(settings), paths[:1], engine=engine, base=BASE)
    assert not default.conforms_at("Violation")
    assert _keys(moved, BASE) == _keys(default, BASE)
    assert all(str(r.focus_node).startswith(BASE) for r in moved.results)


def test_a_persistent_store_reloads_when_the_base_changes(
    settings: Settings, tmp_path: Path
) -> None:
    paths = shipped_paths(settings)
    folder = settings.model_copy(update={"store_path": tmp_path / "db"})
    store = open_store(folder)
    khm = f"ASK {{ <{BASE}id/country/KHM> ?p ?o }}"
    try:
        assert sync_graph(store, paths)
        assert not store.query(khm).boolean
        assert sync_graph(store, paths, base=BASE)
        assert store.query(khm).boolean
        assert not sync_graph(store, paths, base=BASE)
        assert not store.query(f"ASK {{ ?s ?p <{DEFAULT_BASE}ontology#Project> }}").boolean
    finally:
        store.close()


# -- the command line ----------------------------------------------------------------------------


def test_validate_conforms_under_another_base() -> None:
    done = jaif_kg("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Conforms: 0 violations" in done.stdout


def test_validate_reports_violations_under_another_base() -> None:
    case = SHAPE_FIXTURES / "ProjectBeneficiaryMemberShape/invalid/country-never-a-member.ttl"
    data = sorted((REPO / "graph_data").glob("*.ttl"))
    done = jaif_kg("validate", *map(str, data), str(case), "--format", "json")
    assert done.returncode == 1, done.stderr
    results = json.loads(done.stdout)["results"]
    focus = {r["focus_node"]["value"] for r in results}
    assert focus == {BASE + "id/project/attachment-programme-2022-2023"}, results


def test_query_projects_by_country(shipped_store: Store, catalog: Catalog) -> None:
    done = jaif_kg("query", "projects", "--param", "country=MMR", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 3
    assert all(row["project"].startswith(BASE + "id/project/") for row in rows)
    expected = plain_rows(run_named(shipped_store, catalog["projects"], {"country": "MMR"}))
    assert rows == json.loads(rebase_text(json.dumps(expected), BASE))


def test_query_member_states_on_a_date() -> None:
    done = jaif_kg("query", "member-states", "--param", "as_of=2022-06-30", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 10
    assert {row["country"] for row in rows} >= {BASE + "id/country/KHM", BASE + "id/country/MMR"}
    assert sum(row["clmv"] for row in rows) == 4
    table = jaif_kg("query", "member-states", "--param", "as_of=2022-06-30")
    assert "id:country/KHM" in table.stdout  # the project prefixes follow the base


def test_build_writes_dumps_under_another_base(tmp_path: Path, shipped_store: Store) -> None:
    done = jaif_kg("build", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    files = sorted(tmp_path.iterdir())
    assert {f.name for f in files} >= {"jaif-kg.ttl", "jaif-kg.nt", "context.jsonld", "void.ttl"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert DEFAULT_BASE not in text, path.name
    dump = Graph().parse(tmp_path / "jaif-kg.nt", format="nt")
    assert len(dump) == shipped_store.count()
    assert (URIRef(BASE + "id/country/KHM"), SKOS.prefLabel, Literal("Cambodia", lang="en")) in dump
    void = (tmp_path / "void.ttl").read_text(encoding="utf-8")
    assert f'void:uriSpace "{BASE}"' in void and "as of 30 June 2022" in void


def test_load_pushes_the_rebased_graph(oxigraph_server: OxigraphServer) -> None:
    done = jaif_kg(
        "load",
        "--endpoint",
        oxigraph_server.query_url,
        "--update-url",
        oxigraph_server.update_url,
    )
    assert done.returncode == 0, done.stderr
    assert "validated: Conforms" in done.stdout
    ask = httpx.get(
        oxigraph_server.query_url,
        params={
            "query": f"ASK {{ <{BASE}id/country/KHM> a <https://schema.org/Country> }}",
            "default-graph-uri": f"{BASE}graph/jaif",
        },
        headers={"accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True
    stray = httpx.get(
        oxigraph_server.query_url,
        params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
            "FILTER(CONTAINS(STR(?s), "
            f'"{DEFAULT_BASE}") || CONTAINS(STR(?p), "{DEFAULT_BASE}") '
            f'|| CONTAINS(STR(?o), "{DEFAULT_BASE}") || CONTAINS(STR(DATATYPE(?o)), '
            f'"{DEFAULT_BASE}")) }}'
        },
        headers={"accept": "application/sparql-results+json"},
    )
    assert stray.json()["results"]["bindings"][0]["n"]["value"] == "0"


# -- a live server --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``jaif-kg serve`` under :data:`BASE`, as a separate process on a free loopback port."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    environment |= {
        "JAIF_BASE_IRI": BASE,
        "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache")),
    }
    proc, url = start_serve(["--workers", "1"], environment, port=port, seconds=60)
    yield url
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)
    stop_serve(proc)


def test_server_dereferences_iris_under_the_other_base(served: str) -> None:
    response = httpx.get(
        served + "/id/country/KHM", headers={"accept": "text/turtle"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert response.history and response.history[0].status_code == 303
    assert DEFAULT_BASE not in response.text
    graph = Graph().parse(data=response.text, format="turtle")
    khm = URIRef(BASE + "id/country/KHM")
    assert (khm, SKOS.prefLabel, Literal("Cambodia", lang="en")) in graph
    assert (
        khm,
        SKOS.notation,
        Literal("KHM", datatype=URIRef(BASE + "ontology#ISO3166Alpha3")),
    ) in graph


def test_server_page_reads_as_under_the_default_base(served: str) -> None:
    page = httpx.get(
        served + "/id/country/KHM", follow_redirects=True, headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    html = page.text
    assert "<h1>Cambodia" in html or ">Cambodia<" in html
    # the ontology's own phrases and the sources' as-of dates are found under the other base
    assert "Country groups that include Cambodia" in html
    assert "As of 30 June 2022" in html
    assert DEFAULT_BASE not in html
    assert httpx.get(served + "/id/country/XXX").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/jaif-kg.ttl",
        "/dumps/jaif-kg.jsonld",
        "/dumps/jaif-kg.trig",
        "/dumps/jaif-kg.rdf",
        "/dumps/context.jsonld",
        "/dumps/void.ttl",
        "/ontology.ttl",
        "/shapes.ttl",
        "/data/country/KHM.jsonld",
        "/ontology.html",
    ],
)
def test_server_documents_name_only_the_other_base(served: str, path: str) -> None:
    response = httpx.get(served + path)
    assert response.status_code == 200
    assert DEFAULT_BASE not in response.text
    assert BASE in response.text


def test_server_queries_use_the_other_base(served: str) -> None:
    ask = httpx.get(
        served + "/sparql",
        params={"query": f"ASK {{ ?p a <{BASE}ontology#Project> }}"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True
    rows = httpx.get(served + "/api/queries/projects", params={"country": "MMR"})
    assert rows.status_code == 200, rows.text
    found = rows.json()
    assert len(found) == 3, found
    assert all(row["project"].startswith(BASE + "id/project/") for row in found)
