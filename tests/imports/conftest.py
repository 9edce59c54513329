"""What the import tests share: the engine (or a skip saying how to install it), the countries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jaif_kg.imports import CountryTable, EngineMissing, graph_countries
from jaif_kg.imports.engine import engine_python
from jaif_kg.settings import Settings

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"
BAD = REPO / "tests" / "fixtures" / "imports" / "bad"
EXPECTED = Path(__file__).resolve().parent / "expected"


@pytest.fixture(scope="session")
def engine() -> str:
    """The mapping engine's interpreter; without one, skip (fail under JAIF_REQUIRE_SUITES=1,
    which CI sets: `make install` makes .venv-rml/)."""
    try:
        return engine_python()
    except EngineMissing as exc:
        if os.environ.get("JAIF_REQUIRE_SUITES") == "1":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def countries() -> CountryTable:
    """The countries of the shipped graph."""
    return graph_countries(Settings())
