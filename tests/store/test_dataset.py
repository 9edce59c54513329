"""The dataset model: the shipped graph in ``{base}graph/jaif``, loaded files in graphs of their
own, the union default graph, and one provenance record per graph in ``{base}graph/meta``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from jaif_kg.errors import InputError
from jaif_kg.settings import Settings
from jaif_kg.store import Store, graph_records, load_shipped, meta_graph, open_store, shipped_graph

EX = "http://example.org/"
TWO_GRAPHS = f"""
<{EX}wdi> {{ <{EX}khm> <{EX}gdp> 1800 . }}
<{EX}iati> {{ <{EX}act1> <{EX}country> <{EX}khm> . }}
"""
BACKENDS = ["oxigraph", "rdflib"]
COUNT = "SELECT (COUNT(*) AS ?n) {clause} WHERE {{ ?s ?p ?o }}"


def _loaded(settings: Settings, tmp_path: Path, kind: str, union: bool = True) -> Store:
    trig = tmp_path / "two.trig"
    trig.write_text(TWO_GRAPHS, encoding="utf-8")
    store = open_store(settings.model_copy(update={"store": kind, "union_default_graph": union}))
    load_shipped(store, settings, [(None, trig)])
    return store


def _n(store: Store, clause: str = "") -> int:
    return int(store.query(COUNT.format(clause=clause)).rows[0]["n"])


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_trig_file_keeps_its_graph_names_and_the_union_sees_all(
    settings: Settings, tmp_path: Path, kind: str
) -> None:
    store = _loaded(settings, tmp_path, kind)
    jaif, meta = shipped_graph(settings.base_iri), meta_graph(settings.base_iri)
    assert store.named_graphs() == sorted([EX + "iati", EX + "wdi", jaif, meta])
    shipped = store.count(jaif)
    assert _n(store) == shipped + 2  # the union: shipped + both graphs, not the metadata
    assert _n(store, f"FROM <{jaif}>") == shipped
    assert _n(store, f"FROM <{jaif}> FROM <{EX}wdi>") == shipped + 1
    assert _n(store, f"FROM <{EX}wdi>") == 1
    rows = store.query(f"SELECT ?g FROM NAMED <{EX}iati> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}").rows
    assert {str(r["g"]) for r in rows} == {EX + "iati"}
    joined = store.query(f"ASK {{ ?a <{EX}country> ?c . ?c <{EX}gdp> ?v . ?c ?p ?o }}").boolean
    assert joined  # a join across two loaded graphs in the union default graph


@pytest.mark.parametrize("kind", BACKENDS)
def test_union_off_the_default_graph_is_the_shipped_graph(
    settings: Settings, tmp_path: Path, kind: str
) -> None:
    store = _loaded(settings, tmp_path, kind, union=False)
    assert _n(store) == store.count(shipped_graph(settings.base_iri))
    assert _n(store, f"FROM <{EX}wdi>") == 1


def test_each_graph_is_recorded_with_the_sha256_of_its_file(
    settings: Settings, tmp_path: Path
) -> None:
    store = _loaded(settings, tmp_path, "oxigraph")
    records = {r.graph: r for r in graph_records(store, base=settings.base_iri)}
    sha = hashlib.sha256((tmp_path / "two.trig").read_bytes()).hexdigest()
    assert records[EX + "wdi"].sha256 == sha and records[EX + "wdi"].triples == 1
    assert records[EX + "wdi"].source == (tmp_path / "two.trig").resolve().as_uri()
    jaif = shipped_graph(settings.base_iri)
    assert records[jaif].triples == store.count(jaif)
    assert records[jaif].license == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize(
    ("iri", "text", "phrase"),
    [
        ("{base}graph/jaif", "<http://e/s> <http://e/p> 1 .", "is reserved"),
        ("{base}graph/meta", "<http://e/s> <http://e/p> 1 .", "is reserved"),
        ("http://e/g", TWO_GRAPHS, "holds 2 graphs"),
        (None, "<http://e/s> <http://e/p> 1 .", "outside any named graph"),
        (None, "<{base}graph/jaif> { <http://e/s> <http://e/p> 1 . }", "is reserved"),
    ],
)
def test_refused_graphs_leave_the_store_unchanged(
    settings: Settings, tmp_path: Path, iri: str | None, text: str, phrase: str
) -> None:
    base = settings.base_iri
    bad = tmp_path / "bad.trig"
    bad.write_text(text.replace("{base}", base), encoding="utf-8")
    store = open_store(settings.model_copy(update={"store": "oxigraph"}))
    with pytest.raises(InputError, match=phrase):
        load_shipped(store, settings, [(None if iri is None else iri.replace("{base}", base), bad)])
    assert store.count() == 0


def test_a_graph_file_not_given_again_leaves_an_on_disk_store(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``serve --store-path DIR --graph X``, then ``serve --store-path DIR``: X is no longer
    served (nor recorded); an imported graph, which no ``--graph`` loaded, stays."""
    from jaif_kg.store.graphs import GraphRecord, record_graph

    on_disk = settings.model_copy(update={"store": "oxigraph", "store_path": tmp_path / "db"})
    trig = tmp_path / "two.trig"
    trig.write_text(TWO_GRAPHS, encoding="utf-8")
    nt = tmp_path / "one.nt"
    nt.write_text(f"<{EX}s> <{EX}p> <{EX}o> .\n", encoding="utf-8")
    imported = settings.base_iri + "graph/imported"
    store = open_store(on_disk)
    try:
        load_shipped(store, on_disk, [(None, trig), (EX + "one", nt)])
        store.replace_graph(f'<{EX}i> <{EX}p> "1" .\n'.encode(), "application/n-triples", imported)
        record_graph(store, GraphRecord(imported, EX + "source.csv", "0" * 64, 1))
    finally:
        store.close()
    del store  # the folder's lock goes with the last handle
    store = open_store(on_disk)
    try:
        with caplog.at_level("WARNING", logger="jaif_kg.store.shipped"):
            load_shipped(store, on_disk, [(EX + "one", nt)])
        jaif, meta = shipped_graph(settings.base_iri), meta_graph(settings.base_iri)
        assert store.named_graphs() == sorted([EX + "one", imported, jaif, meta])
        assert {r.graph for r in graph_records(store)} == {EX + "one", imported, jaif}
        assert f"dropped <{EX}iati>, <{EX}wdi>" in caplog.text
    finally:
        store.close()
