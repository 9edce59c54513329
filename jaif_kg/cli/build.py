"""``jaif-kg build``: write the dumps and the dataset description
(:func:`jaif_kg.publish.dumps.shipped_bundle`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from jaif_kg.cli.args import Subparsers, load_settings, not_utf8, say
from jaif_kg.errors import InputError


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "build",
        help="write the dumps and the dataset description",
        description=(
            "Write the shipped graph (ontology + graph_data/) as Turtle, sorted N-Triples, JSON-LD "
            "(with its context.jsonld), TriG (one named graph per source document) and RDF/XML; "
            "the whole dataset (the shipped graph and every --graph) as TriG and N-Quads, and "
            "each graph as Turtle (graph-NAME.ttl); with the VoID/DCAT dataset description "
            "(void.ttl) and SHA256SUMS. A server started with the same --graph options offers "
            "the same files under /dumps/."
        ),
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="output folder (default: dist)",
    )
    p.add_argument(
        "--graph",
        action="append",
        default=[],
        metavar="IRI=FILE",  # not utf8_text: a file name may hold any bytes (the IRI is checked)
        help="also load FILE into the named graph IRI, as serve --graph does (repeatable); a "
        "TriG/N-Quads FILE alone keeps its own graph names",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.api.server import parse_graph_argument
    from jaif_kg.publish.dumps import shipped_bundle

    graphs = [parse_graph_argument(value) for value in args.graph]
    for iri, _ in graphs:
        raw = None if iri is None else not_utf8(iri)
        if raw is not None:
            raise InputError(f"--graph: the IRI {raw} is not UTF-8 text")
    bundle = shipped_bundle(load_settings(), graphs)
    try:
        written = bundle.write(args.out)
    except FileExistsError as exc:  # mkdir of a name that a file holds
        where = exc.filename or args.out
        raise InputError("is a file, not a folder (--out)", path=str(where)) from None
    except OSError as exc:
        where = exc.filename or args.out
        raise InputError(f"cannot write: {exc.strerror or exc} (--out)", path=str(where)) from None
    for path in written:
        say(f"{path}  {path.stat().st_size:>9,} bytes")
    return 0
