"""jaif_kg.shacl, the front door: the engines it runs, how ``auto`` chooses, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.errors import InputError
from jaif_kg.shacl import ENGINES, engine_id, render_text, validate

REPO = Path(__file__).resolve().parents[2]
SHIPPED_SHAPES = sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))
SHIPPED_ONTOLOGY = REPO / "ontology" / "jaif.ttl"
SHIPPED = sorted((REPO / "graph_data").glob("*.ttl"))
SELFTEST = REPO / "tests" / "fixtures" / "shapes" / "_selftest"
SHAPES = [SELFTEST / "selftest.shapes.ttl"]
ONTOLOGY = [SELFTEST / "ontology.ttl"]


def test_auto_uses_the_fast_engine_for_the_shipped_shapes() -> None:
    report = validate(SHIPPED, SHIPPED_SHAPES, [SHIPPED_ONTOLOGY], engine="auto")
    assert report.engine == "fast"
    assert report.conforms


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_gives_the_same_report(engine: str, data: Path) -> None:
    report = validate([data], SHAPES, ONTOLOGY, engine=engine)
    reference = validate([data], SHAPES, ONTOLOGY, engine="pyshacl")
    assert report.engine == ("fast" if engine == "auto" else engine)
    assert render_text(report) == render_text(reference)


@pytest.mark.parametrize("engine", ENGINES)
def test_unreadable_inputs(engine: str, tmp_path: Path, data: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate([data, bad], SHAPES, ONTOLOGY, engine=engine)
    assert info.value.path == str(bad)
    with pytest.raises(InputError) as info:
        validate([data], [bad], engine=engine)
    assert info.value.path == str(bad)
    with pytest.raises(InputError, match="no shapes"):
        validate([data], [], engine=engine)


def test_a_malformed_file_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    with pytest.raises(InputError, match=r"bad\.ttl:1"):
        validate([bad], SHIPPED_SHAPES, [SHIPPED_ONTOLOGY], engine="fast")


def test_unknown_engine() -> None:
    with pytest.raises(InputError, match="unknown engine"):
        validate(SHIPPED, SHIPPED_SHAPES, [SHIPPED_ONTOLOGY], engine="turbo")


def test_engine_id_names_pyshacl_with_its_version() -> None:
    """For the keys of cached verdicts: pySHACL's version counts only when pySHACL runs."""
    from importlib.metadata import version

    assert engine_id("fast") == "fast"
    assert engine_id("pyshacl") == f"pyshacl {version('pyshacl')}"
