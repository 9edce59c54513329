"""Each example of examples/ maps to its expected N-Triples (tests/imports/expected/), and lands
in a store as one named graph, replaced whole by a second import."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.cli import main
from jaif_kg.imports import CountryTable, convert, import_into, write_rdf
from jaif_kg.store.graphs import graph_records
from jaif_kg.store.oxigraph import OxigraphStore
from tests.imports.conftest import EXAMPLES, EXPECTED

BASE = "https://w3id.org/jaif-kg/"
#: Where the WDI examples say they come from (by default: the file's own URL, which varies).
SOURCE = "https://example.org/EXAMPLE-download"
#: example -> (kind, options, graph, expected N-Triples, rows read, rows mapped, skipped)
CASES = {
    "wdi-csv": (
        "wdi/API_NY.GDP.PCAP.CD_DS2_en_csv_v2_EXAMPLE.csv",
        {"source": SOURCE},
        BASE + "graph/wdi-ny-gdp-pcap-cd",
        4,
        9,
        {"EAS": 1},
    ),
    "wdi-json": (
        "wdi/EXAMPLE_SP.POP.TOTL.json",
        {"source": SOURCE},
        BASE + "graph/wdi-sp-pop-totl",
        7,
        4,
        {"EAS": 1, "WLD": 1},
    ),
    "iati": ("iati/EXAMPLE-activities.xml", {}, BASE + "graph/iati", 3, 3, {}),
    "csv": (
        "csv/EXAMPLE-country-facts.csv",
        {"namespace": "https://example.org/facts#"},
        BASE + "graph/csv-example-country-facts",
        3,
        3,
        {},
    ),
}


def _lines(quads: list[ox.Quad]) -> list[str]:
    return sorted(f"{q.subject} {q.predicate} {q.object} ." for q in quads)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_example_maps_to_expected_triples(kind: str, engine: str, countries: CountryTable) -> None:
    example, options, graph, rows, mapped, skipped = CASES[kind]
    conversion = convert(
        kind, EXAMPLES / example, countries, skip_unknown=True, python=engine, **options
    )
    assert conversion.graph == graph
    assert {q.graph_name for q in conversion.quads} == {ox.NamedNode(graph)}
    expected = (EXPECTED / f"{kind}.nt").read_text(encoding="utf-8").splitlines()
    assert _lines(conversion.quads) == expected
    assert (conversion.rows, conversion.mapped, dict(conversion.skipped)) == (
        rows,
        mapped,
        skipped,
    )


def test_exact_triples_of_the_shared_model(engine: str, countries: CountryTable) -> None:
    """The terms other engineers' queries and shapes rely on (docs/IMPORT.md)."""
    wdi = _lines(
        convert(
            "wdi-csv", EXAMPLES / CASES["wdi-csv"][0], countries, skip_unknown=True, python=engine
        ).quads
    )
    obs = f"<{BASE}id/observation/wdi/NY.GDP.PCAP.CD/VNM/2022>"
    assert (
        f"{obs} <http://purl.org/linked-data/sdmx/2009/measure#obsValue> "
        '"3200.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .' in wdi
    )
    assert (
        f"{obs} <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> "
        '"2022"^^<http://www.w3.org/2001/XMLSchema#gYear> .' in wdi
    )
    assert not any("/KHM/2022>" in line for line in wdi)  # an empty cell is no observation
    iati = _lines(convert("iati", EXAMPLES / CASES["iati"][0], countries, python=engine).quads)
    activity = f"<{BASE}id/iati-activity/XM-EXAMPLE-1-0002%2Fphase%202>"
    assert f"{activity} <{BASE}ontology#recipientCountry> <{BASE}id/country/VNM> ." in iati
    assert (
        f"<{BASE}id/dac-sector/11330> <http://www.w3.org/2004/02/skos/core#broader> "
        f"<{BASE}id/dac-sector/113> ." in iati
    )
    assert not any("dac-sector/311>" in line and "dacSector" in line for line in iati)


def test_another_base_rebases_every_iri(engine: str, countries: CountryTable) -> None:
    conversion = convert(
        "iati",
        EXAMPLES / CASES["iati"][0],
        countries,
        base="https://example.org/kg/",
        python=engine,
    )
    assert conversion.graph == "https://example.org/kg/graph/iati"
    assert not any(BASE in str(q) for q in conversion.quads)


def test_import_replaces_its_graph_whole(
    tmp_path: Path, engine: str, countries: CountryTable
) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        store.load(b"<urn:a> <urn:b> <urn:c> .", "application/n-triples", "urn:other")
        first = convert("iati", EXAMPLES / CASES["iati"][0], countries, python=engine)
        assert import_into(store, first) == len(first.quads)
        again = convert(
            "iati", EXAMPLES / CASES["iati"][0], countries, graph=first.graph, python=engine
        )
        assert import_into(store, again) == len(first.quads)
        assert store.count("urn:other") == 1
        (record,) = [r for r in graph_records(store) if r.graph == first.graph]
        assert (record.sha256, record.triples) == (first.sha256, len(first.quads))
        assert record.source.startswith("file:///") and record.source.endswith(".xml")
    finally:
        store.close()


def test_cli_import_into_a_store_and_a_file(
    tmp_path: Path, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del engine
    example = str(EXAMPLES / CASES["wdi-csv"][0])
    code = main(["import", "wdi-csv", example, "--skip-unknown", "--store", str(tmp_path / "s")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "skipped 1 of unknown countries (EAS 1)" in out and "replaced with 49 triples" in out
    target = tmp_path / "wdi.nq"
    assert main(["import", "wdi-csv", example, "--skip-unknown", "--out", str(target)]) == 0
    quads = list(ox.parse(path=target, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 49


def test_write_rdf_by_suffix(tmp_path: Path, engine: str, countries: CountryTable) -> None:
    conversion = convert("iati", EXAMPLES / CASES["iati"][0], countries, python=engine)
    write_rdf(conversion, tmp_path / "a.ttl")
    assert len(list(ox.parse(path=tmp_path / "a.ttl", format=ox.RdfFormat.TURTLE))) == len(
        conversion.quads
    )
