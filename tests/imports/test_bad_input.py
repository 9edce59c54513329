"""Every input of tests/fixtures/imports/bad/ is refused with its one expected line, exit 2, and
the store keeps what it held; so are a missing file and a missing engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.cli import main
from jaif_kg.store.oxigraph import OxigraphStore
from tests.imports.conftest import BAD, EXAMPLES

CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".csv", ".json", ".xml"))
PREFIX = "jaif-kg import: error: "


def _store_with_an_import(folder: Path) -> int:
    """A store holding the example IATI import (graph/iati); return its triple count."""
    assert main(["import", "iati", str(EXAMPLES / "iati" / "EXAMPLE-activities.xml"),
                 "--store", str(folder)]) == 0  # fmt: skip
    store = OxigraphStore(folder, read_only=True)
    try:
        return store.count(None)
    finally:
        store.close()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Path, int]:
    del engine
    folder = tmp_path_factory.mktemp("store")
    return folder, _store_with_an_import(folder)


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_bad_input_is_one_line_exit_2_store_unchanged(
    case: Path, filled: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    kind, expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()[:2]
    folder, before = filled
    # into graph/iati, which the store holds: a refused import must leave it whole
    kind, *options = kind.split()
    code = main(["import", kind, str(case), *options, "--store", str(folder),
                 "--graph", "https://w3id.org/jaif-kg/graph/iati"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.splitlines() == [PREFIX + expected.replace("{file}", str(case))]
    store = OxigraphStore(folder, read_only=True)
    try:
        assert store.count(None) == before
    finally:
        store.close()


def test_missing_file(tmp_path: Path, engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    del engine
    missing = tmp_path / "nope.csv"
    assert main(["import", "wdi-csv", str(missing), "--out", str(tmp_path / "a.nq")]) == 2
    assert capsys.readouterr().err == f"{PREFIX}{missing}: no such file\n"
    assert not (tmp_path / "a.nq").exists()


def test_without_the_engine_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JAIF_RML_PYTHON", str(tmp_path / "no-python"))
    example = str(EXAMPLES / "iati" / "EXAMPLE-activities.xml")
    assert main(["import", "iati", example, "--out", str(tmp_path / "a.nq")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(PREFIX + "JAIF_RML_PYTHON=") and "pip install morph-kgc==" in err
    assert "make install" in err and len(err.splitlines()) == 1


def test_an_import_into_memory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES / "iati" / "EXAMPLE-activities.xml")
    assert main(["import", "iati", example, "--store", "oxigraph"]) == 2
    assert "would go to a store in memory and be lost" in capsys.readouterr().err


def test_csv_without_namespace(
    tmp_path: Path, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del engine
    example = str(EXAMPLES / "csv" / "EXAMPLE-country-facts.csv")
    assert main(["import", "csv", example, "--out", str(tmp_path / "a.nq")]) == 2
    assert "kind csv needs --namespace IRI" in capsys.readouterr().err
