"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run for real by ``pre-commit try-repo`` on
this checkout, in a new git repository with a broken, then fixed, data file.

pre-commit builds the hook's environment by pip-installing this checkout, so the first run
needs the package index (or ``PIP_NO_INDEX=1`` with ``PIP_FIND_LINKS`` naming a folder of every
wheel jaif-kg and its build need); the environment lives in the test's own ``PRE_COMMIT_HOME``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
GOOD = 'PREFIX ex: <http://example.org/>\n\nex:a\n    ex:name "A" ;\n.\n'
BROKEN = 'PREFIX ex: <http://example.org/>\n\nex:a ex:name "A" \n'


def run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit is not installed")
def test_validate_hook_fails_on_a_broken_file_and_passes_once_fixed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAIF_", "GIT_"))}
    env |= {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "JAIF_ONTOLOGY_DIR": str(REPO / "ontology"),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    work = tmp_path / "work"
    (work / "graph_data").mkdir(parents=True)
    data = work / "graph_data" / "things.ttl"
    data.write_text(BROKEN)
    assert run(work, "git", "init", "-q", env=env).returncode == 0
    assert run(work, "git", "add", ".", env=env).returncode == 0

    def hook(hook_id: str) -> subprocess.CompletedProcess[str]:
        return run(work, PRE_COMMIT, "try-repo", str(REPO), hook_id, "--all-files", env=env)

    done = hook("jaif-kg-validate")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "graph_data/things.ttl:4: syntax error" in done.stdout, done.stdout

    data.write_text(GOOD)
    done = hook("jaif-kg-validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout

    done = hook("jaif-kg-fmt")
    assert done.returncode == 0, done.stdout + done.stderr
    data.write_text(GOOD.replace("ex:a\n    ex:name", "ex:a ex:name"))
    done = hook("jaif-kg-fmt")
    assert done.returncode == 1
    assert "graph_data/things.ttl" in done.stdout
