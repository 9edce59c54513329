"""The installed package is whole: a wheel built from the repository carries the ontology, the
shapes, the named queries and the templates, and its ``jaif-kg validate``, run in a user's own
directory, validates that directory's ``graph_data/`` against them.

The wheel is built from a copy of the repository's files (so that no ``build/`` folder appears in
the checkout), installed into a fresh virtual environment whose dependencies come from the
development environment (a ``.pth`` file: nothing is downloaded but the build backend, from the
configured package index), and run there as a user runs it.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: What a source tree needs to build the wheel.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
SOURCE_FOLDERS = ("jaif_kg", "ontology", "queries")
#: A project without the title, dates... that the shapes require.
BROKEN = """@prefix jaif: <https://w3id.org/jaif-kg/ontology#> .
<https://w3id.org/jaif-kg/id/project/nameless> a jaif:Project .
"""


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    source.mkdir()
    for name in SOURCES:
        shutil.copy2(REPO / name, source / name)
    for name in SOURCE_FOLDERS:
        shutil.copytree(
            REPO / name,
            source / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "project_files"),
        )
    done = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        root / "dist",
        source,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = (root / "dist").glob("jaif_kg-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment with the wheel installed; its ``bin/`` folder."""
    venv = tmp_path_factory.mktemp("venv")
    base_python = getattr(sys, "_base_executable", sys.executable)
    done = run(base_python, "-m", "venv", "--without-pip", venv, cwd=venv)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv
    )
    # the dependencies, from the development environment; after the venv's own site-packages,
    # and without its .pth files (the editable install of the checkout is not seen)
    deps = "\n".join(site.getsitepackages())
    Path(purelib.stdout.strip(), "dependencies.pth").write_text(deps + "\n", encoding="utf-8")
    done = run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=venv,
    )
    assert done.returncode == 0, done.stderr
    yield venv / "bin"


def test_the_wheel_carries_the_ontology_shapes_queries_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    inside = "jaif_kg/project_files/"
    expected = {
        inside + p.relative_to(REPO).as_posix()
        for folder in ("ontology", "queries")
        for p in (REPO / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert inside + "ontology/jaif.ttl" in expected
    assert any(n.startswith(inside + "ontology/shapes/") for n in expected)
    assert any(n.endswith(".rq") for n in expected)
    assert expected <= names, sorted(expected - names)
    assert any(n.startswith("jaif_kg/templates/") for n in names)
    assert not any(n.startswith(("graph_data/", "ontology/", "queries/")) for n in names)


def test_the_installed_package_finds_its_own_files(installed: Path, tmp_path: Path) -> None:
    done = run(
        installed / "python",
        "-c",
        "from jaif_kg.settings import Settings; s = Settings();"
        "print(s.ontology_dir); print(s.queries_dir); print(s.data_dir)",
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("JAIF_")},
    )
    assert done.returncode == 0, done.stderr
    ontology, queries, data = done.stdout.splitlines()
    assert Path(ontology).parent.name == "project_files"
    assert Path(ontology, "jaif.ttl").is_file()
    assert sorted(Path(queries).glob("*.rq"))
    assert not Path(ontology).is_relative_to(REPO)
    assert data == "graph_data"


def test_installed_validate_reads_the_users_graph_data(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    done = run(installed / "jaif-kg", "validate", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stdout
    assert "no graph_data/ folder in the current directory" in done.stderr
    (tmp_path / "graph_data").mkdir()
    (tmp_path / "graph_data" / "mine.ttl").write_text(BROKEN, encoding="utf-8")
    done = run(installed / "jaif-kg", "validate", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    assert "id:project/nameless" in done.stdout
    assert "Does not conform" in done.stdout
