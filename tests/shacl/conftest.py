"""A small world for the report tests: the self-test shapes and ontology, three things, and
pySHACL's report on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.shacl import ValidationReport, validate

SELFTEST = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "_selftest"
SHAPES = [SELFTEST / "selftest.shapes.ttl"]
ONTOLOGY = [SELFTEST / "ontology.ttl"]

# Three things: one fine, one with two notes (a warning) and a code it shares with a third that
# has no name (violations).
DATA = """@prefix ex: <http://example.org/> .
ex:fine a ex:Thing ; ex:name "Fine" .
ex:noisy a ex:Gadget ; ex:name "Noisy" ; ex:note "a", "b" ; ex:code "C" .
ex:nameless a ex:Thing ; ex:code "C" .
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.ttl"
    path.write_text(DATA, encoding="utf-8")
    return path


@pytest.fixture
def report(data: Path) -> ValidationReport:
    return validate([data], SHAPES, ONTOLOGY, engine="pyshacl")
