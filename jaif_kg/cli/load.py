"""``jaif-kg load``: validate the shipped graph, then push it and any ``--graph`` files to a
SPARQL server (:func:`jaif_kg.store.shipped.push_dataset`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from jaif_kg.cli.args import (
    Subparsers,
    add_write_options,
    check_url,
    check_write_urls,
    load_settings,
    not_utf8,
    say,
    utf8_text,
    write_updates,
)
from jaif_kg.errors import InputError


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "load",
        help="validate the graph and push it to a SPARQL server",
        description=(
            "Validate the shipped graph (ontology and graph_data/) with SHACL, then replace the "
            "named graph {base}graph/jaif on a SPARQL 1.1 server with it (--shipped-graph names "
            "another), and each --graph file's graph with that file; each graph is recorded "
            "(source, SHA-256, triples, load time) in {base}graph/meta. `jaif-kg serve --store "
            "URL` then queries the union of the data graphs. A graph goes by one Graph Store "
            "Protocol PUT when --graph-store-url is set, else by SPARQL Update (one request, or "
            "chunks into a staging graph swapped in by one MOVE); either way a push that fails "
            "leaves that graph on the server as it was (graphs pushed before it stay pushed). "
            "Exit 0 pushed, 1 violations (nothing pushed), 2 unreadable files or bad arguments, "
            "3 the server failed."
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
        "--shipped-graph",
        type=utf8_text,
        metavar="IRI",
        help="push the shipped graph to this named graph instead of {base}graph/jaif",
    )
    p.add_argument(
        "--graph",
        action="append",
        default=[],
        metavar="IRI=FILE",  # not utf8_text: a file name may hold any bytes (the IRI is checked)
        help="also push FILE to the named graph IRI (repeatable); a TriG/N-Quads FILE alone "
        "keeps its own graph names. As serve --graph: IRI=FILE takes a file of one graph; the "
        "shipped and the metadata graph's names are refused",
    )
    add_write_options(p)
    p.add_argument(
        "--allow-invalid", action="store_true", help="push even when the graph has violations"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.graph import ontology_path, shapes_paths, shipped_paths
    from jaif_kg.shacl import render_text, summary_line, validate
    from jaif_kg.store import open_store
    from jaif_kg.store.shipped import check_shipped_target, push_dataset

    check_url(args.endpoint, "--endpoint")
    graphs = [_graph_argument(value) for value in args.graph]
    updates: dict[str, Any] = {"store": args.endpoint, **write_updates(args)}
    settings = load_settings().model_copy(update=updates)
    check_write_urls(settings)
    if args.shipped_graph is not None:
        check_shipped_target(args.shipped_graph, settings.base_iri)
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
        reports = push_dataset(store, settings, graphs, shipped_target=args.shipped_graph)
    finally:
        store.close()
    if reports[0].dropped_staging:
        say(f"dropped {len(reports[0].dropped_staging)} staging graph(s) of an interrupted push")
    for pushed in reports:
        say(f"pushed {pushed.sent:,} triples to {pushed.target} by {pushed.method}")
        if pushed.verified:
            say(f"the server now holds {pushed.on_server:,} triples there")
        else:
            print(
                f"jaif-kg load: warning: the server counts {pushed.on_server:,} triples in "
                f"{pushed.target}, {pushed.sent:,} were sent (a server that merges equal "
                "values counts differently)",
                file=sys.stderr,
            )
    return 0


def _graph_argument(value: str) -> tuple[str | None, Path]:
    """One ``--graph`` value, as ``serve --graph`` reads it; the old ``--graph IRI`` (the graph
    the shipped graph went to) is refused with its new name.

    Raises:
        InputError: a value that is neither ``IRI=FILE`` nor a file.
    """
    from jaif_kg.api.server import parse_graph_argument

    if "=" not in value and ":" in value and not Path(value).is_file():
        raise InputError(
            f"--graph {value}: --graph IRI=FILE (or a TriG/N-Quads FILE) pushes a file to a "
            "graph of its own; to choose where the shipped graph goes, use --shipped-graph IRI"
        )
    iri, path = parse_graph_argument(value)
    raw = None if iri is None else not_utf8(iri)
    if raw is not None:
        raise InputError(f"--graph: the IRI {raw} is not UTF-8 text")
    return iri, path
