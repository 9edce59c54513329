"""Synthetic data (:mod:`jaif_kg.bench.synth`): conforms to the shapes, is reproducible from its
seed,
grows linearly, and its injected faults are the ones it announces."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.bench import synth
from jaif_kg.cli import main
from jaif_kg.errors import InputError
from jaif_kg.shacl import validate

REPO = Path(__file__).resolve().parents[2]
SHAPES = sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))
ONTOLOGY = REPO / "ontology" / "jaif.ttl"


def write(tmp_path: Path, projects: int, seed: int = 0, faults: int = 0) -> Path:
    path = tmp_path / f"synth-{projects}-{seed}-{faults}.nt"
    synth.write(path, projects, seed, faults)
    return path


def test_small_data_conforms_for_pyshacl(tmp_path: Path) -> None:
    report = validate([write(tmp_path, 12)], SHAPES, [ONTOLOGY], engine="pyshacl")
    assert report.engine == "pyshacl"
    assert report.conforms, [r.message for r in report.results]


def test_larger_data_conforms_for_the_fast_engine(tmp_path: Path) -> None:
    path = write(tmp_path, 1500, seed=3)
    report = validate([path], SHAPES, [ONTOLOGY], engine="fast")
    assert report.conforms, [r.message for r in report.results[:5]]
    assert report.triples > 70_000


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert synth.generate(30, seed=5) == synth.generate(30, seed=5)
    assert synth.generate(30, seed=5) != synth.generate(30, seed=6)
    assert synth.generate(30, seed=5, faults=3) == synth.generate(30, seed=5, faults=3)


def test_output_is_n_triples_that_turtle_reads_too() -> None:
    data = synth.generate(20)
    as_nt = list(ox.parse(data, ox.RdfFormat.N_TRIPLES))
    as_ttl = list(ox.parse(data, ox.RdfFormat.TURTLE))
    assert len(as_nt) == len(as_ttl) == synth.count_triples(data)


def test_size_grows_linearly_and_targets_are_met() -> None:
    sizes = [synth.count_triples(synth.generate(n)) for n in (100, 200, 300)]
    assert sizes[2] - sizes[1] == pytest.approx(sizes[1] - sizes[0], rel=0.1)
    for target in (2_000, 10_000, 100_000):  # the fixed part alone is about 1,100 triples
        n = synth.projects_for_triples(target)
        assert synth.count_triples(synth.generate(n)) == pytest.approx(target, rel=0.05)
    assert synth.projects_for_triples(1_000_000) > 15_000


def test_shared_iris_match_the_shipped_graph() -> None:
    data = synth.generate(5).decode()
    for iri in (
        "https://w3id.org/jaif-kg/id/country/KHM",
        "https://w3id.org/jaif-kg/id/organisation/asean",
        "https://w3id.org/jaif-kg/id/attachment-stream/aec-ascc",
        "https://w3id.org/jaif-kg/id/role/implementing-agency",
        "https://w3id.org/jaif-kg/id/work-plan/iai-work-plan-3",
        "https://w3id.org/jaif-kg/id/fund/jaif",
    ):
        assert f"<{iri}>" in data


def test_every_fault_is_reported(tmp_path: Path) -> None:
    kinds = len(synth.FAULT_KINDS)
    report = validate([write(tmp_path, 40, faults=kinds)], SHAPES, [ONTOLOGY], engine="fast")
    shapes = {str(r.source_shape).rsplit("#", 1)[1] for r in report.results}
    for kind, expected in synth.FAULT_KINDS.items():
        shape = expected.split(",")[0].split(" ")[0]
        assert shape in shapes, f"{kind}: no result from {shape}"


def test_fault_positions_need_enough_projects() -> None:
    with pytest.raises(InputError, match="at least as many projects"):
        synth.generate(2, faults=3)
    with pytest.raises(InputError):
        synth.generate(-1)


def test_write_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.nt or \.ttl"):
        synth.write(tmp_path / "x.jsonld", 1)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data.ttl"
    assert main(["synth", "--projects", "7", "--seed", "2", "--out", str(out)]) == 0
    assert out.read_bytes() == synth.generate(7, seed=2)
    assert "7 projects" in capsys.readouterr().err
    assert main(["synth", "--projects", "1", "--faults", "2", "--out", str(out)]) == 2
    assert main(["synth", "--triples", "2000", "--out", str(out)]) == 0
    assert synth.count_triples(out.read_bytes()) == pytest.approx(2000, rel=0.1)


def test_import_sources_are_half_wdi_half_iati(tmp_path: Path) -> None:
    sources = synth.import_sources(tmp_path, 200_000)
    kinds = [s.kind for s in sources]
    assert kinds == ["wdi-csv", "wdi-csv", "iati"]
    wdi_values = sum(
        len(line.split('","')) - 4
        for s in sources[:-1]
        for line in s.path.read_text(encoding="utf-8").splitlines()[5:]
    )
    # 5 triples an observation: about 100,000 triples of WDI, the real countries in each file
    assert 20_000 <= wdi_values <= 21_000
    assert '"KHM"' in sources[0].path.read_text(encoding="utf-8")
    activities = sources[-1].path.read_text(encoding="utf-8").count("<iati-activity ")
    assert activities == round(100_000 / synth.IATI_TRIPLES_PER_ACTIVITY)


def test_area_links_follow_the_shipped_graph(tmp_path: Path) -> None:
    path = tmp_path / "links.nt"
    assert synth.write_area_links(path) == len(synth.AREA_DAC_CODES)
    shipped = (REPO / "graph_data" / "strategic-areas.ttl").read_text(encoding="utf-8")
    for line in path.read_text(encoding="utf-8").splitlines():
        area, _, sector, _ = line.split(" ")
        assert area.strip("<>") in shipped and sector.strip("<>") in shipped
