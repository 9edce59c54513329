"""``jaif-kg build --graph``: the merged dataset exported without a server, run as a user runs it.

``--graph`` takes what ``serve --graph`` takes (one parser, :func:`jaif_kg.api.server.
parse_graph_argument`): ``IRI=FILE``, or a TriG/N-Quads ``FILE`` whose graphs keep their names.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.publish.crosswalk import LINKSET_FILE, SSSOM_FILE
from jaif_kg.publish.dumps import DATASET_STEM, graph_file_name
from jaif_kg.rdf.namespaces import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
TRIG = """\
@prefix ex: <http://example.org/> .
<http://example.org/graphs/a> { ex:s ex:p "in a" . }
<https://w3id.org/jaif-kg/graph/b> { ex:s ex:p "in b" ; ex:q [ ex:r 1 ] . }
"""


def build(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", "build", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_trig_file_keeps_its_graph_names(tmp_path: Path) -> None:
    source = tmp_path / "extra.trig"
    source.write_text(TRIG, encoding="utf-8")
    out = tmp_path / "dist"
    done = build("--out", str(out), "--graph", str(source), cwd=REPO)
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    for graph in ("http://example.org/graphs/a", DEFAULT_BASE + "graph/b"):
        assert graph_file_name(graph, DEFAULT_BASE) in names
    assert {"graph-jaif.ttl", "graph-b.ttl", SSSOM_FILE, LINKSET_FILE} <= names
    quads = ox.parse((out / f"{DATASET_STEM}.nq").read_bytes(), ox.RdfFormat.N_QUADS)
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert graphs == {
        DEFAULT_BASE + "graph/jaif",
        "http://example.org/graphs/a",
        DEFAULT_BASE + "graph/b",
    }
    listed = (out / "SHA256SUMS").read_text(encoding="ascii")
    assert f"  {graph_file_name('http://example.org/graphs/a', DEFAULT_BASE)}\n" in listed


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("nope=extra.ttl", "not an absolute IRI"),
        ("http://example.org/g=", "IRI=FILE"),
        ("no-such-file.trig", "no such file"),
        (DEFAULT_BASE + "graph/meta=extra.ttl", "reserved"),
        (DEFAULT_BASE + "graph/jaif=extra.ttl", "reserved"),
    ],
)
def test_refused_graphs_are_exit_2_and_write_nothing(
    tmp_path: Path, value: str, phrase: str
) -> None:
    (tmp_path / "extra.ttl").write_text('<http://e.org/s> <http://e.org/p> "o" .\n')
    done = build("--out", "dist", "--graph", value, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert phrase in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "dist").exists()
