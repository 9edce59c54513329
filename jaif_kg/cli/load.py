"""``jaif-kg load``: validate the shipped graph, then push it to a SPARQL server
(:func:`jaif_kg.store.loading.push`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from jaif_kg.cli.args import Subparsers, check_url, load_settings, say, utf8_text


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "load",
        help="validate the graph and push it to a SPARQL server",
        description=(
            "Validate the shipped graph (ontology and graph_data/) with SHACL, then replace one "
            "graph on a SPARQL 1.1 server with it: the default graph, which `jaif-kg serve "
            "--store URL` queries, unless --graph names another. The graph goes by one Graph "
            "Store Protocol PUT when --graph-store-url is set, else by SPARQL Update (one "
            "request, or chunks into a staging graph swapped in by one MOVE); either way a push "
            "that fails leaves the graph on the server as it was. Exit 0 pushed, 1 violations "
            "(nothing pushed), 2 unreadable files or bad arguments, 3 the server failed."
        ),
    )
    p.add_argument(
        "--endpoint",
        required=True,
        type=utf8_text,
        metavar="URL",
        help="the server's SPARQL query URL, e.g. http://127.0.0.1:7878/query",
    )
    p.add_argument(
        "--graph",
        type=utf8_text,
        metavar="IRI",
        help="replace this named graph instead of the server's default graph",
    )
    p.add_argument(
        "--update-url",
        type=utf8_text,
        metavar="URL",
        help="SPARQL Update URL (JAIF_UPDATE_URL; default: URL)",
    )
    p.add_argument(
        "--graph-store-url",
        type=utf8_text,
        metavar="URL",
        help="Graph Store Protocol URL (JAIF_GRAPH_STORE_URL), e.g. http://127.0.0.1:7878/store",
    )
    p.add_argument(
        "--user", type=utf8_text, metavar="USER", help="HTTP basic user name (JAIF_REMOTE_USER)"
    )
    p.add_argument(
        "--password",
        type=utf8_text,
        metavar="PASSWORD",
        help="its password; prefer JAIF_REMOTE_PASSWORD (a command line is visible to others)",
    )
    p.add_argument(
        "--allow-invalid", action="store_true", help="push even when the graph has violations"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.graph import ontology_path, shapes_paths, shipped_paths
    from jaif_kg.shacl import render_text, summary_line, validate
    from jaif_kg.store import open_store
    from jaif_kg.store.shipped import push

    check_url(args.endpoint, "--endpoint")
    updates: dict[str, Any] = {"store": args.endpoint}
    for key, value in (
        ("update_url", args.update_url),
        ("graph_store_url", args.graph_store_url),
        ("remote_user", args.user),
        ("remote_password", args.password),
    ):
        if value is not None:
            updates[key] = value
    settings = load_settings().model_copy(update=updates)
    if settings.update_url is not None:
        check_url(settings.update_url, "--update-url (JAIF_UPDATE_URL)")
    if settings.graph_store_url is not None:
        check_url(settings.graph_store_url, "--graph-store-url (JAIF_GRAPH_STORE_URL)")
    paths = shipped_paths(settings)
    report = validate(
        paths, shapes_paths(settings), [ontology_path(settings)], base=settings.base_iri
    )
    if not report.conforms_at("Violation"):
        print(render_text(report), file=sys.stderr)
        if not args.allow_invalid:
            print(
                "jaif-kg load: the graph has violations; nothing was pushed "
                "(--allow-invalid pushes it anyway)",
                file=sys.stderr,
            )
            return 1
    say(f"validated: {summary_line(report)}")
    store = open_store(settings)
    try:
        pushed = push(paths, store, args.graph, base=settings.base_iri)
    finally:
        store.close()
    if pushed.dropped_staging:
        say(f"dropped {len(pushed.dropped_staging)} staging graph(s) of an interrupted push")
    say(f"pushed {pushed.sent:,} triples to {pushed.target} by {pushed.method}")
    if pushed.verified:
        say(f"the server now holds {pushed.on_server:,} triples there")
    else:
        print(
            f"jaif-kg load: warning: the server counts {pushed.on_server:,} triples there, "
            f"{pushed.sent:,} were sent (a server that merges equal values, or whose default "
            "graph is the union of all graphs, counts differently)",
            file=sys.stderr,
        )
    return 0
