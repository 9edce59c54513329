"""``jaif-kg serve``: check the options, then load, validate and serve
(:func:`jaif_kg.api.server.serve`)."""

from __future__ import annotations

import argparse
import math
import socket
from typing import Any

from jaif_kg.cli.args import (
    Subparsers,
    add_store_options,
    check_store_setting,
    key_file,
    load_settings,
    not_utf8,
    seconds,
    store_updates,
    utf8_text,
    whole,
)
from jaif_kg.errors import InputError
from jaif_kg.settings import Settings, allowed_services

#: Most query worker processes ``serve --workers`` starts: more is a typing error, not a plan.
MAX_WORKERS = 256


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="validate the graph and serve it: SPARQL endpoint, named-query API, pages",
        description="Load the ontology and data into the embedded store (the named graph "
        "{base}graph/jaif) and any --graph files (graphs of their own; queries that name no "
        "graph see the union of all of them), validate the shipped graph with SHACL (with "
        "--store URL: what the server holds; refuse to start on violations), then serve "
        "/sparql, /api/queries and the pages with uvicorn.",
    )
    p.add_argument(
        "--host", type=utf8_text, default="127.0.0.1", help="address to listen on (127.0.0.1)"
    )
    p.add_argument(
        "--port",
        type=whole("a TCP port", 1, 65535),
        default=8000,
        help="port to listen on, 1 to 65535 (8000)",
    )
    p.add_argument(
        "--graph",
        action="append",
        default=[],
        metavar="IRI=FILE",  # not utf8_text: a file name may hold any bytes (the IRI is checked)
        help="also load FILE into the named graph IRI (repeatable); a TriG/N-Quads FILE alone "
        "keeps its own graph names. IRI=FILE takes a file of one graph; the names of the "
        "shipped graph ({base}graph/jaif) and the metadata graph ({base}graph/meta) are refused",
    )
    p.add_argument(
        "--graph-shapes",
        action="append",
        default=[],
        type=key_file("IRI"),
        metavar="IRI=SHAPES",
        help="SHACL shapes for the graph IRI loaded with --graph IRI=FILE (repeatable); the "
        "project's shapes check the project's part of every graph, these check that graph",
    )
    p.add_argument(
        "--allow-invalid", action="store_true", help="serve even when the graph has violations"
    )
    p.add_argument(
        "--no-union-default-graph",
        action="store_true",
        help="a query that names no graph sees the shipped graph alone, not the union of the "
        "data graphs (JAIF_UNION_DEFAULT_GRAPH=false)",
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=None,
        metavar="S",
        help="seconds a query may run before it is stopped, more than 0 (JAIF_QUERY_TIMEOUT, "
        "default 10)",
    )
    p.add_argument(
        "--workers",
        type=whole("a number of query workers", 1, MAX_WORKERS),
        default=None,
        metavar="N",
        help=f"query worker processes started up front, 1 to {MAX_WORKERS} "
        "(JAIF_QUERY_WORKERS, default 2)",
    )
    p.add_argument(
        "--allow-service",
        action="append",
        default=None,
        type=utf8_text,
        metavar="URL",
        help="let a query's SERVICE call this SPARQL endpoint (http:// or https://, matched "
        "exactly; repeatable; JAIF_ALLOW_SERVICE); every other SERVICE is refused",
    )
    p.add_argument("--access-log", action="store_true", help="log every request")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.api.server import parse_graph_argument, serve

    updates: dict[str, Any] = store_updates(args)
    if args.timeout is not None:
        updates["query_timeout"] = args.timeout
    if args.workers is not None:
        updates["query_workers"] = args.workers
    if args.no_union_default_graph:
        updates["union_default_graph"] = False
    if args.allow_service is not None:
        try:
            updates["allow_service"] = allowed_services(args.allow_service)
        except ValueError as exc:
            raise InputError(f"--allow-service {exc}") from None
    settings = load_settings().model_copy(update=updates)
    check_store_setting(settings)
    _check_timeout(settings)
    graphs = [parse_graph_argument(value) for value in args.graph]
    for iri, _ in graphs:
        raw = None if iri is None else not_utf8(iri)
        if raw is not None:
            raise InputError(f"--graph: the IRI {raw} is not UTF-8 text")
    _check_can_listen(args.host, args.port)
    return serve(
        settings,
        host=args.host,
        port=args.port,
        graphs=graphs,
        graph_shapes=args.graph_shapes,
        allow_invalid=args.allow_invalid,
        access_log=args.access_log,
    )


def _check_timeout(settings: Settings) -> None:
    """What ``--timeout`` refuses, also refused from the environment: the settings model takes
    ``JAIF_QUERY_TIMEOUT=inf`` (it is above 0), but that is no time limit."""
    if not math.isfinite(settings.query_timeout):
        raise InputError(
            f"JAIF_QUERY_TIMEOUT={settings.query_timeout}: a query time limit is a number of "
            "seconds above 0"
        )


def _check_can_listen(host: str, port: int) -> None:
    """Fail now, in one line, if ``host:port`` cannot be listened on, rather than after the graph
    is loaded and validated, in the web server's log.

    The socket is closed at once; it takes the options uvicorn takes (``SO_REUSEADDR``), so a
    port that uvicorn could use passes.

    Raises:
        InputError: an unknown host, or an address in use or not allowed (a port below 1024).
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"--host {host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    family, kind, protocol, _, address = found[0]
    with socket.socket(family, kind, protocol) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise InputError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (--host, --port)"
            ) from None
