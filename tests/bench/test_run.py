"""The benchmark's parts on tiny inputs: a worker run, the load generator against a real
server, and the report (``make bench`` itself is a script, not a test)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from jaif_kg.bench import http as bench_http
from jaif_kg.bench import run as bench
from jaif_kg.bench import worker
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
                "target": 1_000_000,  # the size of the named-queries target
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
    legacy = bench.LEGACY_GENERATOR
    assert (
        f"| /sparql IRI lookup: >= 0.6x oxigraph serve (req/s) | 0.60x ({legacy}) | met |" in text
    )
    assert "| /sparql GROUP BY: >= 1x oxigraph serve (req/s) | not measured | not met |" in text
    assert "1 queries at 1,000 triples; worst 3.00x; over 1.2x: q 3.00x | not met |" in text
    assert "on-disk store < 1 s to the first answer | 2.50 s | not met |" in text
    assert "## Machine" in text and "nproc" in text


def _run(seconds: float, summary: str = "Does not conform: 1 violation") -> dict[str, object]:
    return {"seconds": seconds, "exit": 1, "peak_mb": 90.0, "summary": summary}


def _formats_entry(locate_ms: float) -> dict[str, object]:
    step = {"p50": 100.0, "p95": 100.0, "runs": 3}
    return {
        "read": step,
        "validate": {"p50": 900.0},
        "locate": {"p50": locate_ms},
        "render": {"text": {"p50": 1.0}, "turtle": {"p50": 20.0}},
        "bytes": {"text": 10, "turtle": 20},
        "results": 2,
        "located": 2,
        "peak_mb": 100.0,
    }


def test_report_shows_validate_end_to_end_formats_and_diff() -> None:
    results = {
        "argv": [],
        "seed": 1,
        "budget": 1,
        "elapsed_s": 60,
        "sizes": [],
        "cli_validate": [
            {
                "target": 10_000,
                "triples": 10_133,
                "faults": 17,
                "engines": {"auto": _run(1.5), "pyshacl": None},
            }
        ],
        "formats": {
            "target": 100_000,
            "triples": 100_500,
            "faults": 17,
            "turtle": {"seconds": 8.0, "bytes": 100, "lines": 10},
            "inputs": {"N-Triples (.nt)": _formats_entry(4.0), "Turtle": _formats_entry(200.0)},
        },
        "diff": {
            "triples": 1_000_000,
            "changes": {"deleted": 100, "modified": 100, "added": 100},
            "stdout_lines": 900,
        }
        | _run(31.0, "269 resources differ"),
        "notes": [],
    }
    text = bench.render(results)
    assert "| 10,133 | auto | 1.50 | 1 | 90 | Does not conform: 1 violation |" in text
    assert "| 10,133 | pyshacl | not run (see notes) | | | |" in text
    # (locate + render) / (read + validate): 24 / 1000 for N-Triples, 220 / 1000 for Turtle
    assert "| turtle | 20.0 | 24.0 | 1.02 | 1.019 | 2.4% | 20 |" in text
    assert "worst 22.0% (turtle, Turtle) | not met |" in text
    assert "| 1,000,000 | 100 / 100 / 100 | 31.00 | 1 | 90 | 900 | 269 resources differ |" in text
    assert "versions < 30 s | 31.0 s | not met |" in text


def test_merge_keeps_the_sections_not_run_and_says_which_run_measured_what() -> None:
    saved = {"argv": [], "elapsed_s": 600, "seed": 1, "budget": 1.5, "sizes": [1], "http": {}}
    fresh = {
        "argv": ["--only", "diff"],
        "elapsed_s": 60,
        "seed": 1,
        "budget": 1.5,
        "sizes": [],
        "diff": {"x": 1},
        "runs": [{"argv": ["--only", "diff"], "date": "D", "elapsed_s": 60, "sections": ["diff"]}],
    }
    merged = bench.merge(saved, fresh, ["diff"])
    assert merged["sizes"] == [1] and merged["diff"] == {"x": 1} and "http" in merged
    header = bench._provenance(merged)
    assert "sizes, http: `python -m jaif_kg.bench.run` (an earlier run), 10.0 minutes" in header
    assert "diff: `python -m jaif_kg.bench.run --only diff` on D, 1.0 minutes" in header


def test_changed_version_deletes_modifies_and_adds(tmp_path: Path) -> None:
    folder, _, triples = bench.make_data(tmp_path, 1_500, seed=1, faults=3)
    old = folder / "synthetic.ttl"
    counts = bench.changed_version(old, tmp_path / "new.nt", 30, seed=1)
    assert counts == {"deleted": 10, "modified": 10, "added": 10}
    before = set(old.read_text(encoding="utf-8").splitlines())
    after = set((tmp_path / "new.nt").read_text(encoding="utf-8").splitlines())
    assert len(before - after) == 20 and len(after - before) == 20
    assert len(after) == triples


def test_cli_and_formats_measure_validate_on_data_with_faults(tmp_path: Path) -> None:
    folder, _, _ = bench.make_data(tmp_path, 1_500, seed=1, faults=3)
    run = bench.run_cli(["validate", str(folder / "synthetic.ttl")], tmp_path / "cli")
    assert run["exit"] == 1 and run["summary"].startswith("Does not conform")
    assert run["seconds"] > 0 and run["peak_mb"] > 10
    result = bench.worker(
        {"kind": "formats", "data_file": str(folder / "synthetic.ttl"), "budget": 0.01}
    )
    assert "error" not in result, result
    assert set(result["render"]) == set(worker.REPORT_FORMATS)
    assert result["results"] >= 3 and result["located"] == result["results"]
    assert all(size > 0 for size in result["bytes"].values())


def test_machine_facts_of_each_run_are_shown() -> None:
    runs = [
        {"argv": [], "elapsed_s": 60, "sections": ["sizes"], "machine": ["- Date: old"]},
        {"argv": [], "elapsed_s": 6, "sections": ["diff"], "machine": ["- Date: new"]},
    ]
    results = {"argv": [], "seed": 1, "budget": 1, "elapsed_s": 6, "sizes": [], "runs": runs}
    text = bench.render(results)
    assert "Run of sizes:\n\n- Date: old\n\nRun of diff:\n\n- Date: new" in text
    assert bench.machine_lines(text)[0] == "- Date: old"


def _cross_entry(p50: float, raw: float | None, example: bool = True) -> dict[str, object]:
    entry: dict[str, object] = {
        "rows": 7,
        "example": example,
        "params": {"iri": "https://w3id.org/jaif-kg/id/country/KHM"},
        "jaif": {"p50": p50, "p95": p50 + 1},
        "bind": {"p50": 0.01},
    }
    if raw is not None:
        entry["raw"] = {"p50": raw, "p95": raw + 1}
    return entry


def test_report_shows_import_and_cross_dataset_queries() -> None:
    graphs = [
        {"graph": "https://w3id.org/jaif-kg/graph/iati", "triples": 500, "convert_s": 2.0},
    ]
    results = {
        "argv": [],
        "seed": 1,
        "budget": 1,
        "elapsed_s": 60,
        "sizes": [],
        "import": {
            "rows": 100_000,
            "activities": 10_000,
            "filled_years": 1,
            "imports": [
                {
                    "kind": "wdi-csv",
                    "rows": 100_000,
                    "observations": 100_000,
                    "triples": 500_004,
                    "convert_s": 28.0,
                    "store_s": 4.0,
                    "rows_per_s": 3125.0,
                }
            ],
            "peak_mb": 900.0,
            "engine_peak_mb": 1200.0,
        },
        "crossqueries": [
            {"target": 10_000, "synthetic": 5_000, "imported": {"missing": "no engine"}},
            {
                "target": 100_000,
                "synthetic": 50_000,
                "imported": {"graphs": graphs},
                "backends": [
                    {
                        "name": "oxigraph (memory)",
                        "triples": 100_500,
                        "queries": {
                            "facts-about": _cross_entry(3.0, 1.0),
                            "related-activities": _cross_entry(2.0, 2.0, example=False),
                        },
                    },
                    {
                        "name": "remote (oxigraph serve)",
                        "triples": 100_500,
                        "queries": {
                            "facts-about": _cross_entry(9.0, None),
                            "related-activities": _cross_entry(8.0, None, example=False),
                        },
                    },
                ],
            },
        ],
        "notes": [],
    }
    text = bench.render(results)
    assert "| wdi-csv | 100,000 | 100,000 | 500,004 | 28.00 | 4.00 | 3,125 |" in text
    assert "900 MB in the importing process, 1,200 MB in its largest child" in text
    assert "| `jaif-kg import` of 100,000 WDI rows < 30 s (convert + store) | 32.0 s" in text
    assert "3,125 rows/s | not met |" in text
    assert "### 10^4 triples\n\nnot run: no engine" in text
    assert "Synthetic 50,000 triples; imported: `iati` 500 (converted in 2.00 s)." in text
    iri = "iri=https://w3id.org/jaif-kg/id/country/KHM"
    assert f"| facts-about | {iri} | 7 | 3.00 / 4.00 | 9.00 / 10.00 | 1.00 / 2.00 | 3.00 |" in text
    assert f"| related-activities | {iri} (not the example: it finds nothing here) |" in text
    assert "worst 3.00x; over 1.5x: facts-about | not met for 1 of 2 |" in text


def test_report_says_why_the_import_was_not_run() -> None:
    results = {
        "argv": [],
        "seed": 1,
        "budget": 1,
        "elapsed_s": 1,
        "sizes": [],
        "import": {"rows": 10, "activities": 1, "filled_years": 1, "missing": "no .venv-rml"},
        "notes": [],
    }
    text = bench.render(results)
    assert "not run: no .venv-rml" in text
    assert "| not run: no .venv-rml | - |" in text


def test_a_reduced_import_run_gives_no_verdict_on_the_target() -> None:
    one = {"kind": "wdi-csv", "rows": 2_000, "convert_s": 1.0, "store_s": 0.5, "rows_per_s": 1e3}
    lines = bench._import_targets({"import": {"imports": [one]}})
    assert lines and lines[0].endswith("| - (measured at 2,000 rows, not 100,000) |")


def test_cross_dataset_queries_on_imported_graphs(tmp_path: Path) -> None:
    """The worker end to end on a tiny size: imported graphs with their records, every query
    with rows, and raw pyoxigraph agreeing on the rows (needs the engine in ``.venv-rml``)."""
    from jaif_kg.imports import EngineMissing
    from jaif_kg.imports.engine import engine_python

    try:
        engine_python()
    except EngineMissing:
        pytest.skip("no mapping engine (make install creates .venv-rml)")
    from jaif_kg.bench import synth

    data = tmp_path / "data"
    data.mkdir()
    synth.write(data / "synthetic.ttl", 30, seed=1)
    synth.write_area_links(data / "area-dac-links.ttl")
    imported = worker.run_imported({"folder": str(tmp_path), "triples": 2_000})
    assert [g["kind"] for g in imported["graphs"]] == ["wdi-csv", "iati"]
    result = worker.run_crossqueries(
        {
            "backend": "memory",
            "data_dir": str(data),
            "graphs": [g["file"] for g in imported["graphs"]],
            "queries": list(bench.CROSS_QUERIES),
            "fallback": bench.CROSS_FALLBACK,
            "budget": 0.05,
        }
    )
    assert "https://w3id.org/jaif-kg/graph/iati" in result["graphs"]
    for name, q in result["queries"].items():
        assert q["rows"] > 0 and q["raw_rows"] == q["rows"], name
    assert result["queries"]["related-activities"]["example"] is False


def test_a_run_of_some_sizes_keeps_the_other_sizes_and_their_run() -> None:
    """``--only sizes --sizes 1e7`` adds 10^7 to the saved sizes instead of replacing them."""
    saved = {
        "argv": [],
        "elapsed_s": 600,
        "seed": 1,
        "sizes": [{"target": 1_000, "v": "old"}, {"target": 10_000_000, "v": "old"}],
        "http": {"a": 1},
        "runs": [{"argv": [], "sections": ["sizes", "http"], "elapsed_s": 600}],
    }
    fresh = {
        "argv": ["--only", "sizes", "--sizes", "1e7"],
        "elapsed_s": 900,
        "seed": 1,
        "sizes": [{"target": 10_000_000, "v": "new"}],
        "runs": [{"argv": ["--only", "sizes"], "sections": ["sizes"], "elapsed_s": 900}],
    }
    merged = bench.merge(saved, fresh, ["sizes"])
    assert [(s["target"], s["v"]) for s in merged["sizes"]] == [(1_000, "old"), (10**7, "new")]
    assert merged["http"] == {"a": 1}
    assert [r["sections"] for r in merged["runs"]] == [["sizes", "http"], ["sizes"]]
