"""Live servers for the API tests: the real app under uvicorn on a free loopback port.

Each server runs in a thread of the test process (uvicorn's own event loop), over a store the
test builds, so that tests can also look at the server's state (its query workers).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from jaif_kg.api.app import create_app
from jaif_kg.api.server import uvicorn_config
from jaif_kg.rdf.graph import shipped_paths
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.loading import load_files as load_store

REPO = Path(__file__).resolve().parents[2]


def api_settings(**overrides: Any) -> Settings:
    """Settings of this checkout with an in-memory Oxigraph store."""
    values: dict[str, Any] = {
        "ontology_dir": REPO / "ontology",
        "data_dir": REPO / "graph_data",
        "queries_dir": REPO / "queries",
        "store": "oxigraph",
        "store_path": None,
        "public_url": None,
    }
    values.update(overrides)
    return Settings(**values)


def shipped(settings: Settings) -> Store:
    """A new in-memory store holding the shipped graph."""
    store = open_store(settings)
    load_store(store, shipped_paths(settings))
    return store


@dataclass
class Live:
    """A running server."""

    app: FastAPI
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def sparql(self) -> str:
        """The SPARQL endpoint's URL."""
        return self.url + "/sparql"

    def stop(self) -> None:
        """Stop uvicorn (and with it the query workers)."""
        self.server.should_exit = True
        self.thread.join(timeout=15)


def start_live(app: FastAPI) -> Live:
    """Serve ``app`` on a free loopback port; return once it accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # the server's own configuration (header limit, read timeout) from the app's settings
    config = uvicorn_config(
        app, app.state.settings, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return Live(app, f"http://127.0.0.1:{port}", server, thread)


@pytest.fixture(scope="module")
def live_factory() -> Iterator[Callable[..., Live]]:
    """Start servers (``live_factory(settings, store)``); all are stopped after the module."""
    servers: list[Live] = []

    def make(settings: Settings | None = None, store: Store | None = None) -> Live:
        settings = settings or api_settings()
        live = start_live(create_app(settings, store if store is not None else shipped(settings)))
        servers.append(live)
        return live

    yield make
    for live in servers:
        live.stop()


@pytest.fixture(scope="module")
def live(live_factory: Callable[..., Live]) -> Live:
    """A server over the shipped graph with the default settings."""
    return live_factory()


class Probe:
    """A loopback HTTP server that counts every request it gets (a query must never reach it)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _hit(self) -> None:
                hits.append(f"{self.command} {self.path}")
                body = b"<http://probe/s> <http://probe/p> <http://probe/o> .\n"
                self.send_response(200)
                self.send_header("content-type", "application/n-triples")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _hit

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop the probe."""
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def probe() -> Iterator[Probe]:
    """A hit-counting HTTP server on loopback."""
    p = Probe()
    yield p
    p.close()
