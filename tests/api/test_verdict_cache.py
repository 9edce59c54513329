"""The start-up verdict cache (``jaif_kg.api.server.check_graph``): keyed by the files and by the
engine that ran, reused on a restart, never reused for changed files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jaif_kg.api.server import check_graph, validation_key

from .conftest import REPO, api_settings


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(REPO / "ontology", tmp_path / "ontology")
    shutil.copytree(REPO / "graph_data", tmp_path / "graph_data")
    return tmp_path


def test_a_conforming_verdict_is_reused_and_keyed_by_engine(world: Path) -> None:
    settings = api_settings(ontology_dir=world / "ontology", data_dir=world / "graph_data")
    assert validation_key(settings, "fast") != validation_key(settings, "pyshacl")
    conforms, _, report = check_graph(settings)
    assert conforms and report is not None  # validated
    markers = list((world / "cache" / "jaif-kg").iterdir())
    assert len(markers) == 1
    assert markers[0].name.removeprefix("conforms-") in {
        validation_key(settings, "fast"),
        validation_key(settings, "pyshacl"),
    }
    conforms, summary, report = check_graph(settings)
    assert conforms and report is None and "cached" in summary  # from the cache


def test_changed_files_are_validated_afresh(world: Path) -> None:
    settings = api_settings(ontology_dir=world / "ontology", data_dir=world / "graph_data")
    assert check_graph(settings)[0]
    key = validation_key(settings, "fast")
    projects = world / "graph_data" / "projects.ttl"
    projects.write_text(
        projects.read_text(encoding="utf-8") + "\n<https://w3id.org/jaif-kg/id/project/broken> a "
        "<https://w3id.org/jaif-kg/ontology#Project> .\n",
        encoding="utf-8",
    )
    assert validation_key(settings, "fast") != key
    conforms, _, report = check_graph(settings)
    assert not conforms and report is not None and report.results
