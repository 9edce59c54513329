"""``jaif-kg serve`` as a subprocess for tests: started on a port, ready when ``/healthz`` is."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def start_serve(
    args: Sequence[str], env: Mapping[str, str], *, port: int, seconds: float = 90.0
) -> tuple[subprocess.Popen[str], str]:
    """Run ``python -m jaif_kg.cli serve --port PORT ARGS`` in the checkout with ``env``, in a
    process group of its own (:func:`stop_serve` ends the whole tree); return it and its URL once
    ``/healthz`` answers 200.

    Raises:
        RuntimeError: the server ended, or did not answer within ``seconds`` (its output).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "jaif_kg.cli", "serve", "--port", str(port), *args],
        env=dict(env),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_serve(proc)
            raise RuntimeError(f"jaif-kg serve did not start: {proc.communicate()[0]}")
        time.sleep(0.05)


def stop_serve(proc: subprocess.Popen[str]) -> None:
    """Kill what is left of a server :func:`start_serve` started: its whole process group (the
    HTTP processes, their spawner, zygotes and workers), so that a failed test leaves none."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (read from ``/proc``), in order."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return sorted(out)
