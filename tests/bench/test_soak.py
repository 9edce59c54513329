"""``python -m jaif_kg.bench.soak`` end to end, shortened: it runs, prints every row of its tables,
writes its JSON, and leaves no server process (nor query worker) behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jaif_kg.bench import soak

WRK = Path("/usr/bin/wrk")
#: The first column of every row of the main table (what the issue asked the soak to report).
ROWS = (
    "cheap query",
    "wrk requests/s",
    "wrk errors",
    "wrk answers by status",
    "cheap query latency p50 / p99 / max",
    "hostile client answers",
    "/healthz polls",
    "/healthz latency p50 / p99 / worst",
    "memory before",
    "memory right after",
    "memory after settle",
    "memory peak during load",
)


@pytest.mark.skipif(
    not WRK.exists(), reason="wrk is not installed (Debian: apt-get install wrk; make soak does it)"
)
def test_a_short_soak_reports_everything_and_stops_the_server(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jaif_kg.bench.soak",
            "--duration",
            "3",
            "--settle",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "JAIF_QUERY_TIMEOUT": "2"},  # inherited by the server
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for row in ROWS:
        assert f"| {row} | " in table, row
    for name in soak.HOSTILE_QUERIES:
        assert f"| {name} | " in table, name
    verdicts = [line for line in table.splitlines() if line.endswith(("| PASS |", "| MISS |"))]
    assert len(verdicts) == 4, table

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["wrk"]["requests"] > 0
    assert data["health"]["polls"] > 10
    assert sum(data["hostile"]["totals"].values()) > 0
    assert data["memory_before"]["rss_kb"] > 0 and data["memory_settled"]["rss_kb"] > 0
    assert data["memory_peak"]["rss_kb"] >= data["memory_before"]["rss_kb"]
    assert data["server_env"]["JAIF_QUERY_TIMEOUT"] == "2"
    # the server, its zygote and every query worker seen are gone, none had to be killed
    assert data["left_behind"] == []
    seen = data["processes_seen"]
    assert any(pid == data["server_pid"] for pid, _ in seen)
    assert len(seen) >= 3  # the server, the zygote, the workers
    for pid, started in seen:
        assert soak.start_time(pid) != started, f"process {pid} outlived the soak"


def test_a_missing_wrk_is_a_failure_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(soak, "WRK_FALLBACK", Path("/nonexistent/wrk"))
    assert soak.main(["--duration", "1"]) == 1
