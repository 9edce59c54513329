"""Fixtures of the linked-data tests: the shipped graph's dumps, and a live server over it.

The server is the real app (``create_app``) under uvicorn on a free loopback port, in a thread of
the test process; clients are real (httpx, rdflib's parsers, headless Chromium).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from jaif_kg.api.app import create_app
from jaif_kg.publish.dumps import Bundle, build_bundle
from jaif_kg.settings import Settings
from jaif_kg.store import Store


@dataclass
class Server:
    """A running server and a client for it."""

    url: str
    client: httpx.Client


@pytest.fixture(scope="session")
def bundle(shipped_store: Store, settings: Settings) -> Bundle:
    """The dumps of the shipped graph, built once."""
    return build_bundle(shipped_store, settings)


@pytest.fixture(scope="session")
def server(shipped_store: Store, settings: Settings) -> Iterator[Server]:
    """The app over the shipped graph, served by uvicorn on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(settings, shipped_store)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the linked-data test server did not start")
        time.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=30) as client:
        yield Server(url, client)
    uv.should_exit = True
    thread.join(timeout=15)
