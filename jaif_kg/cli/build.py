"""``jaif-kg build``: write the dumps and the dataset description
(:func:`jaif_kg.publish.dumps.shipped_bundle`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from jaif_kg.cli.args import Subparsers, load_settings, say
from jaif_kg.errors import InputError


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "build",
        help="write the dumps and the dataset description",
        description=(
            "Write the shipped graph (ontology + graph_data/) as Turtle, sorted N-Triples, JSON-LD "
            "(with its context.jsonld), TriG (one named graph per source document) and RDF/XML, "
            "with the VoID/DCAT dataset description (void.ttl) and SHA256SUMS. The server offers "
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.publish.dumps import shipped_bundle

    bundle = shipped_bundle(load_settings())
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
