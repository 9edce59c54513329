"""The benchmark's parts on tiny inputs: a worker run, the load generator against a real
server, and the report (``make bench`` itself is a script, not a test)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from jaif_kg.bench import http as bench_http
from jaif_kg.bench import run as bench
from jaif_kg.catalog import Catalog
from jaif_kg.settings import Settings


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, _, _ = bench.make_data(tmp_path_factory.mktemp("bench"), 1_500, seed=1)
    return folder


def test_worker_measures_a_backend(data_dir: Path) -> None:
    result = bench.worker(
        {"kind": "backend", "backend": "oxigraph", "data_dir": str(data_dir), "budget": 0.05}
        | {"validate_fast": True}
    )
    assert "error" not in result, result
    assert result["triples"] > 1_000
    assert result["validate_fast_results"] == 0  # synthetic data conforms
    names = set(Catalog.from_dir(Settings().queries_dir).names())
    assert set(result["queries"]) == names
    for entry in result["queries"].values():
        assert entry["jaif"]["runs"] >= 3 and entry["raw"]["p50"] > 0
    assert result["peak_mb"] > 10


def test_worker_reports_a_failure_instead_of_raising(data_dir: Path) -> None:
    result = bench.worker({"kind": "backend", "backend": "no-such", "data_dir": str(data_dir)})
    assert "no-such" in result["error"]


def test_load_generator_against_a_real_server(tmp_path: Path) -> None:
    port = bench_http.free_port()
    server = bench_http.Server(
        "oxigraph",
        [bench_http.tool_path("oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"],
        port,
        "/query?query=" + urllib.parse.quote("ASK {}"),
        log=tmp_path / "oxigraph.log",
    )
    with server:
        path = "/query?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        result = bench_http.hammer(port, path, 40, bench.JSON_RESULTS)
        missing = bench_http.hammer(port, "/no-such-path", 8, {})
    assert server.process is not None and server.process.poll() is not None  # stopped
    assert (result.requests, result.errors) == (40, 0)
    assert result.rps > 0 and 0 < result.p50_ms <= result.p99_ms
    assert missing.errors == 8


def test_report_shows_targets_and_ratios() -> None:
    query = {"rows": 1, "jaif": {"p50": 3.0, "p95": 4.0}, "raw": {"p50": 1.0, "p95": 1.5}}
    backend = {
        "name": "oxigraph (memory)",
        "load_s": 1.0,
        "validate_fast_s": 2.0,
        "validate_fast_results": 0,
        "peak_mb": 100.0,
        "triples": 1000,
        "queries": {"q": query},
    }
    http = {
        "triples": 1000,
        "startup": {"jaif-kg": 1.0},
        "sparql": {
            "IRI lookup": {
                "jaif-kg": {"rps": 600.0, "p50_ms": 1, "p99_ms": 2, "requests": 10, "errors": 0},
                "oxigraph": {"rps": 1000.0, "p50_ms": 1, "p99_ms": 2, "requests": 10, "errors": 0},
            }
        },
        "named": {},
    }
    results = {
        "argv": [],
        "seed": 1,
        "budget": 1,
        "elapsed_s": 60,
        "sizes": [
            {
                "triples": 1000,
                "backends": [backend],
                "fast": {"load_s": 1, "validate_s": 2, "results": 0, "peak_mb": 50},
            }
        ],
        "http": http,
        "startup": {
            "triples": 1000,
            "first": 3.0,
            "restart": 2.5,
            "first_line": "",
            "restart_line": "",
        },
        "notes": ["- a note"],
    }
    text = bench.render(results)
    assert "| /sparql IRI lookup: >= 0.5x oxigraph serve | 0.60x | met |" in text
    assert "worst 3.00x; over 1.5x: q | not met for 1 of 1 |" in text
    assert "| 2.50 s to the first answer | not met |" in text.replace(
        "start-up on 1,000 triples from the on-disk store < 2 s ", ""
    )
    assert "## Machine" in text and "nproc" in text
