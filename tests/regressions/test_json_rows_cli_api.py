"""The CLI's JSON rows and the API's JSON rows give every datatype the same value and JSON type.

Guards: dropping ``xsd:decimal`` from the API's numeric conversion (``_FLOAT_TYPES`` in
``jaif_kg/workers/pool.py``) passed the suite: the API wrote decimals as strings while the CLI
(``jaif_kg.catalog.plain_value``) wrote numbers. Both doors document one convention (XSD integers,
decimals, doubles and floats as JSON numbers, booleans as true/false, unbound as null, everything
else as its text, blank nodes as ``_:id``), written twice; this is the differential test of the
two. One named query returns a row holding a term of every kind; it runs once through
``jaif-kg query NAME --format json`` (a real subprocess) and once through
``GET /api/queries/NAME`` on a live server, and each column is compared.

An ill-typed literal (``"yes"^^xsd:boolean``, ``"1_000"^^xsd:integer``) is not a value of its
type: both doors must give its text, as they already do for ``"abc"^^xsd:integer``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jaif_kg.api.app import create_app
from tests.api.conftest import REPO, Live, api_settings, shipped, start_live

WORLD = REPO / "tests" / "fixtures" / "cli"  # a small graph: the query reads no data

#: column -> (SPARQL term, the JSON value both doors must give). Unbound and the blank node are
#: added by the query itself.
WELL_TYPED: dict[str, tuple[str, Any]] = {
    "integer": ("42", 42),
    "negative_integer": ('"-7"^^xsd:integer', -7),
    "int": ('"5"^^xsd:int', 5),
    "long": ('"9007199254740993"^^xsd:long', 9007199254740993),
    "unsigned_byte": ('"200"^^xsd:unsignedByte', 200),
    "decimal": ("2.50", 2.5),
    "negative_decimal": ('"-0.125"^^xsd:decimal', -0.125),
    "whole_decimal": ('"3"^^xsd:decimal', 3.0),
    "double": ("1.5e3", 1500.0),
    "float": ('"0.25"^^xsd:float', 0.25),
    "double_infinity": ('"INF"^^xsd:double', "INF"),  # JSON has no infinity: the text
    "double_nan": ('"NaN"^^xsd:double', "NaN"),
    "boolean_true": ("true", True),
    "boolean_false": ("false", False),
    "boolean_one": ('"1"^^xsd:boolean', True),
    "boolean_zero": ('"0"^^xsd:boolean', False),
    "date": ('"2022-06-30"^^xsd:date', "2022-06-30"),
    "date_time": ('"2022-06-30T12:00:00Z"^^xsd:dateTime', "2022-06-30T12:00:00Z"),
    "string": ('"plain text"', "plain text"),
    "typed_string": ('"typed"^^xsd:string', "typed"),
    "escaped_string": ('"line\\none \\"quoted\\""', 'line\none "quoted"'),
    "language_string": ('"Viet Nam"@en', "Viet Nam"),
    "other_script": ('"កម្ពុជា"@km', "កម្ពុជា"),
    "iri": ("<https://w3id.org/jaif-kg/id/country/KHM>", "https://w3id.org/jaif-kg/id/country/KHM"),
    "custom_datatype": ('"KH"^^<https://w3id.org/jaif-kg/ontology#ISO3166Alpha2>', "KH"),
}
ILL_TYPED: dict[str, tuple[str, Any]] = {
    "boolean_yes": ('"yes"^^xsd:boolean', "yes"),
    "boolean_upper": ('"TRUE"^^xsd:boolean', "TRUE"),
    "integer_word": ('"abc"^^xsd:integer', "abc"),
    "integer_fraction": ('"5.0"^^xsd:int', "5.0"),
    "integer_underscore": ('"1_000"^^xsd:integer', "1_000"),
    "integer_arabic_indic": ('"١٢"^^xsd:integer', "١٢"),
    "decimal_exponent": ('"1.0e0"^^xsd:decimal', "1.0e0"),
    "double_underscore": ('"1_0.5"^^xsd:double', "1_0.5"),
}
COLUMNS = {**WELL_TYPED, **ILL_TYPED}

# rdflib parses the query when the catalog loads it, and warns about "yes"^^xsd:boolean
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")


def _query_text() -> str:
    names = " ".join(f"?{c}" for c in COLUMNS)
    terms = " ".join(term for term, _ in COLUMNS.values())
    return (
        "#+ summary: One row with a term of every kind, to compare the CLI's and the API's rows\n"
        "#+ tags: [test]\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        f"SELECT {names} ?blank ?unbound\n"
        "WHERE {\n"
        f"  VALUES ({names} ?unbound) {{\n    ({terms} UNDEF)\n  }}\n"
        "  BIND (BNODE() AS ?blank)\n"
        "}\n"
    )


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("queries")
    (folder / "every-kind.rq").write_text(_query_text(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def backend(request: pytest.FixtureRequest) -> str:
    """The embedded store. Oxigraph reads every XSD integer type as xsd:integer; rdflib keeps
    ``xsd:int``, ``xsd:unsignedByte``... as written, so the derived types reach both doors."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="module")
