"""``jaif-kg fmt``: write Turtle files in canonical form (:mod:`jaif_kg.rdf.canonical`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from jaif_kg.cli.args import Subparsers, load_settings, say


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "fmt",
        help="write Turtle files in canonical form",
        description=(
            "Rewrite Turtle files as canonical Turtle (sorted longturtle, stable blank nodes), "
            "or with --check only list those that are not and exit 1. Default: ontology/*.ttl, "
            "ontology/shapes/*.ttl and graph_data/*.ttl. Comments are not kept (say it with "
            "rdfs:comment); the prefixes a file declares are kept when used."
        ),
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="Turtle files")
    p.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if any would change"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.canonical import default_fmt_paths, format_files

    paths = args.paths or default_fmt_paths(load_settings())
    changed = format_files(paths, check=args.check)
    for path in changed:
        say(f"{'would reformat' if args.check else 'reformatted'} {path}")
    if args.check:
        if changed:
            say(f"{len(changed)} of {len(paths)} files are not canonical; run: jaif-kg fmt")
            return 1
        say(f"{len(paths)} files are canonical")
    return 0
