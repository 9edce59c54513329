"""``jaif-kg serve`` end to end, as a separate process: it serves the shipped graph plus
``--graph`` named graphs, stops cleanly (no query worker left behind), and refuses to start on a
graph with SHACL violations unless ``--allow-invalid``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serving import children as _children
from tests.serving import start_serve, stop_serve

from .conftest import REPO

INVALID = REPO / "tests" / "fixtures" / "shapes" / "AdoptionShape" / "invalid" / "missing-date.ttl"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-c",
        "import sys; from jaif_kg.cli import main; sys.exit(main())",
        "serve",
        *args,
    ]
    return subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "extra.nt"
    path.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    return path


@pytest.fixture
def served(data_file: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    proc, url = start_serve(
        ["--graph", f"http://example.org/extra={data_file}", "--timeout", "5"],
        os.environ,
        port=port,
        seconds=60,
    )
    yield proc, url
    stop_serve(proc)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_answers_and_stops_cleanly(served: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = served
    response = httpx.get(
        url + "/sparql",
        headers={"accept": "text/csv"},
        params={"query": "SELECT ?o WHERE { GRAPH <http://example.org/extra> { ?s ?p ?o } }"},
    )
    assert response.status_code == 200
    assert response.text.splitlines() == ["o", "http://example.org/o"]
    ask = httpx.get(
        url + "/sparql",
        params={"query": "ASK { ?p a <https://w3id.org/jaif-kg/ontology#Project> }"},
    )
    assert ask.json()["boolean"] is True
    zygotes = set(_children(proc.pid))
    workers = set().union(*(_children(z) for z in zygotes))
    assert zygotes and len(workers) >= 2
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "triples loaded" in output and "named graphs: http://example.org/extra" in output
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() for p in zygotes | workers):
        assert time.monotonic() < deadline, "query processes outlived the server"
        time.sleep(0.05)


def test_serve_refuses_an_invalid_graph(tmp_path: Path) -> None:
    data = tmp_path / "graph_data"
    shutil.copytree(REPO / "graph_data", data)
    shutil.copy(INVALID, data / "zz-invalid.ttl")
    env = {"JAIF_DATA_DIR": str(data), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = _serve("--port", str(_free_port()), env=env)
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 1, output
    assert "AdoptionShape-date" in output
    assert "not serving (--allow-invalid serves it anyway)" in output


UNION = REPO / "tests" / "fixtures" / "union"


def test_serve_validates_a_loaded_graph_with_its_own_shapes(tmp_path: Path) -> None:
    """--graph IRI=FILE is validated at start-up too, by the shapes --graph-shapes gives it."""
    broken = tmp_path / "integrator.ttl"
    text = (UNION / "integrator.ttl").read_text(encoding="utf-8")
    broken.write_text(
        text + "\n<http://example.org/integrator/c/XX> a "
        "<http://www.w3.org/2004/02/skos/core#Concept> .\n",
        encoding="utf-8",
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["--graph", f"http://example.org/g={broken}"]
    shapes = ["--graph-shapes", f"http://example.org/g={UNION / 'integrator.shapes.ttl'}"]
    proc = _serve("--port", str(_free_port()), *args, *shapes, env=env)
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 1, output
    assert "http://example.org/integrator/c/XX" in output
    assert "(graph <http://example.org/g>)" in output
    # without its shapes, the integrator's own concept is none of the project's business
    proc = _serve("--port", str(_free_port()), *args, "--graph-shapes", "x", env=env)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 2 and "argument --graph-shapes: 'x' is not IRI=FILE" in output, output