def cli_row(queries_dir: Path, backend: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    env |= {
        "JAIF_STORE": backend,
        "JAIF_QUERIES_DIR": str(queries_dir),
        "JAIF_ONTOLOGY_DIR": str(WORLD / "ontology"),
        "JAIF_DATA_DIR": str(WORLD / "graph_data"),
    }
    script = Path(sys.executable).with_name("jaif-kg")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "jaif_kg.cli"]
    run = subprocess.run(
        [*command, "query", "every-kind", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert isinstance(rows, list) and len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


@pytest.fixture(scope="module")
def server(queries_dir: Path, backend: str) -> Iterator[Live]:
    settings = api_settings(
        store=backend,
        queries_dir=queries_dir,
        ontology_dir=WORLD / "ontology",
        data_dir=WORLD / "graph_data",
    )
    live = start_live(create_app(settings, shipped(settings)))
    yield live
    live.stop()


def _get(live: Live, path: str) -> Any:
    with urllib.request.urlopen(live.url + path, timeout=30) as response:
        return response.headers["content-type"], json.loads(response.read())


@pytest.fixture(scope="module")
def api_row(server: Live) -> dict[str, Any]:
    content_type, rows = _get(server, "/api/queries/every-kind")
    assert content_type.startswith("application/json")
    assert isinstance(rows, list) and len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


def test_derived_integer_types_reach_the_doors(backend: str, server: Live) -> None:
    """What the store hands over: with rdflib the derived XSD types arrive as written, so the
    comparison covers them (Oxigraph turns them into xsd:integer before either door sees them)."""
    _, answer = _get(server, "/api/queries/every-kind?format=sparql-json")
    (binding,) = answer["results"]["bindings"]
    xsd = "http://www.w3.org/2001/XMLSchema#"
    written = {"int": "int", "long": "long", "unsigned_byte": "unsignedByte"}
    for column, datatype in written.items():
        expected = xsd + (datatype if backend == "rdflib" else "integer")
        assert binding[column]["datatype"] == expected


def _same(value: Any, expected: Any) -> bool:
    """Equal, and of the same JSON type (``True == 1`` and ``1 == 1.0`` in Python)."""
    return type(value) is type(expected) and value == expected


def test_both_doors_give_every_variable_a_key(
    cli_row: dict[str, Any], api_row: dict[str, Any]
) -> None:
    assert list(cli_row) == list(api_row) == [*COLUMNS, "blank", "unbound"]


@pytest.mark.parametrize("column", list(WELL_TYPED))
def test_a_value_is_the_same_on_both_doors(
    column: str, cli_row: dict[str, Any], api_row: dict[str, Any]
) -> None:
    expected = WELL_TYPED[column][1]
    cli, api = cli_row[column], api_row[column]
    assert _same(cli, expected) and _same(api, expected), (
        f"{column} ({WELL_TYPED[column][0]}): CLI gives {cli!r}, API gives {api!r}, "
        f"both must give {expected!r}"
    )


@pytest.mark.parametrize("column", list(ILL_TYPED))
def test_an_ill_typed_literal_is_its_text_on_both_doors(
    column: str, cli_row: dict[str, Any], api_row: dict[str, Any]
) -> None:
    expected = ILL_TYPED[column][1]
    cli, api = cli_row[column], api_row[column]
    assert _same(cli, expected) and _same(api, expected), (
        f"{column} ({ILL_TYPED[column][0]}): CLI gives {cli!r}, API gives {api!r}, "
        f"both must give the text {expected!r}"
    )


def test_a_blank_node_is_a_labelled_string(
    cli_row: dict[str, Any], api_row: dict[str, Any]
) -> None:
    for value in (cli_row["blank"], api_row["blank"]):
        assert isinstance(value, str) and value.startswith("_:") and len(value) > 2


def test_an_unbound_variable_is_null(cli_row: dict[str, Any], api_row: dict[str, Any]) -> None:
    assert cli_row["unbound"] is None and api_row["unbound"] is None
