"""``action.yml``, the composite GitHub Action, checked for structure: it loads as YAML, has the
keys GitHub reads, and the jaif-kg commands and options it runs exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


def action() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def help_text(*command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", *command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_action_has_the_keys_github_reads() -> None:
    data = action()
    assert {"name", "description", "inputs", "runs"} <= data.keys()
    assert set(data["inputs"]) == {"paths", "shapes", "fail-on", "version"}
    assert all("description" in spec for spec in data["inputs"].values())
    assert data["runs"]["using"] == "composite"
    assert all(step["shell"] == "bash" for step in data["runs"]["steps"])


def test_every_command_and_option_it_runs_exists() -> None:
    scripts = "\n".join(step["run"] for step in action()["runs"]["steps"])
    assert "$GITHUB_STEP_SUMMARY" in scripts
    commands = re.findall(r"^\s*jaif-kg (\w+)(.*)$", scripts, re.MULTILINE)
    assert commands, "the action runs no jaif-kg command"
    top = help_text()
    for command, rest in commands:
        assert re.search(rf"^\s+{command}\s", top, re.MULTILINE), f"no command {command}"
        text = help_text(command)
        for option in re.findall(r"(--[a-z-]+)", rest):
            assert option in text, f"jaif-kg {command} has no {option}"
        for value in re.findall(r"--format (\w+)", rest):
            assert re.search(rf"\b{value}\b", text), f"jaif-kg {command} --format has no {value}"
